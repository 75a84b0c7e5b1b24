from enum import StrEnum


class Role(StrEnum):
    ADMIN = "ADMIN"
    CUSTOMER = "CUSTOMER"


class ItemKind(StrEnum):
    MAIN = "MAIN"
    SIDE = "SIDE"
    DRINK = "DRINK"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PAID = "PAID"
    ACCEPTED = "ACCEPTED"
    SERVED = "SERVED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"

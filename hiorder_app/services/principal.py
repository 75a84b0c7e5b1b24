"""Who is calling. Every service that acts for a user takes a Principal and checks it itself."""

from dataclasses import dataclass

from ..domain.enums import Role
from ..domain.errors import AccessDenied


@dataclass(frozen=True)
class Principal:
    account_id: int
    store_id: int
    role: str
    username: str
    table_id: int | None = None
    table_number: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def require_admin(principal: Principal | None, store_id: int | None = None) -> Principal:
    if principal is None:
        raise AccessDenied("login.required")
    if principal.role != Role.ADMIN:
        raise AccessDenied("auth.admin_only")
    if store_id is not None and store_id != principal.store_id:
        raise AccessDenied("auth.other_store")
    return principal


def require_customer(principal: Principal | None) -> Principal:
    if principal is None:
        raise AccessDenied("login.required")
    if principal.role != Role.CUSTOMER or principal.table_id is None:
        raise AccessDenied("auth.customer_only")
    return principal

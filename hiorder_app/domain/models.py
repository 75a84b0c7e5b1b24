"""SQLModel tables. Alembic migrations are the schema's only source; these only describe it."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .timeutil import UTCDateTime, utcnow

# A menu item's `image` holds either an asset path ("/menu/x.svg") or this prefix and a file in Reflex's
# upload folder, so the UI knows which URL to build.
UPLOAD_PREFIX = "upload:"


def _ts(nullable: bool = False, default=True):
    return Field(
        default_factory=utcnow if default else None,
        sa_type=UTCDateTime,
        nullable=nullable,
    )


class Store(SQLModel, table=True):
    __tablename__ = "store"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name_ko: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    timezone: str = Field(default="Asia/Seoul", max_length=64)
    created_at: datetime = _ts()


class DiningTable(SQLModel, table=True):
    __tablename__ = "dining_table"
    __table_args__ = (sa.UniqueConstraint("store_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    number: int
    name: str = Field(max_length=50)
    active: bool = True


class Account(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (sa.UniqueConstraint("store_id", "username"),)
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    username: str = Field(max_length=50)
    password_hash: str = Field(max_length=100)
    role: str = Field(max_length=16)
    # A customer account is a table's tablet; admins have none.
    table_id: int | None = Field(default=None, foreign_key="dining_table.id")
    failed_logins: int = 0
    locked_until: datetime | None = _ts(nullable=True, default=False)
    active: bool = True
    created_at: datetime = _ts()
    # Bumped when a table's password is reissued: QR sign-in links carry it, so older links stop working.
    credential_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"
    id: int | None = Field(default=None, primary_key=True)
    # Only a hash of the bearer token is stored, so a database leak yields no live sessions.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True, default=False)


class TableSession(SQLModel, table=True):
    """One party's visit at a table."""

    __tablename__ = "table_session"
    __table_args__ = (
        sa.Index(
            "uq_table_session_open",
            "table_id",
            unique=True,
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    table_id: int = Field(foreign_key="dining_table.id", index=True)
    opened_at: datetime = _ts()
    closed_at: datetime | None = _ts(nullable=True, default=False)


class Category(SQLModel, table=True):
    __tablename__ = "category"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    name_ko: str = Field(max_length=50)
    name_en: str = Field(max_length=50)
    sort_order: int = 0
    visible: bool = True


class MenuItem(SQLModel, table=True):
    __tablename__ = "menu_item"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    category_id: int = Field(foreign_key="category.id", index=True)
    name_ko: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    description_ko: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=500)
    price: int  # KRW
    kind: str = Field(max_length=8)
    # None means unlimited.
    stock: int | None = None
    sold_out: bool = False
    once_per_table: bool = False
    image: str = Field(default="", max_length=200)
    active: bool = True
    sort_order: int = 0
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    table_id: int = Field(foreign_key="dining_table.id", index=True)
    table_session_id: int = Field(foreign_key="table_session.id", index=True)
    status: str = Field(max_length=20, index=True)
    total: int
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    paid_at: datetime | None = _ts(nullable=True, default=False)
    # The order id the payment provider sees; random so it never repeats across databases.
    payment_ref: str | None = Field(default=None, max_length=64, unique=True)


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    menu_item_id: int = Field(foreign_key="menu_item.id", index=True)
    # Snapshots: later menu edits never rewrite what was sold.
    name_ko: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    kind: str = Field(max_length=8)
    unit_price: int
    quantity: int
    line_total: int


class OutboxEvent(SQLModel, table=True):
    """Events recorded in the writing transaction; published to Redis after commit."""

    __tablename__ = "outbox_event"
    id: str = Field(primary_key=True, max_length=36)
    store_id: int = Field(foreign_key="store.id", index=True)
    type: str = Field(max_length=40)
    payload: str  # JSON
    created_at: datetime = _ts()
    published_at: datetime | None = _ts(nullable=True, default=False)
    attempts: int = 0


class Payment(SQLModel, table=True):
    """One attempt to charge an order at the provider, with what the provider last said."""

    __tablename__ = "payment"
    __table_args__ = (
        # The database itself refuses a second successful payment for one order.
        sa.Index("uq_payment_order_done", "order_id", unique=True,
                 postgresql_where=sa.text("status = 'DONE'"), sqlite_where=sa.text("status = 'DONE'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    provider: str = Field(max_length=20)
    payment_key: str = Field(max_length=200, unique=True)
    amount: int
    # CONFIRMING (asked the provider, no answer yet), DONE, FAILED, CANCELED, PARTIAL_CANCELED
    status: str = Field(max_length=20, index=True)
    refunded_amount: int = 0
    failure_code: str = Field(default="", max_length=60)
    raw_response: str = ""  # JSON, as the provider sent it
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    approved_at: datetime | None = _ts(nullable=True, default=False)


class OrderReadModel(SQLModel, table=True):
    """CQRS read model of orders, written only by the projector from events; the tablet's history,
    the live board and the history page read this and never join the write model."""

    __tablename__ = "order_view"
    order_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    store_id: int = Field(index=True)
    table_id: int = Field(index=True)
    table_number: int
    table_session_id: int = Field(index=True)
    session_open: bool = True
    status: str = Field(max_length=20, index=True)
    total: int
    lines_json: str
    created_at: datetime = _ts()
    paid_at: datetime | None = _ts(nullable=True, default=False)
    updated_at: datetime = _ts()


class StaffCall(SQLModel, table=True):
    """A diner pressed "call staff"; open until someone on the floor acknowledges it."""

    __tablename__ = "staff_call"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    table_id: int = Field(foreign_key="dining_table.id", index=True)
    table_number: int
    created_at: datetime = _ts()
    acknowledged_at: datetime | None = _ts(nullable=True, default=False)

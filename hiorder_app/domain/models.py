"""SQLModel tables. Alembic migrations are the schema's only source; these only describe it."""

from datetime import date, datetime

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
    created_at: datetime = _ts()
    # A board card's time since payment turns amber, then red, past these (the store sets them).
    board_amber_minutes: int = Field(default=10, sa_column_kwargs={"server_default": "10"})
    board_red_minutes: int = Field(default=20, sa_column_kwargs={"server_default": "20"})


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
    # Which kitchen station makes this category's lines ("" is the main kitchen); a board can show one.
    station: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})


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
    # Offered on the tablet when the store has too few orders to recommend from.
    featured: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    image: str = Field(default="", max_length=200)
    active: bool = True
    sort_order: int = 0
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # Tags (domain.menu_tags): allergen codes joined by ",", 0 (not spicy) to 3, vegetarian.
    allergens: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    spicy_level: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    vegetarian: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class OptionGroup(SQLModel, table=True):
    """A choice asked of the diner (맵기, 사이즈, 사리 추가), shared by any items of the store that offer it.
    Soft-deleted, so an order naming one of its options is refused by name."""

    __tablename__ = "option_group"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    name_ko: str = Field(max_length=50)
    name_en: str = Field(default="", max_length=50)
    # Single choice is max_select 1; required is min_select >= 1 (domain.menu_options).
    min_select: int = 0
    max_select: int = 1
    sort_order: int = 0
    deleted: bool = False


class MenuOption(SQLModel, table=True):
    __tablename__ = "menu_option"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    group_id: int = Field(foreign_key="option_group.id", index=True)
    name_ko: str = Field(max_length=50)
    name_en: str = Field(default="", max_length=50)
    price_delta: int = 0  # KRW added to the item's price, never negative
    sold_out: bool = False
    stock: int | None = None  # how many more lines' worth can choose it; None is unlimited
    sort_order: int = 0
    deleted: bool = False


class ItemOptionGroup(SQLModel, table=True):
    """Which groups an item asks, in which order."""

    __tablename__ = "menu_item_option_group"
    menu_item_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("menu_item.id", ondelete="CASCADE"),
                                                  primary_key=True))
    group_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("option_group.id", ondelete="CASCADE"),
                                              primary_key=True, index=True))
    sort_order: int = 0


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
    # The diner's request ("덜 맵게 해 주세요"), plain text (domain.menu_options.clean_note).
    note: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    menu_item_id: int = Field(foreign_key="menu_item.id", index=True)
    # Snapshots: later menu edits never rewrite what was sold.
    name_ko: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    kind: str = Field(max_length=8)
    unit_price: int  # the item's price plus its chosen options' deltas
    quantity: int
    line_total: int
    # The chosen options as sold (domain.menu_options.option_lines), JSON.
    options_json: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    station: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    done_at: datetime | None = _ts(nullable=True, default=False)  # the kitchen marked this line done


class OutboxEvent(SQLModel, table=True):
    """Events recorded in the writing transaction; published to Redis after commit."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        # Partial: the relay's index holds only what is still to publish, however large the outbox is.
        sa.Index("ix_outbox_event_unpublished", "created_at",
                 postgresql_where=sa.text("published_at IS NULL"), sqlite_where=sa.text("published_at IS NULL")),
        sa.Index("ix_outbox_event_published_at", "published_at",
                 postgresql_where=sa.text("published_at IS NOT NULL"),
                 sqlite_where=sa.text("published_at IS NOT NULL")),
    )
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
    note: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})


class StaffCall(SQLModel, table=True):
    """A diner pressed "call staff"; open until someone on the floor acknowledges it."""

    __tablename__ = "staff_call"
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    table_id: int = Field(foreign_key="dining_table.id", index=True)
    table_number: int
    created_at: datetime = _ts()
    acknowledged_at: datetime | None = _ts(nullable=True, default=False)


class SignInThrottle(SQLModel, table=True):
    """A failed sign-in counter, for (account as typed, client) or for a client across accounts
    (services/auth/throttle.py). Keyed by a hash: what was typed is not stored."""

    __tablename__ = "sign_in_throttle"
    key: str = Field(primary_key=True, max_length=64)
    scope: str = Field(max_length=16)  # "account" or "client"
    failures: int = 0
    blocked_until: datetime | None = _ts(nullable=True, default=False)
    # Also what the purge of forgotten counters scans.
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True, index=True)


# ---- aggregate read models (services/read_models/sales.py, recommendations.py) ------------------------
# Written by the projector in the transaction of each OrderPaid / refund, keyed by the store's local day and
# hour (STORE_TIMEZONE: changing it needs `python -m hiorder_app rebuild-insights`). Refunds are counted at
# the order's payment time, so a period's figures are what was paid in it and what of that was given back.


class SalesHour(SQLModel, table=True):
    __tablename__ = "sales_hour"
    store_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    hour: int = Field(primary_key=True)
    weekday: int  # 0 = Monday, so the weekday heatmap groups without date functions SQLite lacks
    orders: int = 0
    revenue: int = 0
    refunds: int = 0
    refunded: int = 0


class SalesItemDay(SQLModel, table=True):
    __tablename__ = "sales_item_day"
    store_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    menu_item_id: int = Field(primary_key=True)
    name_ko: str = Field(max_length=80)  # as last sold
    name_en: str = Field(max_length=80)
    quantity: int = 0
    revenue: int = 0


class SalesItemHour(SQLModel, table=True):
    """Quantities by local day and hour: what "popular now" reads for this weekday and hour."""

    __tablename__ = "sales_item_hour"
    store_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    hour: int = Field(primary_key=True)
    menu_item_id: int = Field(primary_key=True)
    quantity: int = 0


class SalesOptionDay(SQLModel, table=True):
    """How often each menu option was chosen (units of the items it came on) and what it added."""

    __tablename__ = "sales_option_day"
    store_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    option_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    group_ko: str = Field(max_length=50)  # as last sold
    group_en: str = Field(max_length=50)
    name_ko: str = Field(max_length=50)
    name_en: str = Field(max_length=50)
    quantity: int = 0
    revenue: int = 0  # its price deltas


class SalesTableDay(SQLModel, table=True):
    __tablename__ = "sales_table_day"
    store_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    table_number: int = Field(primary_key=True)
    orders: int = 0
    revenue: int = 0


class SalesDay(SQLModel, table=True):
    """A store's local day in one row (the sum of its `sales_hour` rows): the report's daily series and the
    days at a range's edges, without grouping a day's hours."""

    __tablename__ = "sales_day"
    store_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    orders: int = 0
    revenue: int = 0
    refunds: int = 0
    refunded: int = 0


# Per-month rollups of the per-hour, per-item, per-option and per-table day rows (month: its first day), kept
# in the same transaction: the report reads a range's whole months from these and only its edge days from the
# day rows, so a long range groups a few hundred rows instead of thousands.


class SalesMonthHour(SQLModel, table=True):
    __tablename__ = "sales_month_hour"
    store_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)
    weekday: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    hour: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    orders: int = 0
    revenue: int = 0
    refunds: int = 0
    refunded: int = 0


class SalesItemMonth(SQLModel, table=True):
    __tablename__ = "sales_item_month"
    store_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)
    menu_item_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name_ko: str = Field(max_length=80)  # as last sold
    name_en: str = Field(max_length=80)
    quantity: int = 0
    revenue: int = 0


class SalesOptionMonth(SQLModel, table=True):
    __tablename__ = "sales_option_month"
    store_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)
    option_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    group_ko: str = Field(max_length=50)  # as last sold
    group_en: str = Field(max_length=50)
    name_ko: str = Field(max_length=50)
    name_en: str = Field(max_length=50)
    quantity: int = 0
    revenue: int = 0


class SalesTableMonth(SQLModel, table=True):
    __tablename__ = "sales_table_month"
    store_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)
    table_number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    orders: int = 0
    revenue: int = 0


class VisitItem(SQLModel, table=True):
    """In how many table visits (paid, not refunded) an item was ordered; menu_item_id 0 counts the visits."""

    __tablename__ = "visit_item"
    store_id: int = Field(primary_key=True)
    menu_item_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    visits: int = 0


class VisitPair(SQLModel, table=True):
    """In how many table visits two items were both ordered (item_a < item_b)."""

    __tablename__ = "visit_pair"
    store_id: int = Field(primary_key=True)
    item_a: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    item_b: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    visits: int = 0

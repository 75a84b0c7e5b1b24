"""What the browser may send to an event handler, as pydantic types (see boundary.py).

These are bounds on the wire, not the product's rules: a 100 kB "name", a number where text belongs or
a terminal escape in a password stop here; a name's real length, a price's range or a table number's
format are the services' to check, with their own messages. Forms ignore fields they do not know (a
browser may send more inputs than the handler reads) but need every field they declare."""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

# C0/C1 controls and the bidirectional overrides that can make text read differently from what it is.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_IN_LINE = re.compile(f"[{_CONTROLS}]")
# The same less tab, line feed and carriage return.
_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _one_line(value: str) -> str:
    if _IN_LINE.search(value):
        raise ValueError("control characters")
    return value


def _lines(value: str) -> str:
    """Line breaks and tabs are fine in a description; other controls are not."""
    if _IN_TEXT.search(value):
        raise ValueError("control characters")
    return value


def _nonzero(value: int) -> int:
    if value == 0:
        raise ValueError("zero")
    return value


Text = Annotated[str, Strict(), Field(max_length=200), AfterValidator(_one_line)]
LongText = Annotated[str, Strict(), Field(max_length=2000), AfterValidator(_lines)]
# Long enough for a passphrase (the password hash takes any length); a megabyte of "password" is not one.
Secret = Annotated[str, Strict(), Field(max_length=1024), AfterValidator(_one_line)]
# A row's id as the page holds it (text, for JSON object keys).
Key = Annotated[str, Strict(), Field(pattern=r"^[0-9]{1,10}$")]
# An id as the page sends it, within the database's integer column.
Id = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]
# A cart line: an item id, and the ids of its chosen options ("12" or "12:3.7").
LineKey = Annotated[str, Strict(), Field(pattern=r"^[0-9]{1,10}(:[0-9]{1,10}(\.[0-9]{1,10}){0,39})?$")]
Note = Annotated[str, Strict(), Field(max_length=200), AfterValidator(_lines)]  # the order's request
# One of a control's option values (a period, a status, a kind); the service knows which exist.
Choice = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9_]{1,32}$")]
# Segmented controls and selects report either one value or a list of them.
Choices = Choice | Annotated[list[Choice], Field(max_length=8)]
Flag = Annotated[bool, Strict()]
Position = Annotated[int, Strict(), Field(ge=0, le=99)]  # a line of an order
# One place up or down. (A Literal[-1, 1] would also take True and 1.0.)
Step = Annotated[int, Strict(), Field(ge=-1, le=1), AfterValidator(_nonzero)]


class Form(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class SignInForm(Form):
    store: Text
    username: Text
    password: Secret


class StaffSignOutForm(Form):
    admin_username: Text
    admin_password: Secret


class CategoryNames(Form):
    name_ko: Text
    name_en: Text


class CategoryEdit(CategoryNames):
    station: Text


class BoardThresholds(Form):
    # Typed as text; the service reads the minutes and says what is wrong with them.
    amber: Text
    red: Text


class OptionGroupForm(Form):
    name_ko: Text
    name_en: Text
    # Typed as text; the service reads the numbers and says what is wrong with them.
    min_select: Text
    max_select: Text


class OptionForm(Form):
    group_key: Key  # a hidden field: the form is one per group
    name_ko: Text
    name_en: Text
    price_delta: Text


class TableName(Form):
    name: Text


class NewTable(Form):
    number: Text
    name: Text


class ItemForm(Form):
    name_ko: Text
    name_en: Text
    description_ko: LongText
    description_en: LongText
    # Typed as text in the dialog; the service reads the numbers and says what is wrong with them.
    price: Text
    stock: Text
    sort_order: Text
    # The stock field's text as the page showed it (a hidden field; see admin_item_dialog._stock_input).
    stock_seen: Text = ""


class HistoryFilters(Form):
    day: Text
    table: Text


class DateRange(Form):
    first: Text
    last: Text


class RejectionReason(Form):
    code: Text = ""


class RejectedFile(Form):
    """One file the browser's own check refused (react-dropzone's fileRejections entry)."""
    errors: Annotated[list[RejectionReason], Field(max_length=10)] = []


RejectedFiles = Annotated[list[RejectedFile], Field(max_length=20)]


def first(choice: str | list[str], default: str = "") -> str:
    return choice if isinstance(choice, str) else (choice[0] if choice else default)

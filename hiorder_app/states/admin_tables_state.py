"""The store console's tables page and its printable QR sheet. Handlers pass the caller, resolved
afresh from the token, to services.admin_tables / table_links, which decide whether they may act."""

import reflex as rx

from ..domain.errors import DomainError
from ..services.auth import table_links
from ..services.principal import Principal
from ..services.store_admin import tables as admin_tables
from ..settings import get_settings
from .boundary import ADMIN, event, page
from .formatting import store_time
from .inputs import Key, NewTable, TableName
from .session_state import SessionState


class AdminTablesState(SessionState):
    tables: list[dict] = []
    rename_key: str = ""
    # A new password is shown once, then forgotten: only its hash is stored.
    issued: dict[str, str] = {}
    qr: dict[str, str] = {}
    sheet: list[dict] = []
    notice_ko: str = ""
    notice_en: str = ""

    @page(ADMIN)
    def load(self, principal: Principal):
        self._clear_error()
        self.notice_ko = self.notice_en = ""
        self.issued, self.qr, self.rename_key = {}, {}, ""
        self._refresh(principal)

    @page(ADMIN)
    def load_sheet(self, principal: Principal):
        self._clear_error()
        links = table_links.table_links(principal, self.router.url.origin)
        self.sheet = [{"key": str(k.table_id), "number": str(k.number), "name": k.name, "qr": k.qr} for k in links]

    def _refresh(self, principal: Principal) -> None:
        try:
            rows = admin_tables.list_tables(principal)
        except DomainError as exc:
            self.tables = []
            self._show_error(exc)
            return
        self.tables = [{"key": str(r.id), "number": r.number, "name": r.name, "username": r.username,
                        "occupied": r.occupied, "since": store_time(r.opened_at)[-5:] if r.opened_at else ""}
                       for r in rows]

    def _act(self, principal: Principal, action, *args):
        """Call an admin service as this caller: its result, or None after showing its refusal."""
        try:
            result = action(principal, *args)
        except DomainError as exc:
            self._show_error(exc)
            return None
        self._clear_error()
        self._refresh(principal)
        return result if result is not None else True

    @rx.var
    def notice(self) -> str:
        return self.notice_en if self.lang == "en" else self.notice_ko

    @rx.var
    def rows(self) -> list[dict]:
        en = self.lang == "en"
        out = []
        for r in self.tables:
            n = r["number"]
            out.append(r | {
                "title": f"Table {n}" if en else f"{n}번",
                "status": (f"Seated since {r['since']}" if en else f"{r['since']}부터 이용 중") if r["occupied"]
                else ("Free" if en else "비어 있음"),
                "qr_label": f"QR code for table {n}" if en else f"{n}번 테이블 QR 코드",
                "rename_label": f"Rename table {n}" if en else f"{n}번 테이블 이름 바꾸기",
                "reissue_label": f"New password for table {n}" if en else f"{n}번 테이블 비밀번호 재발급",
                "clear_label": f"Clear table {n}" if en else f"{n}번 테이블 정리",
            })
        return out

    @rx.var
    def rename_name(self) -> str:
        return next((r["name"] for r in self.tables if r["key"] == self.rename_key), "")

    # ---- actions ---------------------------------------------------------------------------------
    @event(ADMIN)
    def create_table(self, principal: Principal, form: NewTable):
        issued = self._act(principal, admin_tables.create_table, form.number.strip(), form.name)
        if issued:
            self._show_issued(issued)

    @event(ADMIN)
    def reissue(self, principal: Principal, key: Key):
        issued = self._act(principal, admin_tables.reissue_password, key)
        if issued:
            self._show_issued(issued)

    def _show_issued(self, issued: admin_tables.IssuedPassword) -> None:
        self.issued = {"number": str(issued.number), "username": issued.username, "password": issued.password}

    @event(ADMIN)
    def close_issued(self, principal: Principal):
        self.issued = {}

    @event(ADMIN)
    def open_rename(self, principal: Principal, key: Key):
        self._clear_error()
        self.rename_key = key

    @event(ADMIN)
    def close_rename(self, principal: Principal):
        self.rename_key = ""
        self._clear_error()

    @event(ADMIN)
    def save_rename(self, principal: Principal, form: TableName):
        if self._act(principal, admin_tables.rename_table, self.rename_key, form.name):
            self.rename_key = ""

    @event(ADMIN)
    def clear_table(self, principal: Principal, key: Key):
        number = next((r["number"] for r in self.tables if r["key"] == key), "")
        cleared = self._act(principal, admin_tables.clear_table, key)
        if cleared is None:
            return
        if cleared is True:
            self.notice_ko, self.notice_en = f"{number}번 테이블을 정리했어요.", f"Table {number} was cleared."
        else:
            self.notice_ko = f"{number}번 테이블은 이미 비어 있어요."
            self.notice_en = f"Table {number} was already free."

    @event(ADMIN)
    def show_qr(self, principal: Principal, key: Key):
        link = table_links.table_links(principal, self.router.url.origin, key)[0]
        self.qr = {"number": str(link.number), "name": link.name, "url": link.url, "qr": link.qr,
                   "expires": link.expires_at.astimezone(get_settings().tz).strftime("%Y-%m-%d")}

    @event(ADMIN)
    def close_qr(self, principal: Principal):
        self.qr = {}

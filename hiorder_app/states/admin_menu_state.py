"""The store console's menu page. Handlers only pass the caller, resolved afresh from the token, to
services.admin_menu, which decides whether they may act."""

import asyncio
import logging
import time
from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..domain.events import MENU_CHANGED, RESYNC
from ..domain.menu_tags import ALLERGENS, MAX_SPICY
from ..services.events import live_hub
from ..services.principal import Principal
from ..services.store_admin import menu as admin_menu
from ..services.store_admin import options as admin_options
from ..settings import get_settings
from . import live_view, stock_edits
from .admin_options_state import AdminOptionsState
from .boundary import ADMIN, blocking, event, page
from .formatting import pick, won
from .inputs import CategoryEdit, CategoryNames, Choice, Choices, Flag, ItemForm, Key, RejectedFiles, Step, Text, first
from .session_state import SessionState

log = logging.getLogger(__name__)

KINDS = {"MAIN": ("메인", "Main"), "SIDE": ("사이드", "Side"), "DRINK": ("음료", "Drink")}
_TEXT_FIELDS = ("name_ko", "name_en", "description_ko", "description_en", "price", "stock", "sort_order")


class AdminMenuState(SessionState):
    categories: list[dict] = []
    items: list[dict] = []
    filter_key: str = "all"

    rename_key: str = ""  # category being edited (names, station)
    delete_key: str = ""  # category with items whose deletion is being confirmed
    move_target: str = ""  # where its items go first
    item_dialog_open: bool = False
    edit_key: str = ""  # "" while creating
    form: dict[str, str] = {}  # the dialog's starting text values
    form_kind: str = "MAIN"
    form_category: str = ""
    form_sold_out: bool = False
    form_once: bool = False
    form_active: bool = True
    form_allergens: list[str] = []  # codes of domain.menu_tags.ALLERGENS
    form_spicy: str = "0"
    form_vegetarian: bool = False
    # Bumped after a refused stock edit so the list's inputs redraw with the stored value.
    stock_rev: int = 0
    # Item key -> the count its stock box showed when the admin began editing it (see stock_edits); the
    # item dialog's stock field is in here too, under stock_edits.dialog_key(edit_key).
    stock_editing: dict[str, str] = {}

    # ---- loading ---------------------------------------------------------------------------------
    @page(ADMIN)
    def load(self, principal: Principal):
        self._clear_error()
        self.item_dialog_open, self.rename_key, self.delete_key = False, "", ""
        self._refresh(principal)

    def _refresh(self, principal: Principal) -> None:
        try:
            menu = admin_menu.list_menu(principal)
        except DomainError as exc:
            self.categories, self.items = [], []
            self._show_error(exc)
            return
        self._show_menu(menu)

    def _show_menu(self, menu: admin_menu.AdminMenu) -> None:
        self.categories = [asdict(c) | {"key": str(c.id)} for c in menu.categories]
        self.items = [asdict(i) | {"key": str(i.id), "category_key": str(i.category_id)} for i in menu.items]

    def _run(self, principal: Principal, action, *args) -> bool:
        """Call an admin service as this caller; show its refusal, or reload what changed."""
        try:
            action(principal, *args)
        except DomainError as exc:
            self._show_error(exc)
            return False
        self._clear_error()
        self._refresh(principal)
        return True

    @page(ADMIN, background=True)
    async def follow(self, principal: Principal):
        """Live counts while the menu page is open, as on the tablets: an order taking or giving back
        stock moves the item and option boxes (a box being edited keeps its count, see stock_edits);
        another console's edit reloads both lists. Started from on_load, so Reflex cancels it when the
        admin leaves; the session is checked again before anything is shown and at least every
        SESSION_CHECK_SECONDS."""
        queue = live_hub.hub.subscribe(principal.store_id)
        checked, failures = time.monotonic(), 0
        try:
            while True:
                events = await live_view.next_batch(queue, live_view.until_check(checked))
                reload = any(e.get("type") in (MENU_CHANGED, RESYNC) for e in events)
                stock: dict[str, int] = {}
                option_stock: dict[str, int] = {}
                for e in events:
                    stock |= e.get("payload", {}).get("stock_left") or {}
                    option_stock |= e.get("payload", {}).get("option_stock_left") or {}
                news = reload or bool(stock) or bool(option_stock)
                if not news and live_view.until_check(checked) > 0:
                    continue
                try:
                    if ended := await live_view.recheck(self):
                        if ended == live_view.LOST:
                            yield live_view.reload_page()
                        return
                    checked = time.monotonic()
                    if news:
                        await self._show_stock(principal, reload, stock, option_stock)
                    failures = live_view.recovered(log, "console menu", failures)
                except Exception as exc:
                    failures = live_view.failed(log, "console menu", failures, exc)
                    await asyncio.sleep(live_view.RETRY_SECONDS)
        finally:
            live_hub.hub.unsubscribe(principal.store_id, queue)

    async def _show_stock(self, principal: Principal, reload: bool, stock: dict[str, int],
                          option_stock: dict[str, int]) -> None:
        # Read outside the state lock and off the event loop; only the writes hold the lock.
        menu = await blocking(admin_menu.list_menu, principal) if reload else None
        groups = await blocking(admin_options.list_option_groups, principal) if reload else None
        async with self:
            options = await self.get_state(AdminOptionsState)
            if menu is not None:
                self._show_menu(menu)
                options._show(groups, menu)
                return
            if (items := stock_edits.applied(self.items, stock)) is not None:
                self.items = items
            options._apply_stock(option_stock)

    # ---- views -----------------------------------------------------------------------------------
    @rx.var
    def category_rows(self) -> list[dict]:
        en, last = self.lang == "en", len(self.categories) - 1
        rows = []
        for n, c in enumerate(self.categories):
            name = pick(self.lang, c["name_ko"], c["name_en"])
            rows.append({
                "key": c["key"], "name": name, "other": c["name_en"] if not en else c["name_ko"],
                "visible": c["visible"], "count": c["item_count"], "first": n == 0, "last": n == last,
                "up_label": f"Move {name} up" if en else f"{name} 위로",
                "down_label": f"Move {name} down" if en else f"{name} 아래로",
                "visible_label": f"Show {name} on tablets" if en else f"{name} 태블릿에 표시",
                "rename_label": f"Edit {name}" if en else f"{name} 수정",
                "station": c.get("station") or "",
                "delete_label": f"Delete {name}" if en else f"{name} 삭제",
            })
        return rows

    @rx.var
    def filter_options(self) -> list[dict]:
        return [{"key": "all", "name": "All" if self.lang == "en" else "전체"}] + [
            {"key": c["key"], "name": pick(self.lang, c["name_ko"], c["name_en"])} for c in self.categories]

    @rx.var
    def item_rows(self) -> list[dict]:
        en = self.lang == "en"
        cats = {c["key"]: pick(self.lang, c["name_ko"], c["name_en"]) for c in self.categories}
        rows = []
        for i in self.items:
            if self.filter_key != "all" and i["category_key"] != self.filter_key:
                continue
            name = pick(self.lang, i["name_ko"], i["name_en"])
            rows.append(stock_edits.box(self.stock_editing, i["key"], i["stock"], self.stock_rev, self.lang) | {
                "key": i["key"], "name": name, "other": i["name_en"] if not en else i["name_ko"],
                "image": i["image"], "category": cats.get(i["category_key"], ""), "kind": i["kind"],
                "kind_label": pick(self.lang, *KINDS.get(i["kind"], (i["kind"], i["kind"]))),
                "price": won(i["price"], self.lang),
                "sold_out": i["sold_out"], "active": i["active"], "once": i["once_per_table"], "ordered": i["ordered"],
                "sold_out_label": f"{name} sold out" if en else f"{name} 품절",
                "featured": i.get("featured", False),
                # Featured items stand in for the tablet's recommendations while order data is thin.
                "featured_label": (f"{name}: stop featuring" if en else f"{name} 추천 해제") if i.get("featured")
                else (f"Feature {name} on tablets" if en else f"{name} 추천 메뉴로 표시"),
                "stock_label": f"{name} stock" if en else f"{name} 재고",
                "edit_label": f"Edit {name}" if en else f"{name} 수정",
                "active_label": (f"Stop selling {name}" if en else f"{name} 판매 중지") if i["active"]
                else (f"Sell {name} again" if en else f"{name} 판매 재개"),
                "delete_label": f"Delete {name}" if en else f"{name} 삭제",
                "delete_confirm": f"Delete '{name}'? This cannot be undone." if en
                else f"'{name}'을(를) 삭제할까요? 되돌릴 수 없어요.",
            })
        return rows

    @rx.var
    def dialog_stock(self) -> dict[str, str]:
        """The item dialog's stock field, as a list box: the live count until the admin focuses it; then
        what it showed, with the live count beside it when orders moved it meanwhile."""
        if not self.edit_key:
            return {"stock": self.form.get("stock", ""), "stock_key": f"new-{self.stock_rev}", "stock_now": ""}
        live = next((i["stock"] for i in self.items if i["key"] == self.edit_key), None)
        return stock_edits.box(self.stock_editing, stock_edits.dialog_key(self.edit_key), live, self.stock_rev,
                               self.lang)

    @rx.var
    def category_choices(self) -> list[dict]:
        return [{"key": c["key"], "name": pick(self.lang, c["name_ko"], c["name_en"])} for c in self.categories]

    @rx.var
    def editing_image(self) -> str:
        found = next((i for i in self.items if i["key"] == self.edit_key), None)
        return found["image"] if found else ""

    @rx.var
    def rename_form(self) -> dict[str, str]:
        found = next((c for c in self.categories if c["key"] == self.rename_key), None)
        if found is None:
            return {"name_ko": "", "name_en": "", "station": ""}
        return {"name_ko": found["name_ko"], "name_en": found["name_en"], "station": found.get("station") or ""}

    @rx.var
    def delete_prompt(self) -> str:
        found = next((c for c in self.categories if c["key"] == self.delete_key), None)
        if found is None:
            return ""
        name = pick(self.lang, found["name_ko"], found["name_en"])
        return (f"'{name}' has {found['item_count']} item(s). Choose where they go; then the category is deleted."
                if self.lang == "en" else
                f"'{name}'에 메뉴가 {found['item_count']}개 있어요. 메뉴를 옮길 카테고리를 고르면 옮긴 뒤 삭제해요.")

    @rx.var
    def move_choices(self) -> list[dict]:
        return [c for c in self.category_choices if c["key"] != self.delete_key]

    @rx.var
    def allergen_options(self) -> list[dict]:
        chosen = set(self.form_allergens)
        return [{"code": code, "name": pick(self.lang, ko, en), "checked": code in chosen}
                for code, (ko, en) in ALLERGENS.items()]

    @rx.var
    def spicy_options(self) -> list[dict]:
        names = (("없음", "None"), ("순한 맛", "Mild"), ("보통", "Medium"), ("매운 맛", "Hot"))
        return [{"value": str(n), "name": f"{n} · {pick(self.lang, *names[n])}"} for n in range(MAX_SPICY + 1)]

    # ---- categories ------------------------------------------------------------------------------
    @event(ADMIN)
    def set_filter(self, principal: Principal, key: Choices):
        self.filter_key = first(key, "all")

    @event(ADMIN)
    def create_category(self, principal: Principal, form: CategoryNames):
        self._run(principal, admin_menu.create_category, form.name_ko, form.name_en)

    @event(ADMIN)
    def open_rename(self, principal: Principal, key: Key):
        self._clear_error()
        self.rename_key = key

    @event(ADMIN)
    def close_rename(self, principal: Principal):
        self.rename_key = ""
        self._clear_error()

    @event(ADMIN)
    def save_rename(self, principal: Principal, form: CategoryEdit):
        if self._run(principal, admin_menu.update_category, self.rename_key, form.name_ko, form.name_en,
                     form.station):
            self.rename_key = ""

    @event(ADMIN)
    def delete_category(self, principal: Principal, key: Key):
        """An empty category goes at once; for one with items, ask where they go first."""
        found = next((c for c in self.categories if c["key"] == key), None)
        if found is None or not found["item_count"]:
            self._run(principal, admin_menu.delete_category, key)
            return
        self._clear_error()
        self.delete_key = key
        others = [c["key"] for c in self.categories if c["key"] != key]
        self.move_target = others[0] if others else ""

    @event(ADMIN)
    def set_move_target(self, principal: Principal, key: Key):
        self.move_target = key

    @event(ADMIN)
    def close_delete(self, principal: Principal):
        self.delete_key = ""
        self._clear_error()

    @event(ADMIN)
    def confirm_delete(self, principal: Principal):
        """Move the items, then delete, in one transaction: the service refuses a target that is gone."""
        if self._run(principal, admin_menu.delete_category, self.delete_key, self.move_target or None):
            self.delete_key = ""

    @event(ADMIN)
    def move_category(self, principal: Principal, key: Key, step: Step):
        self._run(principal, admin_menu.move_category, key, step)

    @event(ADMIN)
    def set_category_visible(self, principal: Principal, key: Key, visible: Flag):
        self._run(principal, admin_menu.set_category_visible, key, visible)

    # ---- items in the list -----------------------------------------------------------------------
    @event(ADMIN)
    def set_sold_out(self, principal: Principal, key: Key, sold_out: Flag):
        self._run(principal, admin_menu.set_sold_out, key, sold_out)

    @event(ADMIN)
    def set_featured(self, principal: Principal, key: Key, featured: Flag):
        self._run(principal, admin_menu.set_featured, key, featured)

    @event(ADMIN)
    def begin_stock_edit(self, principal: Principal, key: Key):
        """The box got focus: live counts stop moving it until it is left."""
        current = next((i["stock"] for i in self.items if i["key"] == key), None)
        self.stock_editing = stock_edits.begin(self.stock_editing, key, current)

    @event(ADMIN)
    def save_stock(self, principal: Principal, key: Key, stock: Text):
        current = next((i["stock"] for i in self.items if i["key"] == key), None)
        self.stock_editing, seen = stock_edits.end(self.stock_editing, key, current)
        if stock.strip() == seen:
            return
        if not self._run(principal, admin_menu.set_stock, key, stock, seen):
            self._refresh(principal)  # the refusal may be "stock changed meanwhile": show the stored count
            self.stock_rev += 1

    @event(ADMIN)
    def set_active(self, principal: Principal, key: Key, active: Flag):
        self._run(principal, admin_menu.set_item_active, key, active)

    @event(ADMIN)
    def delete_item(self, principal: Principal, key: Key):
        self._run(principal, admin_menu.delete_item, key, rx.get_upload_dir())

    # ---- the item dialog -------------------------------------------------------------------------
    @event(ADMIN)
    def open_new_item(self, principal: Principal):
        self._clear_error()
        self.edit_key, self.form = "", {f: "" for f in _TEXT_FIELDS}
        keys = [c["key"] for c in self.categories]
        self.form_category = self.filter_key if self.filter_key in keys else (keys[0] if keys else "")
        self.form_kind, self.form_sold_out, self.form_once, self.form_active = "MAIN", False, False, True
        self.form_allergens, self.form_spicy, self.form_vegetarian = [], "0", False
        self.item_dialog_open = True

    @event(ADMIN)
    def open_edit_item(self, principal: Principal, key: Key):
        item = next((i for i in self.items if i["key"] == key), None)
        if item is None:
            return
        self._clear_error()
        self.edit_key = key
        self.stock_editing = stock_edits.without_dialog(self.stock_editing)
        self.form = {f: "" if item[f] is None else str(item[f]) for f in _TEXT_FIELDS}
        self.form_kind, self.form_category = item["kind"], item["category_key"]
        self.form_sold_out, self.form_once, self.form_active = item["sold_out"], item["once_per_table"], item["active"]
        self.form_allergens = list(item.get("allergens") or [])
        self.form_spicy, self.form_vegetarian = str(item.get("spicy_level") or 0), bool(item.get("vegetarian"))
        self.item_dialog_open = True

    @event(ADMIN)
    def close_item_dialog(self, principal: Principal):
        self.item_dialog_open = False
        self.stock_editing = stock_edits.without_dialog(self.stock_editing)
        self._clear_error()

    @event(ADMIN)
    def begin_dialog_stock_edit(self, principal: Principal):
        """The dialog's stock field got focus: live counts stop moving it (they show beside it)."""
        if self.edit_key:
            live = next((i["stock"] for i in self.items if i["key"] == self.edit_key), None)
            self.stock_editing = stock_edits.begin(self.stock_editing, stock_edits.dialog_key(self.edit_key), live)

    @event(ADMIN)
    def set_form_kind(self, principal: Principal, kind: Choice):
        self.form_kind = kind

    @event(ADMIN)
    def set_form_category(self, principal: Principal, key: Key):
        self.form_category = key

    @event(ADMIN)
    def set_form_sold_out(self, principal: Principal, value: Flag):
        self.form_sold_out = value

    @event(ADMIN)
    def set_form_once(self, principal: Principal, value: Flag):
        self.form_once = value

    @event(ADMIN)
    def set_form_active(self, principal: Principal, value: Flag):
        self.form_active = value

    @event(ADMIN)
    def toggle_allergen(self, principal: Principal, code: Choice, on: Flag):
        # Unknown codes are kept out here and refused by the service if they arrive another way.
        if code in ALLERGENS:
            chosen = set(self.form_allergens) - {code} | ({code} if on else set())
            self.form_allergens = [c for c in ALLERGENS if c in chosen]

    @event(ADMIN)
    def set_form_spicy(self, principal: Principal, level: Choice):
        self.form_spicy = level

    @event(ADMIN)
    def set_form_vegetarian(self, principal: Principal, value: Flag):
        self.form_vegetarian = value

    @event(ADMIN)
    def save_item(self, principal: Principal, form: ItemForm):
        values = {f: getattr(form, f) for f in _TEXT_FIELDS} | {
            "kind": self.form_kind, "category_id": self.form_category, "sold_out": self.form_sold_out,
            "once_per_table": self.form_once, "active": self.form_active, "allergens": self.form_allergens,
            "spicy_level": self.form_spicy, "vegetarian": self.form_vegetarian}
        if not self.edit_key:
            if self._run(principal, admin_menu.create_item, values):
                self.item_dialog_open = False
            return
        # Measured against what the stock field showed: the count it showed when the admin began typing in
        # it, else what the page showed (a count that reached this state but not the page yet is not what
        # the admin saw; with no page value, the live count here).
        key = stock_edits.dialog_key(self.edit_key)
        live = next((i["stock"] for i in self.items if i["key"] == self.edit_key), None)
        if key not in self.stock_editing and form.stock_seen.strip():
            live = form.stock_seen.strip()
        edits, seen = stock_edits.end(self.stock_editing, key, live)
        try:
            admin_menu.update_item(principal, self.edit_key, values, seen)
        except DomainError as exc:
            self._show_error(exc)
            if exc.code == "menu.stock_changed":
                # Orders moved the count since: the field shows the stored count again, and the next save
                # is measured against it. Any other refusal leaves what the admin typed in place.
                self._refresh(principal)
                self.stock_editing, self.stock_rev = edits, self.stock_rev + 1
            return
        self._clear_error()
        self._refresh(principal)
        self.stock_editing, self.item_dialog_open = edits, False

    @event(ADMIN)
    def photo_rejected(self, principal: Principal, rejected: RejectedFiles):
        """The browser's own check refused the file; say why in the store's words."""
        codes = {e.code for r in rejected for e in r.errors}
        limit = get_settings().max_image_bytes
        exc = (DomainError("menu.image_too_big", max_mb=f"{limit / 1024 / 1024:g}") if "file-too-large" in codes
               else DomainError("menu.image_type"))
        self._show_error(exc)

    @event(ADMIN)
    async def upload_image(self, principal: Principal, files: list[rx.UploadFile]):
        limit = get_settings().max_image_bytes
        # One byte past the limit is enough to refuse: a huge file is never read whole.
        data = await files[0].read(limit + 1) if files else b""
        await blocking(self._run, principal, admin_menu.set_item_image, self.edit_key, data, rx.get_upload_dir())

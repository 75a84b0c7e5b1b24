"""The store console's option groups (맵기, 사리 추가): their options, and which items ask them. Handlers
pass the caller to services.store_admin.options, which decides whether they may act."""

from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..services.principal import Principal
from ..services.store_admin import menu as admin_menu
from ..services.store_admin import options as admin_options
from . import stock_edits
from .boundary import ADMIN, event
from .formatting import pick, won
from .inputs import Flag, Key, OptionForm, OptionGroupForm, Text
from .session_state import SessionState


class AdminOptionsState(SessionState):
    groups: list[dict] = []
    items: list[dict] = []  # [{"key", "name_ko", "name_en"}], for attaching groups
    # Bumped after a refused stock edit so the inputs redraw with the stored counts.
    stock_rev: int = 0
    # Option key -> the count its stock box showed when the admin began editing it (see stock_edits).
    stock_editing: dict[str, str] = {}

    @event(ADMIN)
    def load(self, principal: Principal):
        self._refresh(principal)

    def _refresh(self, principal: Principal) -> None:
        self._show(admin_options.list_option_groups(principal), admin_menu.list_menu(principal))

    def _show(self, groups: list, menu: admin_menu.AdminMenu) -> None:
        self.groups = [asdict(g) | {"key": str(g.id)} for g in groups]
        self.items = [{"key": str(i.id), "name_ko": i.name_ko, "name_en": i.name_en} for i in menu.items]

    def _apply_stock(self, left: dict[str, int]) -> None:
        """Counts an order event carried (option id -> left), applied in place (AdminMenuState.follow)."""
        if not any(str(o["id"]) in left for g in self.groups for o in g["options"]):
            return
        self.groups = [g | {"options": stock_edits.applied(g["options"], left, lambda o: str(o["id"]))
                            or g["options"]} for g in self.groups]

    def _run(self, principal: Principal, action, *args) -> bool:
        try:
            action(principal, *args)
        except DomainError as exc:
            self._show_error(exc)
            return False
        self._clear_error()
        self._refresh(principal)
        return True

    @rx.var
    def group_cards(self) -> list[dict]:
        en = self.lang == "en"
        cards = []
        for g in self.groups:
            name = pick(self.lang, g["name_ko"], g["name_en"])
            lo, hi = g["min_select"], g["max_select"]
            asked = set(map(str, g["item_ids"]))
            cards.append({
                "key": g["key"], "name": name,
                "rule": (f"choose {lo} to {hi}" if en else f"{lo}~{hi}개 선택") if hi > 1 else (
                    ("required, one" if en else "필수 1개") if lo else ("optional, one" if en else "선택 1개")),
                "delete_label": f"Delete group {name}" if en else f"{name} 그룹 삭제",
                "options": [stock_edits.box(self.stock_editing, str(o["id"]), o.get("stock"), self.stock_rev,
                                            self.lang) | {
                    "key": str(o["id"]), "name": pick(self.lang, o["name_ko"], o["name_en"]),
                    "price": f"+{won(o['price_delta'], self.lang)}" if o["price_delta"] else "",
                    "sold_out": o["sold_out"],
                    "sold_out_label": (f"{pick(self.lang, o['name_ko'], o['name_en'])} sold out" if en
                                       else f"{o['name_ko']} 품절"),
                    "stock_label": (f"{pick(self.lang, o['name_ko'], o['name_en'])} stock" if en
                                    else f"{o['name_ko']} 재고"),
                    "delete_label": (f"Delete {pick(self.lang, o['name_ko'], o['name_en'])}" if en
                                     else f"{o['name_ko']} 삭제"),
                } for o in g["options"]],
                "items": [{"key": i["key"], "name": pick(self.lang, i["name_ko"], i["name_en"]),
                           "asked": i["key"] in asked,
                           "label": (f"{name} on {i['name_en'] or i['name_ko']}" if en
                                     else f"{i['name_ko']}에 {name}")} for i in self.items],
                "add_option_label": f"Add an option to {name}" if en else f"{name}에 옵션 추가",
            })
        return cards

    @event(ADMIN)
    def create_group(self, principal: Principal, form: OptionGroupForm):
        self._run(principal, admin_options.create_group, form.model_dump())

    @event(ADMIN)
    def delete_group(self, principal: Principal, key: Key):
        self._run(principal, admin_options.delete_group, key)

    @event(ADMIN)
    def create_option(self, principal: Principal, form: OptionForm):
        self._run(principal, admin_options.create_option, form.group_key, form.model_dump(exclude={"group_key"}))

    @event(ADMIN)
    def set_sold_out(self, principal: Principal, key: Key, sold_out: Flag):
        self._run(principal, admin_options.set_option_sold_out, key, sold_out)

    @event(ADMIN)
    def begin_stock_edit(self, principal: Principal, key: Key):
        """The box got focus: live counts stop moving it until it is left."""
        current = next((o.get("stock") for g in self.groups for o in g["options"] if str(o["id"]) == key), None)
        self.stock_editing = stock_edits.begin(self.stock_editing, key, current)

    @event(ADMIN)
    def save_option_stock(self, principal: Principal, key: Key, stock: Text):
        """Saved when the box is left; a count typed while orders took some is refused with the new one."""
        current = next((o.get("stock") for g in self.groups for o in g["options"] if str(o["id"]) == key), None)
        self.stock_editing, seen = stock_edits.end(self.stock_editing, key, current)
        if stock.strip() == seen:
            return
        if not self._run(principal, admin_options.set_option_stock, key, stock, seen):
            self._refresh(principal)
            self.stock_rev += 1

    @event(ADMIN)
    def delete_option(self, principal: Principal, key: Key):
        self._run(principal, admin_options.delete_option, key)

    @event(ADMIN)
    def attach(self, principal: Principal, group_key: Key, item_key: Key, asked: Flag):
        """Ask this group on this item (after the groups it already asks), or stop asking it."""
        def change(p: Principal) -> None:
            current = [str(g) for g in admin_options.item_group_ids(p, item_key)]
            wanted = [g for g in current if g != group_key] + ([group_key] if asked else [])
            admin_options.set_item_groups(p, item_key, wanted)
        self._run(principal, change)

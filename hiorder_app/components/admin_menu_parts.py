import reflex as rx

from ..states.admin_menu_state import AdminMenuState as S
from .admin_nav import visually_hidden_caption
from .i18n import error_callout, t
from .menu_image import menu_image_src
from .rename_dialog import rename_dialog

_KIND_COLORS = {"MAIN": "orange", "SIDE": "jade", "DRINK": "blue"}


# ---- categories ----------------------------------------------------------------------------------
def _category_row(c) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(c["name"], weight="medium"), rx.badge(c["count"].to_string(), variant="soft",
                                                                     color_scheme="gray", radius="full"),
                      rx.cond(c["station"] != "", rx.badge(c["station"], variant="outline", color_scheme="blue")),
                      align="center", spacing="2"),
            rx.cond(c["other"] != "", rx.text(c["other"], size="1", color_scheme="gray")),
            spacing="0",
            flex="1",
            min_width="0",
            opacity=rx.cond(c["visible"].to(bool), "1", "0.55"),
        ),
        rx.switch(checked=c["visible"].to(bool), on_change=lambda v: S.set_category_visible(c["key"], v),
                  aria_label=c["visible_label"], size="1"),
        rx.hstack(
            rx.icon_button(rx.icon("chevron-up"), on_click=S.move_category(c["key"], -1),
                           disabled=c["first"].to(bool), aria_label=c["up_label"], variant="ghost", size="1"),
            rx.icon_button(rx.icon("chevron-down"), on_click=S.move_category(c["key"], 1),
                           disabled=c["last"].to(bool), aria_label=c["down_label"], variant="ghost", size="1"),
            rx.icon_button(rx.icon("pencil"), on_click=S.open_rename(c["key"]), aria_label=c["rename_label"],
                           variant="ghost", size="1", color_scheme="gray"),
            rx.icon_button(rx.icon("trash-2"), on_click=S.delete_category(c["key"]), aria_label=c["delete_label"],
                           variant="ghost", size="1", color_scheme="red"),
            spacing="1",
        ),
        align="center",
        width="100%",
        padding="8px 4px",
        border_bottom="1px solid var(--gray-4)",
        role="listitem",
    )


def _rename_dialog() -> rx.Component:
    return rename_dialog(
        t("카테고리 수정", "Edit category"),
        [("rename_ko", "name_ko", t("카테고리 이름(한국어)", "Category name (Korean)"), S.rename_form["name_ko"]),
         ("rename_en", "name_en", t("카테고리 이름(영어)", "Category name (English)"), S.rename_form["name_en"]),
         ("rename_station", "station", t("스테이션 (예: 주방, 바 — 비워 두면 주방)",
                                         "Station (e.g. kitchen, bar — empty is the kitchen)"),
          S.rename_form["station"])],
        is_open=S.rename_key != "", on_save=S.save_rename, on_close=S.close_rename,
    )


def _delete_dialog() -> rx.Component:
    """Deleting a category that still has items: choose where they go, then they move and it goes."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("카테고리 삭제", "Delete category")),
            rx.alert_dialog.description(S.delete_prompt),
            rx.vstack(
                rx.el.label(t("메뉴를 옮길 카테고리", "Move the items to"), html_for="move_target"),
                rx.select.root(
                    rx.select.trigger(id="move_target", width="100%",
                                      aria_label=t("메뉴를 옮길 카테고리", "Move the items to")),
                    rx.select.content(rx.foreach(S.move_choices,
                                                 lambda c: rx.select.item(c["name"], value=c["key"]))),
                    value=S.move_target,
                    on_change=S.set_move_target,
                ),
                error_callout(),
                rx.hstack(
                    rx.button(t("취소", "Cancel"), variant="soft", color_scheme="gray", on_click=S.close_delete),
                    rx.button(t("옮기고 삭제", "Move and delete"), color_scheme="red", on_click=S.confirm_delete,
                              disabled=S.move_target == ""),
                    justify="end", spacing="2", width="100%",
                ),
                spacing="2",
                margin_top="12px",
            ),
            max_width="440px",
        ),
        open=S.delete_key != "",
        on_open_change=lambda _open: S.close_delete(),
    )


def category_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("카테고리", "Categories"), size="4", as_="h2"),
            rx.text(t("순서는 태블릿 탭 순서예요. 끄면 태블릿에서 숨겨져요.",
                      "The order is the tablet's tab order. Switch off to hide from tablets."),
                    size="1", color_scheme="gray"),
            rx.box(rx.foreach(S.category_rows, _category_row), width="100%", role="list",
                   aria_label=t("카테고리 목록", "Category list")),
            rx.form(
                rx.vstack(
                    rx.input(name="name_ko", placeholder=t("새 카테고리 (한국어)", "New category (Korean)"),
                             aria_label=t("새 카테고리 이름(한국어)", "New category name (Korean)"), width="100%"),
                    rx.input(name="name_en", placeholder=t("영어 이름 (선택)", "English name (optional)"),
                             aria_label=t("새 카테고리 이름(영어)", "New category name (English)"), width="100%"),
                    rx.button(rx.icon("plus", size=16), t("카테고리 추가", "Add category"), type="submit",
                              variant="soft", width="100%"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.create_category,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        _rename_dialog(),
        _delete_dialog(),
        width="100%",
    )


# ---- items ---------------------------------------------------------------------------------------
def _icon_action(icon: str, label, on_click, color: str = "orange") -> rx.Component:
    # No `size` on the button: that would resize the icon too.
    return rx.tooltip(rx.icon_button(rx.icon(icon, size=17), on_click=on_click, aria_label=label, variant="ghost",
                                     color_scheme=color, margin="0 2px"), content=label)


def _delete_button(i) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.icon_button(rx.icon("trash-2", size=17), aria_label=i["delete_label"],
                                               variant="ghost", color_scheme="red", margin="0 2px")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("메뉴 삭제", "Delete item")),
            rx.alert_dialog.description(i["delete_confirm"]),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("취소", "Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("삭제", "Delete"), color_scheme="red",
                                                 on_click=S.delete_item(i["key"]))),
                justify="end", spacing="2", margin_top="12px",
            ),
            max_width="420px",
        ),
    )


def _item_row(i) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.cond(
            i["image"] != "",
            rx.image(src=menu_image_src(i["image"]), alt="", width="56px", height="42px", object_fit="cover",
                     border_radius="var(--radius-2)"),
            rx.center(rx.icon("image", size=16, color="var(--gray-8)"), width="56px", height="42px",
                      background="var(--gray-3)", border_radius="var(--radius-2)"),
        )),
        rx.table.row_header_cell(rx.vstack(
            rx.text(i["name"], weight="medium"),
            rx.cond(i["other"] != "", rx.text(i["other"], size="1", color_scheme="gray")),
            spacing="0",
        )),
        rx.table.cell(rx.text(i["category"], size="2")),
        rx.table.cell(rx.badge(i["kind_label"], variant="soft",
                               color_scheme=rx.match(i["kind"], *_KIND_COLORS.items(), "gray"))),
        rx.table.cell(rx.text(i["price"], white_space="nowrap"), text_align="right"),
        rx.table.cell(rx.vstack(
            rx.input(default_value=i["stock"].to(str), key=i["stock_key"].to(str), placeholder=t("무제한", "Unlimited"),
                     aria_label=i["stock_label"], input_mode="numeric", on_focus=S.begin_stock_edit(i["key"]),
                     on_blur=lambda v: S.save_stock(i["key"], v), width="84px", size="1"),
            # Orders moved the count under the admin's typing: say so, the box keeps what they typed.
            rx.cond(i["stock_now"] != "", rx.text(i["stock_now"], size="1", color_scheme="amber", role="status")),
            spacing="1",
        )),
        rx.table.cell(rx.switch(checked=i["sold_out"].to(bool), on_change=lambda v: S.set_sold_out(i["key"], v),
                                aria_label=i["sold_out_label"], color_scheme="red")),
        rx.table.cell(rx.hstack(
            rx.cond(i["active"].to(bool), rx.badge(t("판매 중", "On sale"), color_scheme="green"),
                    rx.badge(t("판매 중지", "Off sale"), color_scheme="gray")),
            rx.cond(i["once"].to(bool), rx.badge(t("1회", "Once"), color_scheme="purple")),
            spacing="1", wrap="wrap",
        )),
        rx.table.cell(rx.hstack(
            _icon_action("pencil", i["edit_label"], S.open_edit_item(i["key"])),
            rx.cond(i["featured"].to(bool),
                    _icon_action("star", i["featured_label"], S.set_featured(i["key"], False), "amber"),
                    _icon_action("star-off", i["featured_label"], S.set_featured(i["key"], True), "gray")),
            rx.cond(i["active"].to(bool),
                    _icon_action("eye-off", i["active_label"], S.set_active(i["key"], False), "gray"),
                    _icon_action("eye", i["active_label"], S.set_active(i["key"], True), "gray")),
            rx.cond(i["ordered"].to(bool), rx.fragment(), _delete_button(i)),
            spacing="1",
        )),
        align="center",
        opacity=rx.cond(i["active"].to(bool), "1", "0.6"),
    )


def items_table() -> rx.Component:
    def head(ko: str, en: str, **props):
        return rx.table.column_header_cell(t(ko, en), **props)

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.segmented_control.root(
                    rx.foreach(S.filter_options, lambda o: rx.segmented_control.item(o["name"], value=o["key"])),
                    value=S.filter_key,
                    on_change=S.set_filter,
                    size="2",
                ),
                rx.text(t("재고는 칸을 벗어나면 저장돼요.", "Stock saves when you leave the box."), size="1",
                        color_scheme="gray"),
                justify="between", align="center", width="100%", wrap="wrap", gap="2",
            ),
            rx.table.root(
                visually_hidden_caption(t("메뉴 목록", "Menu items")),
                rx.table.header(rx.table.row(
                    head("사진", "Photo", width="72px"), head("메뉴", "Item"), head("카테고리", "Category"),
                    head("종류", "Kind"), head("가격", "Price", text_align="right"), head("재고", "Stock"),
                    head("품절", "Sold out"), head("상태", "Status"), head("관리", "Actions"),
                )),
                rx.table.body(rx.foreach(S.item_rows, _item_row)),
                width="100%",
                size="2",
            ),
            rx.cond(S.item_rows.length() == 0,
                    rx.center(rx.text(t("이 카테고리에는 메뉴가 없어요.", "No items in this category."),
                                      color_scheme="gray"), padding="24px", width="100%")),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )

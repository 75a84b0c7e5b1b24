"""The console's option groups panel: groups with their options (price, sold out), and the items asking each."""

import reflex as rx

from ..states.admin_options_state import AdminOptionsState as S
from .i18n import t


def _option(group_key, o) -> rx.Component:
    return rx.hstack(
        rx.text(o["name"], weight="medium"),
        rx.text(o["price"], size="2", color_scheme="gray"),
        rx.spacer(),
        rx.input(default_value=o["stock"].to(str), key=o["stock_key"].to(str), placeholder=t("무제한", "Unlimited"),
                 aria_label=o["stock_label"], input_mode="numeric", width="84px", size="1",
                 on_focus=S.begin_stock_edit(o["key"]), on_blur=lambda v: S.save_option_stock(o["key"], v)),
        rx.cond(o["stock_now"] != "", rx.text(o["stock_now"], size="1", color_scheme="amber", role="status")),
        rx.text(t("품절", "Sold out"), size="2"),
        rx.switch(checked=o["sold_out"].to(bool), on_change=lambda v: S.set_sold_out(o["key"], v),
                  aria_label=o["sold_out_label"], color_scheme="red"),
        rx.icon_button(rx.icon("trash-2", size=16), on_click=S.delete_option(o["key"]), aria_label=o["delete_label"],
                       variant="ghost", color_scheme="red"),
        width="100%",
        align="center",
        role="listitem",
    )


def _item_toggle(group_key, i) -> rx.Component:
    return rx.checkbox(i["name"], checked=i["asked"].to(bool), aria_label=i["label"],
                       on_change=lambda v: S.attach(group_key, i["key"], v))


def _group(g) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(g["name"], size="4", as_="h3"),
                rx.badge(g["rule"], color_scheme="gray"),
                rx.spacer(),
                rx.icon_button(rx.icon("trash-2", size=16), on_click=S.delete_group(g["key"]),
                               aria_label=g["delete_label"], variant="ghost", color_scheme="red"),
                width="100%",
                align="center",
            ),
            rx.vstack(rx.foreach(g["options"].to(list[dict]), lambda o: _option(g["key"], o)), width="100%",
                      role="list", spacing="1"),
            rx.form(
                rx.hstack(
                    # The form's handler cannot close over the loop's group, so the form carries it.
                    rx.el.input(type="hidden", name="group_key", value=g["key"]),
                    rx.input(name="name_ko", placeholder=t("옵션 (한국어)", "Option (Korean)"),
                             aria_label=t("옵션 이름(한국어)", "Option name (Korean)")),
                    rx.input(name="name_en", placeholder=t("영어 (선택)", "English (optional)"),
                             aria_label=t("옵션 이름(영어)", "Option name (English)")),
                    rx.input(name="price_delta", placeholder=t("추가 금액", "Extra price"), width="110px",
                             aria_label=t("추가 금액", "Extra price")),
                    rx.button(rx.icon("plus", size=16), type="submit", variant="soft",
                              aria_label=g["add_option_label"]),
                    wrap="wrap",
                    spacing="2",
                ),
                on_submit=S.create_option,
                reset_on_submit=True,
                width="100%",
            ),
            rx.text(t("이 옵션을 묻는 메뉴", "Items that ask it"), size="2", weight="bold"),
            rx.flex(rx.foreach(g["items"].to(list[dict]), lambda i: _item_toggle(g["key"], i)), wrap="wrap",
                    gap="3"),
            spacing="2",
            width="100%",
        ),
        role="region",
        aria_label=g["name"],
        width="100%",
    )


def option_groups_panel() -> rx.Component:
    return rx.vstack(
        rx.heading(t("옵션 그룹", "Option groups"), size="5", as_="h2"),
        rx.text(t("맵기, 사리 추가처럼 손님이 고르는 옵션이에요. 한 그룹을 여러 메뉴에 붙일 수 있어요. "
                  "옵션 재고는 비워 두면 무제한이고, 칸을 벗어나면 저장돼요.",
                  "Choices diners make, like spice level or extras. One group can serve many items. "
                  "An option's stock is unlimited when empty and saves when you leave the box."),
                size="2", color_scheme="gray"),
        rx.grid(rx.foreach(S.group_cards, _group), columns=rx.breakpoints(initial="1", lg="2"), spacing="3",
                width="100%"),
        rx.form(
            rx.hstack(
                rx.input(name="name_ko", placeholder=t("새 옵션 그룹 (한국어)", "New option group (Korean)"),
                         aria_label=t("새 옵션 그룹 이름(한국어)", "New option group name (Korean)")),
                rx.input(name="name_en", placeholder=t("영어 (선택)", "English (optional)"),
                         aria_label=t("새 옵션 그룹 이름(영어)", "New option group name (English)")),
                rx.input(name="min_select", default_value="0", width="80px",
                         aria_label=t("최소 선택", "Minimum choices")),
                rx.input(name="max_select", default_value="1", width="80px",
                         aria_label=t("최대 선택", "Maximum choices")),
                rx.button(rx.icon("plus", size=16), t("옵션 그룹 추가", "Add option group"), type="submit"),
                wrap="wrap",
                spacing="2",
                align="center",
            ),
            on_submit=S.create_group,
            reset_on_submit=True,
        ),
        on_mount=S.load,
        spacing="3",
        width="100%",
    )

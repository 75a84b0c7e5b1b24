import reflex as rx

from ..states.tablet_state import TabletState
from .i18n import error_callout, t
from .suggestions import goes_well_with


def _line(line) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(line["name"], weight="medium"),
            rx.cond(line["options"] != "", rx.text(line["options"], size="2")),
            rx.text(line["unit"], " · ", line["amount"], size="2", color_scheme="gray"),
            rx.cond(line["warning"] != "", rx.text(line["warning"], size="2", color_scheme="red", role="status")),
            spacing="0",
            flex="1",
        ),
        rx.hstack(
            rx.icon_button(rx.icon("minus"), on_click=TabletState.decrease(line["key"]), aria_label=line["less_label"],
                           size="3", variant="soft"),
            rx.text(line["qty"], size="4", weight="bold", min_width="24px", text_align="center"),
            rx.icon_button(rx.icon("plus"), on_click=TabletState.add(line["key"]), aria_label=line["more_label"],
                           size="3", variant="soft"),
            rx.icon_button(rx.icon("trash-2"), on_click=TabletState.remove(line["key"]),
                           aria_label=line["remove_label"], size="3", variant="ghost", color_scheme="red"),
            align="center",
        ),
        width="100%",
        align="center",
    )


def cart_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("장바구니", "Cart"), size="5"),
            rx.cond(
                TabletState.cart_count == 0,
                rx.text(t("메뉴를 골라 담아 주세요.", "Pick something from the menu."), color_scheme="gray"),
                rx.vstack(rx.foreach(TabletState.cart_lines, _line), width="100%", spacing="3"),
            ),
            goes_well_with(TabletState.cart_pairings),
            rx.cond(
                TabletState.cart_count > 0,
                rx.text_area(value=TabletState.note, on_change=TabletState.set_note, max_length=100, rows="2",
                             placeholder=t("요청 사항 (예: 덜 맵게 해 주세요)", "Requests (e.g. less spicy, please)"),
                             aria_label=t("요청 사항", "Requests"), width="100%"),
            ),
            rx.divider(),
            rx.hstack(
                rx.text(t("합계", "Total"), size="4"),
                rx.text(TabletState.cart_total, size="5", weight="bold", aria_label="cart total"),
                justify="between",
                width="100%",
            ),
            error_callout(),
            rx.button(
                t("주문하기", "Place order"),
                on_click=TabletState.place_order,
                disabled=TabletState.cart_count == 0,
                loading=TabletState.placing,
                size="4",
                width="100%",
                min_height="56px",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="region",
        aria_label="cart",
    )

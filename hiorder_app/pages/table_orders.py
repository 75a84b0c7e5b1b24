import reflex as rx

from ..components.i18n import error_callout, t
from ..components.tablet_header import tablet_header
from ..states.tablet_state import TabletState

_STATUS_COLORS = {"PENDING_PAYMENT": "amber", "PAID": "blue", "ACCEPTED": "orange", "SERVED": "green",
                  "CANCELLED": "gray", "EXPIRED": "gray"}


def _order_card(order) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(order["title"], size="4"),
                rx.badge(order["status_label"], size="3",
                         color_scheme=rx.match(order["status"], *_STATUS_COLORS.items(), "gray")),
                justify="between",
                width="100%",
            ),
            rx.text(order["time"], size="2", color_scheme="gray"),
            rx.foreach(order["lines"].to(list[str]), lambda line: rx.text(line)),
            rx.cond(order["note"] != "", rx.text(t("요청: ", "Request: "), order["note"], size="2", weight="medium")),
            rx.text(order["total"], weight="bold"),
            rx.cond(order["status"] == "PENDING_PAYMENT", _unpaid_actions(order)),
            spacing="2",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label=order["title"],
    )


def _unpaid_actions(order) -> rx.Component:
    """A checkout left unfinished: pay for this very order now, or give it up (its dishes go back on sale)."""
    return rx.vstack(
        rx.text(t("결제가 끝나지 않은 주문이에요. 결제하면 주방으로 전달돼요.",
                  "This order is not paid yet. Once paid, it goes to the kitchen."), size="2", color_scheme="amber"),
        rx.hstack(
            rx.button(t("결제하기", "Pay"), on_click=TabletState.pay_order(order["key"]), size="3",
                      aria_label=order["pay_label"]),
            rx.button(t("주문 취소", "Cancel order"), on_click=TabletState.cancel_order(order["key"]), size="3",
                      variant="soft", color_scheme="gray", aria_label=order["cancel_label"]),
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )


def table_orders_page() -> rx.Component:
    return rx.box(
        tablet_header("orders"),
        rx.vstack(
            rx.heading(t("우리 테이블 주문 내역", "Our table's orders"), size="6"),
            rx.cond(TabletState.paid_total_label != "",
                    rx.text(TabletState.paid_total_label, size="4", weight="bold", role="status")),
            rx.cond(TabletState.notice != "", rx.callout(TabletState.notice, icon="check", color_scheme="green")),
            error_callout(),
            rx.cond(
                TabletState.order_cards.length() == 0,
                rx.text(t("아직 주문이 없어요.", "No orders yet."), color_scheme="gray"),
                rx.vstack(rx.foreach(TabletState.order_cards, _order_card), width="100%", spacing="3"),
            ),
            spacing="4",
            padding="16px",
            max_width="720px",
            margin="0 auto",
        ),
        class_name="tablet-ui",
    )

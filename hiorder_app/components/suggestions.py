"""Recommended items with a one-tap add: "지금 인기 / Popular now" above the menu, "함께 주문하면 좋아요 /
Goes well with" in the cart and the item dialog."""

import reflex as rx

from ..states.tablet_state import TabletState
from .i18n import t


def _suggestion(item) -> rx.Component:
    return rx.hstack(
        rx.text(item["name"], weight="medium", on_click=TabletState.open_detail(item["key"]), cursor="pointer"),
        rx.text(item["price"], size="2", color_scheme="gray"),
        rx.icon_button(rx.icon("plus"), on_click=TabletState.add(item["key"]), aria_label=item["suggest_label"],
                       size="2", variant="soft", color_scheme="orange"),
        align="center",
        spacing="2",
        padding="4px 4px 4px 12px",
        border="1px solid var(--orange-6)",
        border_radius="999px",
    )


def suggestions(items, label_ko: str, label_en: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.vstack(
            rx.heading(t(label_ko, label_en), size="3"),
            rx.hstack(rx.foreach(items, _suggestion), wrap="wrap", spacing="2"),
            role="region",
            aria_label=t(label_ko, label_en),
            width="100%",
            spacing="2",
        ),
    )


def popular_now() -> rx.Component:
    return suggestions(TabletState.recommended, "지금 인기", "Popular now")


def goes_well_with(items) -> rx.Component:
    return suggestions(items, "함께 주문하면 좋아요", "Goes well with")

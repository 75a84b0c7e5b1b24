import reflex as rx

from ..states.tablet_state import TabletState
from .i18n import t
from .menu_image import menu_image_src


def _badges(item) -> rx.Component:
    return rx.hstack(
        rx.cond(item["popular"], rx.badge(t("인기", "Popular"), color_scheme="orange")),
        rx.cond(item["once"], rx.badge(t("이벤트 · 1회", "Event · once"), color_scheme="purple")),
        rx.cond(item["sold_out"], rx.badge(t("품절", "Sold out"), color_scheme="red", variant="solid")),
        rx.cond(item["left_label"] != "", rx.badge(item["left_label"], color_scheme="amber")),
        rx.cond(item["spicy"] != "", rx.badge(item["spicy"], color_scheme="red", variant="soft",
                                              aria_label=item["spicy_label"])),
        rx.cond(item["vegetarian"], rx.badge(t("채식", "Vegetarian"), color_scheme="green")),
        spacing="1",
        wrap="wrap",
        min_height="22px",
    )


def menu_card(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.button(
                rx.image(src=menu_image_src(item["image"]), alt=item["name"], width="100%", height="150px",
                         object_fit="cover", border_radius="8px", opacity=rx.cond(item["sold_out"], "0.45", "1")),
                on_click=TabletState.open_detail(item["key"]),
                aria_label=item["detail_label"],
                variant="ghost",
                padding="0",
                height="auto",
                width="100%",
                margin="0",
            ),
            _badges(item),
            rx.text(item["name"], weight="bold", size="4"),
            rx.flex(
                rx.text(item["price"], size="4", color_scheme="orange", weight="medium", white_space="nowrap"),
                rx.button(
                    rx.icon("plus"),
                    rx.cond(item["in_cart"].to(int) > 0, item["in_cart"].to(str), t("담기", "Add")),
                    on_click=TabletState.add(item["key"]),
                    disabled=item["sold_out"],
                    aria_label=item["add_label"],
                    size="3",
                    min_height="48px",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                justify="between",
                align=rx.breakpoints(initial="stretch", sm="center"),
                gap="2",
                width="100%",
            ),
            spacing="2",
        ),
        width="100%",
    )

import reflex as rx

from ..states.tablet_state import TabletState
from .i18n import t
from .menu_image import menu_image_src
from .suggestions import goes_well_with


def _option(option) -> rx.Component:
    return rx.checkbox(
        option["label"].to(str),
        checked=option["checked"].to(bool),
        disabled=option["sold_out"].to(bool),
        on_change=lambda _checked: TabletState.choose(option["group"].to(str), option["key"].to(str)),
        size="3",
        min_height="44px",
    )


def _group(group) -> rx.Component:
    """One question (맵기: choose one; 사리 추가: up to 3), answered by ticking its options."""
    return rx.vstack(
        rx.hstack(
            rx.text(group["name"].to(str), weight="bold", size="4"),
            rx.badge(group["rule"].to(str), color_scheme=rx.cond(group["missing"].to(bool), "red", "gray")),
            align="center",
        ),
        rx.flex(rx.foreach(group["options"].to(list[dict]), _option), wrap="wrap", gap="3"),
        role="group",
        aria_label=group["name"].to(str),
        spacing="1",
        width="100%",
    )


def item_detail() -> rx.Component:
    item = TabletState.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.image(src=menu_image_src(item["image"]), alt=item["name"].to(str), width="100%",
                         border_radius="10px"),
                rx.dialog.title(item["name"].to(str)),
                rx.dialog.description(item["description"].to(str)),
                rx.cond(item["allergens"].to(str) != "",
                        rx.text(t("알레르기 유발 성분: ", "Allergens: "), item["allergens"].to(str), size="2",
                                color_scheme="gray")),
                rx.text(item["price"].to(str), size="5", weight="bold", color_scheme="orange"),
                rx.foreach(TabletState.detail_groups, _group),
                goes_well_with(TabletState.detail_pairings),
                rx.hstack(
                    rx.dialog.close(rx.button(t("닫기", "Close"), variant="soft", size="3",
                                              on_click=TabletState.close_detail)),
                    rx.button(
                        t("장바구니에 담기", "Add to cart"),
                        size="3",
                        # A required group must be answered first.
                        disabled=item["sold_out"].to(bool) | ~TabletState.detail_ready,
                        on_click=TabletState.add_detail,
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
            ),
            max_width="480px",
            class_name="tablet-ui",
        ),
        open=TabletState.detail_id != "",
        on_open_change=lambda _open: TabletState.close_detail(),
    )

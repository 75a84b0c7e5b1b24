import reflex as rx

from ..states.tablet_state import TabletState
from .i18n import t
from .menu_image import menu_image_src


def item_detail() -> rx.Component:
    item = TabletState.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.image(src=menu_image_src(item["image"]), alt=item["name"].to(str), width="100%",
                         border_radius="10px"),
                rx.dialog.title(item["name"].to(str)),
                rx.dialog.description(item["description"].to(str)),
                rx.text(item["price"].to(str), size="5", weight="bold", color_scheme="orange"),
                rx.hstack(
                    rx.dialog.close(rx.button(t("닫기", "Close"), variant="soft", size="3",
                                              on_click=TabletState.close_detail)),
                    rx.button(
                        t("장바구니에 담기", "Add to cart"),
                        size="3",
                        disabled=item["sold_out"].to(bool),
                        on_click=[TabletState.add(item["key"].to(str)), TabletState.close_detail],
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
            ),
            max_width="480px",
        ),
        open=TabletState.detail_id != "",
        on_open_change=lambda _open: TabletState.close_detail(),
    )

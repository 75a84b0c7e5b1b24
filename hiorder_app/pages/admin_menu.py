import reflex as rx

from ..components.admin_item_dialog import item_dialog
from ..components.admin_menu_parts import category_panel, items_table
from ..components.admin_nav import admin_shell
from ..components.admin_option_groups import option_groups_panel
from ..components.i18n import error_callout, t
from ..states.admin_menu_state import AdminMenuState


def admin_menu_page() -> rx.Component:
    return admin_shell(
        "menu",
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(t("메뉴 관리", "Menu"), size="6"),
                    rx.text(t("바꾼 내용은 손님 태블릿에 바로 반영돼요.",
                              "Changes reach the guests' tablets right away."),
                            color_scheme="gray", size="2"),
                    spacing="1",
                ),
                rx.button(rx.icon("plus", size=16), t("메뉴 추가", "Add item"), on_click=AdminMenuState.open_new_item,
                          size="3"),
                justify="between",
                align="end",
                width="100%",
            ),
            # In a dialog the dialog shows the message itself.
            rx.cond((AdminMenuState.item_dialog_open == False) & (AdminMenuState.rename_key == "")  # noqa: E712
                    & (AdminMenuState.delete_key == ""), error_callout()),
            rx.grid(
                category_panel(),
                items_table(),
                columns=rx.breakpoints(initial="1", md="300px 1fr"),
                spacing="4",
                width="100%",
                align_items="start",
            ),
            option_groups_panel(),
            spacing="4",
            width="100%",
        ),
        item_dialog(),
        max_width="1400px",
    )

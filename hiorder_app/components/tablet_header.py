import reflex as rx

from ..states.tablet_state import TabletState
from .i18n import lang_toggle, t
from .tablet_sign_out import tablet_sign_out


def tablet_header(current: str) -> rx.Component:
    def nav(href: str, ko: str, en: str, key: str):
        return rx.link(
            rx.button(t(ko, en), size="3", variant=rx.cond(current == key, "solid", "outline")),
            href=href,
        )

    return rx.hstack(
        rx.hstack(
            rx.image(src="/logo.png", height="40px", alt="HiOrder"),
            rx.vstack(
                rx.heading(TabletState.store_name, size="5"),
                rx.text(t("테이블 ", "Table ") + TabletState.table_number.to_string(), size="2", color_scheme="gray"),
                spacing="0",
            ),
            align="center",
        ),
        rx.hstack(
            nav("/", "메뉴", "Menu", "menu"),
            nav("/orders", "주문 내역", "Our orders", "orders"),
            rx.button(
                rx.icon("bell-ring"),
                rx.cond(TabletState.staff_called, t("직원 호출됨", "Staff called"), t("직원 호출", "Call staff")),
                on_click=TabletState.call_staff,
                color_scheme=rx.cond(TabletState.staff_called, "green", "amber"),
                variant="soft",
                size="3",
            ),
            lang_toggle(),
            tablet_sign_out(),
            spacing="2",
            wrap="wrap",
            justify="end",
        ),
        justify="between",
        align="center",
        width="100%",
        padding="12px 16px",
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
        wrap="wrap",
    )

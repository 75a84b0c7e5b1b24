import reflex as rx

from ..states.session_state import SessionState
from ..states.tablet_sign_out_state import TabletSignOutState
from ..states.tablet_state import TabletState
from .i18n import lang_toggle, t
from .tablet_sign_out import tablet_sign_out_dialog

# What shows only from a tablet's width up; on a phone the header keeps to one row.
_WIDE_ONLY = rx.breakpoints(initial="none", sm="flex")


def _more_menu() -> rx.Component:
    """Staff actions, and on a phone the language, behind one button: a diner never sees "직원용 로그아웃"
    as a bare button."""
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("ellipsis-vertical"), variant="soft", color_scheme="gray", size="3",
                                       aria_label=t("더보기", "More"))),
        rx.menu.content(
            rx.menu.item(rx.cond(SessionState.lang == "en", "한국어로 보기", "Show in English"),
                         on_select=SessionState.toggle_lang, display=rx.breakpoints(initial="flex", sm="none")),
            rx.menu.item(t("직원용 로그아웃", "Staff sign-out"), on_select=TabletSignOutState.open_dialog),
            class_name="tablet-ui",
        ),
    )


def tablet_header(current: str) -> rx.Component:
    def nav(href: str, ko: str, en: str, key: str):
        return rx.link(
            rx.button(t(ko, en), size="3", variant=rx.cond(current == key, "solid", "outline")),
            href=href,
        )

    called = TabletState.staff_called
    return rx.hstack(
        rx.hstack(
            rx.image(src="/logo.png", height="40px", alt="HiOrder", display=_WIDE_ONLY),
            rx.vstack(
                rx.heading(TabletState.store_name, size="5", class_name="one-line"),
                rx.text(t("테이블 ", "Table ") + TabletState.table_number.to_string(), size="2", color_scheme="gray",
                        white_space="nowrap"),
                spacing="0",
                min_width="0",
            ),
            align="center",
            min_width="0",
            flex="1",
        ),
        rx.hstack(
            nav("/", "메뉴", "Menu", "menu"),
            nav("/orders", "주문 내역", "Our orders", "orders"),
            rx.button(
                rx.icon("bell-ring"),
                # On a phone the bell alone (its name stays in the label).
                rx.text(rx.cond(called, t("직원 호출됨", "Staff called"), t("직원 호출", "Call staff")),
                        display=_WIDE_ONLY, as_="span"),
                on_click=TabletState.call_staff,
                color_scheme=rx.cond(called, "green", "amber"),
                variant="soft",
                size="3",
                aria_label=rx.cond(called, t("직원 호출됨", "Staff called"), t("직원 호출", "Call staff")),
            ),
            rx.box(lang_toggle(), display=_WIDE_ONLY),
            _more_menu(),
            spacing="2",
            justify="end",
            align="center",
            flex_shrink="0",
        ),
        tablet_sign_out_dialog(),
        justify="between",
        align="center",
        width="100%",
        padding=rx.breakpoints(initial="8px 12px", sm="12px 16px"),
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
        spacing="2",
        role="banner",
    )

import reflex as rx

from ..states.session_state import SessionState
from .i18n import lang_toggle, t

# (key, href, ko, en, icon)
_LINKS = [
    ("dashboard", "/admin", "대시보드", "Dashboard", "layout-dashboard"),
    ("board", "/admin/board", "주문 현황", "Orders", "clipboard-list"),
    ("history", "/admin/history", "주문 내역", "History", "history"),
    ("menu", "/admin/menu", "메뉴 관리", "Menu", "utensils"),
    ("tables", "/admin/tables", "테이블", "Tables", "armchair"),
]


def _link(current: str, key: str, href: str, ko: str, en: str, icon: str) -> rx.Component:
    active = current == key
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(t(ko, en), size="3", weight="medium"), spacing="2", align="center"),
        href=href,
        underline="none",
        color=f"var(--{'orange-11' if active else 'gray-11'})",
        background=f"var(--{'orange-3' if active else 'transparent'})",
        padding="6px 12px",
        border_radius="var(--radius-3)",
        _hover={"background": "var(--gray-3)"},
        **({"aria_current": "page"} if active else {}),
    )


def admin_nav(current: str) -> rx.Component:
    """The one header of every store console page."""
    return rx.el.header(
        rx.hstack(
            rx.hstack(
                rx.image(src="/logo.png", height="32px", alt="HiOrder"),
                rx.heading(t("매장 관리", "Store console"), size="5"),
                align="center",
                spacing="3",
            ),
            rx.el.nav(
                rx.hstack(*[_link(current, *link) for link in _LINKS], spacing="1", wrap="wrap"),
                aria_label=rx.cond(SessionState.lang == "en", "Store console", "매장 관리 메뉴"),
            ),
            rx.hstack(
                lang_toggle(),
                rx.button(t("로그아웃", "Sign out"), on_click=SessionState.sign_out, variant="soft",
                          color_scheme="gray", size="3"),
                spacing="2",
            ),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
            gap="3",
        ),
        class_name="no-print",
        padding="10px 20px",
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
    )


def admin_shell(current: str, *children, max_width: str = "1200px") -> rx.Component:
    """Header plus the page body; the body renders only once the server has confirmed an admin."""
    return rx.box(
        admin_nav(current),
        rx.cond(
            SessionState.is_admin,
            rx.box(*children, padding="20px", max_width=max_width, margin="0 auto"),
            rx.center(rx.spinner(size="3"), padding="64px"),
        ),
        min_height="100vh",
        background="var(--gray-2)",
        class_name="admin-shell",
    )


def visually_hidden_caption(text) -> rx.Component:
    """A table's accessible name for screen readers, without a visible caption."""
    return rx.el.caption(text, style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                                      "clip": "rect(0 0 0 0)", "whiteSpace": "nowrap"})

import reflex as rx

from ..components.i18n import error_callout, lang_toggle, t
from ..states.table_link_state import TableLinkState


def table_link_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.image(src="/logo.png", height="40px", alt="HiOrder"), lang_toggle(),
                          justify="between", width="100%", align="center"),
                rx.cond(
                    TableLinkState.error == "",
                    rx.hstack(rx.spinner(size="3"),
                              rx.text(t("테이블로 로그인하는 중…", "Signing in as the table…"), size="4"),
                              align="center", spacing="3"),
                    rx.vstack(
                        rx.heading(t("QR 로그인 실패", "QR sign-in failed"), size="6"),
                        error_callout(),
                        rx.link(rx.button(t("로그인 화면으로", "Go to sign-in"), size="3"), href="/login"),
                        spacing="3",
                        width="100%",
                    ),
                ),
                spacing="5",
                width="100%",
            ),
            width="min(440px, 92vw)",
            padding="28px",
        ),
        min_height="100vh",
        background="var(--orange-2)",
    )

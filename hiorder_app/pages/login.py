import reflex as rx

from ..components.i18n import error_callout, lang_toggle, t
from ..states.login_state import LoginState


def _field(name: str, ko: str, en: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(ko, en), html_for=name, style={"fontWeight": 500}),
        rx.input(id=name, name=name, size="3", width="100%", required=True, **props),
        spacing="1",
        width="100%",
    )


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(rx.image(src="/logo.png", height="48px", alt="HiOrder"), lang_toggle(),
                              justify="between", width="100%", align="center"),
                    rx.heading(t("로그인", "Sign in"), size="7"),
                    rx.text(t("테이블 태블릿과 매장 관리자 모두 여기서 로그인해요.",
                              "Table tablets and store admins both sign in here."), color_scheme="gray"),
                    _field("store", "매장 코드", "Store code", placeholder="demo", auto_capitalize="none"),
                    _field("username", "아이디", "Username", placeholder="table1", auto_capitalize="none"),
                    _field("password", "비밀번호", "Password", type="password"),
                    error_callout(),
                    rx.button(t("로그인", "Sign in"), type="submit", size="4", width="100%"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=LoginState.submit,
                reset_on_submit=False,
            ),
            width="min(440px, 92vw)",
            padding="28px",
        ),
        min_height="100vh",
        background="var(--orange-2)",
    )

import reflex as rx

from ..states.session_state import SessionState


def t(ko: str, en: str):
    """A text in the diner's chosen language (Korean by default)."""
    return rx.cond(SessionState.lang == "en", en, ko)


def lang_toggle() -> rx.Component:
    return rx.button(
        rx.cond(SessionState.lang == "en", "한국어", "English"),
        on_click=SessionState.toggle_lang,
        variant="soft",
        size="3",
        aria_label=rx.cond(SessionState.lang == "en", "한국어로 보기", "Show in English"),
    )


def error_callout() -> rx.Component:
    return rx.cond(
        SessionState.error != "",
        rx.callout(SessionState.error, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )

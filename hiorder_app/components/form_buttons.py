import reflex as rx

from .i18n import t


def form_buttons(on_cancel, submit_ko: str = "저장", submit_en: str = "Save", **submit_props) -> rx.Component:
    """A dialog form's footer: Cancel (closes without submitting) and the submit button."""
    return rx.hstack(
        rx.button(t("취소", "Cancel"), type="button", variant="soft", color_scheme="gray", on_click=on_cancel),
        rx.button(t(submit_ko, submit_en), type="submit", **submit_props),
        justify="end",
        width="100%",
    )

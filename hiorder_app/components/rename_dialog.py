import reflex as rx

from .form_buttons import form_buttons
from .i18n import error_callout


def rename_dialog(title, fields: list[tuple[str, str, object, object]], is_open, on_save, on_close) -> rx.Component:
    """A small form in a dialog: one labelled input per (id, name, label, current value), Cancel and Save."""
    inputs = []
    for field_id, name, label, value in fields:
        inputs += [rx.el.label(label, html_for=field_id),
                   rx.input(id=field_id, name=name, default_value=value, width="100%")]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    *inputs,
                    error_callout(),
                    form_buttons(on_close),
                    spacing="2",
                ),
                on_submit=on_save,
                reset_on_submit=False,
            ),
            max_width="420px",
        ),
        open=is_open,
        on_open_change=lambda _open: on_close(),
    )

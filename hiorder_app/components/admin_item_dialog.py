import reflex as rx

from ..settings import get_settings
from ..states.admin_menu_state import AdminMenuState as S
from .form_buttons import form_buttons
from .i18n import error_callout, t
from .menu_image import menu_image_src

PHOTO_UPLOAD_ID = "item_photo"
_ACCEPT = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]}


def field(id_: str, ko: str, en: str, control: rx.Component, hint=None) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(ko, en), html_for=id_, style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
        control,
        *([rx.text(hint, size="1", color_scheme="gray")] if hint is not None else []),
        spacing="1",
        width="100%",
    )


def _input(name: str, **props) -> rx.Component:
    return rx.input(id=f"item_{name}", name=name, default_value=S.form[name], width="100%", size="2", **props)


def _stock_input() -> rx.Component:
    """Follows the live count (orders take stock while the dialog is open) until the admin focuses it;
    then it keeps what it showed, and the live count shows beside it."""
    box = S.dialog_stock
    return rx.vstack(
        rx.input(id="item_stock", name="stock", default_value=box["stock"], key=box["stock_key"], width="100%",
                 size="2", input_mode="numeric", placeholder=t("무제한", "Unlimited"),
                 on_focus=S.begin_dialog_stock_edit),
        # What this browser shows, sent with the save: the live count may have reached the server but not
        # the page yet, and an untouched field must not be read as the admin typing the older count.
        rx.el.input(type="hidden", name="stock_seen", value=box["stock"]),
        rx.cond(box["stock_now"] != "", rx.text(box["stock_now"], size="1", color_scheme="amber", role="status")),
        spacing="1",
        width="100%",
    )


def _text_area(name: str) -> rx.Component:
    return rx.text_area(id=f"item_{name}", name=name, default_value=S.form[name], rows="3", width="100%",
                        resize="vertical")


def _switch(ko: str, en: str, checked, on_change) -> rx.Component:
    return rx.el.label(
        rx.hstack(rx.switch(checked=checked, on_change=on_change, aria_label=t(ko, en)), rx.text(t(ko, en), size="2"),
                  align="center", spacing="2"),
        cursor="pointer",
    )


def _select(id_: str, value, on_change, options, label) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=id_, width="100%", aria_label=label),
        rx.select.content(*options),
        value=value,
        on_change=on_change,
    )


def _photo() -> rx.Component:
    """Only for a saved item: the photo is stored against its id."""
    return rx.cond(
        S.edit_key != "",
        rx.hstack(
            rx.cond(
                S.editing_image != "",
                rx.image(src=menu_image_src(S.editing_image), alt=t("현재 사진", "Current photo"), width="96px",
                         height="72px", object_fit="cover", border_radius="var(--radius-3)"),
                rx.center(rx.icon("image", color="var(--gray-8)"), width="96px", height="72px",
                          background="var(--gray-3)", border_radius="var(--radius-3)"),
            ),
            rx.upload.root(
                rx.button(rx.icon("image-up", size=16), t("사진 올리기", "Upload photo"), type="button",
                          variant="soft", size="2"),
                id=PHOTO_UPLOAD_ID,
                accept=_ACCEPT,
                max_files=1,
                multiple=False,
                max_size=get_settings().max_image_bytes,
                on_drop=S.upload_image(rx.upload_files(upload_id=PHOTO_UPLOAD_ID)),
                on_drop_rejected=S.photo_rejected,
            ),
            rx.text(t(f"PNG·JPEG·WebP, {get_settings().max_image_bytes // (1024 * 1024)}MB 이하",
                      f"PNG, JPEG or WebP, up to {get_settings().max_image_bytes // (1024 * 1024)} MB"),
                    size="1", color_scheme="gray"),
            align="center",
            spacing="3",
            width="100%",
        ),
        rx.text(t("사진은 메뉴를 저장한 뒤 올릴 수 있어요.", "Add a photo after saving the item."), size="2",
                color_scheme="gray"),
    )


def _tags() -> rx.Component:
    """Allergens (the 19 of Korean food labelling), spicy level and vegetarian: what the tablet shows and
    what a diner's allergen filter hides by."""
    return rx.vstack(
        rx.el.fieldset(
            rx.el.legend(t("알레르기 유발 성분", "Allergens"),
                         style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
            rx.grid(
                rx.foreach(S.allergen_options, lambda a: rx.checkbox(
                    a["name"], checked=a["checked"].to(bool), size="2",
                    on_change=lambda v: S.toggle_allergen(a["code"].to(str), v))),
                columns=rx.breakpoints(initial="2", sm="4"), spacing="2", width="100%", margin_top="6px",
            ),
            style={"border": "none", "padding": 0, "margin": 0},
            role="group",
            aria_label=t("알레르기 유발 성분", "Allergens"),
        ),
        rx.hstack(
            field("item_spicy", "맵기", "Spicy level",
                  _select("item_spicy", S.form_spicy, S.set_form_spicy,
                          [rx.foreach(S.spicy_options, lambda o: rx.select.item(o["name"], value=o["value"]))],
                          t("맵기", "Spicy level"))),
            rx.box(_switch("채식", "Vegetarian", S.form_vegetarian, S.set_form_vegetarian), padding_top="22px"),
            spacing="5",
            align="start",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def item_dialog() -> rx.Component:
    kinds = [rx.select.item(t("메인", "Main"), value="MAIN"), rx.select.item(t("사이드", "Side"), value="SIDE"),
             rx.select.item(t("음료", "Drink"), value="DRINK")]
    categories = [rx.foreach(S.category_choices, lambda c: rx.select.item(c["name"], value=c["key"]))]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.edit_key == "", t("메뉴 추가", "New menu item"),
                                    t("메뉴 수정", "Edit menu item"))),
            rx.dialog.description(t("손님 태블릿에 보이는 그대로 적어 주세요.",
                                    "Write it as guests should read it on the tablet."),
                                  size="2", color_scheme="gray", margin_bottom="12px"),
            _photo(),
            rx.form(
                rx.vstack(
                    rx.grid(
                        field("item_name_ko", "이름(한국어)", "Name (Korean)", _input("name_ko", required=True)),
                        field("item_name_en", "이름(영어)", "Name (English)", _input("name_en")),
                        field("item_description_ko", "설명(한국어)", "Description (Korean)",
                              _text_area("description_ko")),
                        field("item_description_en", "설명(영어)", "Description (English)",
                              _text_area("description_en")),
                        field("item_kind", "종류", "Kind", _select("item_kind", S.form_kind, S.set_form_kind, kinds,
                                                                 t("종류", "Kind"))),
                        field("item_category", "카테고리", "Category",
                              _select("item_category", S.form_category, S.set_form_category, categories,
                                      t("카테고리", "Category"))),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.grid(
                        field("item_price", "가격(원)", "Price (won)", _input("price", input_mode="numeric")),
                        field("item_stock", "재고", "Stock", _stock_input(),
                              hint=t("비워 두면 무제한", "Empty means unlimited")),
                        field("item_sort_order", "정렬 순서", "Sort order", _input("sort_order", input_mode="numeric"),
                              hint=t("작을수록 앞에 보여요", "Lower comes first")),
                        columns="3",
                        spacing="3",
                        width="100%",
                    ),
                    rx.hstack(
                        _switch("판매 중", "On sale", S.form_active, S.set_form_active),
                        _switch("품절", "Sold out", S.form_sold_out, S.set_form_sold_out),
                        _switch("테이블당 1회(이벤트)", "Once per table (event)", S.form_once, S.set_form_once),
                        spacing="5",
                        wrap="wrap",
                    ),
                    _tags(),
                    error_callout(),
                    form_buttons(S.close_item_dialog),
                    spacing="4",
                    margin_top="16px",
                ),
                on_submit=S.save_item,
                reset_on_submit=False,
            ),
            max_width="680px",
        ),
        open=S.item_dialog_open,
        on_open_change=lambda _open: S.close_item_dialog(),
    )

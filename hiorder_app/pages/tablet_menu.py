import reflex as rx

from ..components.cart_panel import cart_panel
from ..components.i18n import t
from ..components.item_detail import item_detail
from ..components.menu_card import menu_card
from ..components.suggestions import popular_now
from ..components.tablet_header import tablet_header
from ..states.tablet_state import TabletState


def _scroll_button(edge: str, icon: str, ko: str, en: str, by: int) -> rx.Component:
    """Shown (tablet.css) only while more tabs hide past this edge; a tap scrolls them into view."""
    return rx.box(
        rx.icon_button(rx.icon(icon), variant="ghost", size="3", aria_label=t(ko, en),
                       on_click=rx.call_script(f"document.querySelector('#category-tabs [role=tablist]')"
                                               f".scrollBy({{left: {by}, behavior: 'smooth'}})")),
        class_name=f"scroll-hint-button scroll-hint-{edge}",
    )


def _category_tabs() -> rx.Component:
    """One row that scrolls sideways when the categories do not fit, with a fade and an arrow at the edge
    that has more (assets/scroll_hint.js)."""
    return rx.box(
        rx.script(src="/scroll_hint.js"),
        _scroll_button("start", "chevron-left", "이전 카테고리 보기", "Earlier categories", -240),
        rx.tabs.root(
            rx.tabs.list(
                rx.foreach(
                    TabletState.category_tabs,
                    lambda c: rx.tabs.trigger(rx.text(c["name"], size="4"), value=c["key"], padding="0 18px"),
                ),
                size="2",
            ),
            value=TabletState.category_id,
            on_change=TabletState.select_category,
            width="100%",
        ),
        _scroll_button("end", "chevron-right", "다음 카테고리 보기", "More categories", 240),
        id="category-tabs",
        class_name="scroll-hint",
        flex="1",
        width="100%",
    )


def _allergen_filter() -> rx.Component:
    """A diner avoiding an allergen hides every dish that contains it."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("filter"), t("알레르기 필터", "Allergen filter"), variant="soft",
                                     size="3", min_height="44px")),
        rx.popover.content(
            rx.text(t("먹지 않는 성분을 고르면 그 메뉴를 숨겨요.", "Pick what you avoid: dishes with it are hidden."),
                    size="2"),
            rx.flex(rx.foreach(TabletState.allergen_choices,
                               lambda a: rx.checkbox(a["name"], checked=a["checked"].to(bool),
                                                     on_change=lambda _v: TabletState.toggle_avoid(a["code"]))),
                    wrap="wrap", gap="3", margin_top="8px"),
            max_width="420px",
            class_name="tablet-ui",
        ),
    )


def tablet_menu_page() -> rx.Component:
    return rx.box(
        tablet_header("menu"),
        rx.grid(
            rx.vstack(
                popular_now(),
                # A phone puts the filter under the tabs: beside them it would push the page wider than the
                # screen, which moves a fixed bar's layout viewport off the visible one.
                rx.flex(_category_tabs(), rx.box(_allergen_filter(), flex_shrink="0"), width="100%",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        align=rx.breakpoints(initial="start", sm="center"), gap="2"),
                rx.cond(TabletState.hidden_count > 0,
                        rx.text(t("알레르기 필터로 숨긴 메뉴: ", "Hidden by the allergen filter: "),
                                TabletState.hidden_count.to_string(), size="2", color_scheme="gray")),
                # (The store's name arrives with the menu: before that nothing is said.)
                rx.cond((TabletState.visible_items.length() == 0) & (TabletState.hidden_count == 0)
                        & (TabletState.store_name != ""),
                        rx.text(rx.cond(TabletState.category_id == "",
                                        t("아직 준비된 메뉴가 없어요.", "The menu is not ready yet."),
                                        t("이 카테고리에는 아직 메뉴가 없어요. 다른 카테고리를 둘러보세요.",
                                          "Nothing in this category yet. Have a look at the others.")),
                                color_scheme="gray", role="status")),
                rx.grid(
                    rx.foreach(TabletState.visible_items, menu_card),
                    columns=rx.breakpoints(initial="2", sm="2", md="3"),
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            rx.box(cart_panel(), id="cart", position=rx.breakpoints(initial="static", md="sticky"), top="88px",
                   padding_bottom=rx.breakpoints(initial="72px", md="0")),
            columns=rx.breakpoints(initial="1", md="1fr 360px"),
            spacing="4",
            padding="16px",
            align_items="start",
        ),
        item_detail(),
        _phone_cart_bar(),
        class_name="tablet-ui",
    )


def _phone_cart_bar() -> rx.Component:
    """On a phone the cart sits below the menu; this bar keeps it one tap away."""
    return rx.cond(
        TabletState.cart_count > 0,
        rx.link(
            rx.button(
                rx.icon("shopping-cart"),
                t("장바구니 보기", "View cart"),
                rx.badge(TabletState.cart_count.to_string(), variant="solid", color_scheme="gray"),
                TabletState.cart_total,
                size="4",
                width="100%",
            ),
            href="#cart",
            position="fixed",
            bottom="12px",
            left="12px",
            right="12px",
            z_index="20",
            display=rx.breakpoints(initial="block", md="none"),
        ),
    )

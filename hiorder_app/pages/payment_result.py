import reflex as rx

from ..components.i18n import t
from ..components.tablet_header import tablet_header
from ..states.payment_state import PaymentState
from ..states.tablet_state import TabletState


def _panel(*children) -> rx.Component:
    return rx.box(
        tablet_header(""),
        rx.center(rx.card(rx.vstack(*children, spacing="4", align="center"), width="min(520px, 94vw)",
                          padding="28px"), padding_top="48px"),
        class_name="tablet-ui",
    )


def _back_to_menu() -> rx.Component:
    return rx.link(rx.button(t("장바구니로 돌아가기", "Back to my cart"), size="4"), href="/")


# A confirm that never answered (the tab's state was lost with Redis, or the socket could not carry the
# page's on_load) leaves the page on "confirming": it reloads itself, a few seconds apart and a bounded
# number of times for this order, which confirms again (the service's confirm is idempotent: one charge
# at most); then it offers the diner "try again".
_RETRY_STUCK_CONFIRM = """(() => {
  const started = window.location.href;
  const key = "hiorder_confirm_reloads:" + new URLSearchParams(window.location.search).get("orderId");
  window.setTimeout(() => {
    if (window.location.href !== started || !document.getElementById("confirm-pending")) return;
    const tries = Number(window.sessionStorage.getItem(key) || 0);
    if (tries < 6) {
      window.sessionStorage.setItem(key, String(tries + 1));
      window.location.reload();
    } else {
      document.getElementById("confirm-retry")?.removeAttribute("hidden");
    }
  }, 6000);
})();"""


def _try_again(**props) -> rx.Component:
    return rx.button(t("다시 시도", "Try again"), on_click=PaymentState.retry, size="4", variant="soft", **props)


def payment_success_page() -> rx.Component:
    return _panel(
        rx.script(_RETRY_STUCK_CONFIRM),
        rx.cond(
            PaymentState.phase == "confirming",
            rx.vstack(rx.spinner(size="3"),
                      rx.heading(t("결제를 확인하고 있어요…", "Confirming your payment…"), size="5"),
                      _try_again(id="confirm-retry", custom_attrs={"hidden": True}),
                      align="center", id="confirm-pending"),
            rx.vstack(
                rx.heading(t("결제를 완료하지 못했어요", "The payment did not go through"), size="5"),
                rx.callout(PaymentState.error, icon="triangle_alert", color_scheme="amber", role="alert"),
                rx.hstack(
                    rx.cond(PaymentState.phase == "delayed", _try_again()),
                    _back_to_menu(),
                ),
                align="center",
                spacing="4",
            ),
        ),
    )


def payment_fail_page() -> rx.Component:
    return _panel(
        rx.heading(t("결제가 진행되지 않았어요", "No payment was made"), size="5"),
        rx.cond(PaymentState.error != "", rx.callout(PaymentState.error, icon="info", role="alert")),
        _back_to_menu(),
    )


def busy_page() -> rx.Component:
    return _panel(
        rx.icon("clock", size=40, color="var(--orange-9)"),
        rx.heading(t("주문이 많아 잠시 후 다시 주문해 주세요", "Many orders right now — please try again in a moment"),
                   size="5", text_align="center"),
        rx.text(t("장바구니는 그대로 있어요. 메뉴는 계속 둘러보실 수 있어요.",
                  "Your cart is kept, and you can keep browsing the menu."), color_scheme="gray", text_align="center"),
        rx.cond(
            TabletState.busy_left > 0,
            rx.text(TabletState.busy_left.to_string() + t("초 후에 다시 주문할 수 있어요", " s until you can retry"),
                    size="4", weight="bold", role="timer"),
        ),
        rx.hstack(
            rx.link(rx.button(t("메뉴 보기", "Browse the menu"), variant="soft", size="4"), href="/"),
            rx.button(t("다시 주문하기", "Order again"), on_click=TabletState.place_order, size="4",
                      disabled=TabletState.busy_left > 0, loading=TabletState.placing),
        ),
    )

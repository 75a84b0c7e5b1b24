import reflex as rx
from reflex.vars.function import FunctionStringVar

from ..components.admin_nav import admin_shell
from ..components.i18n import error_callout, t
from ..states.board_state import BoardState

# One audio element, decoded once, rewound for each ring.
_DING = ("window.hiorderDing = () => { const a = window.__hiorderDing ||= new Audio('/ding.wav');"
         " a.currentTime = 0; a.play().catch(() => {}); };")


_AGE_COLOR = ("gray", "amber", "red")


def _line_item(order_id, line) -> rx.Component:
    return rx.hstack(
        rx.checkbox(checked=line["done"].to(bool), size="3", aria_label=line["label"].to(str),
                    on_change=lambda done: BoardState.toggle_line(order_id, line["position"].to(int), done)),
        rx.text(line["text"].to(str), size="4", white_space="pre-line",
                text_decoration=rx.cond(line["done"].to(bool), "line-through", "none"),
                opacity=rx.cond(line["done"].to(bool), "0.55", "1")),
        align="start",
        spacing="2",
    )


@rx.memo
def board_card(order_id: rx.Var[int], label: rx.Var[str], title: rx.Var[str], number: rx.Var[str],
               is_new: rx.Var[bool], status_label: rx.Var[str], paid_clock: rx.Var[str], waiting: rx.Var[str],
               line_items: rx.Var[str], total: rx.Var[str], accept_label: rx.Var[str],
               serve_label: rx.Var[str], cancel_label: rx.Var[str], age: rx.Var[str],
               note: rx.Var[str]) -> rx.Component:
    """One order card. Memoised on plain-text props (the lines come as one JSON string): a new order
    re-renders only its own card, so the board stays quick however many orders are open."""
    lines = FunctionStringVar.create("JSON.parse").call(line_items).to(list[dict])
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="6"),
                rx.cond(is_new, rx.badge("NEW", color_scheme="orange", variant="solid", size="2")),
                rx.spacer(),
                rx.badge(status_label, size="2", color_scheme=rx.cond(is_new, "orange", "blue")),
                width="100%",
                align="center",
            ),
            rx.hstack(
                rx.text(number, color_scheme="gray", size="2"),
                rx.text(paid_clock, color_scheme="gray", size="2"),
                rx.badge(waiting, size="2", variant=rx.cond(age == "", "soft", "solid"),
                         color_scheme=rx.match(age, ("amber", "amber"), ("red", "red"), "gray")),
                spacing="3",
                align="center",
            ),
            # The diner's request, as text (never markup), where the cook cannot miss it.
            rx.cond(note != "", rx.callout.root(rx.callout.icon(rx.icon("message-square-text")),
                                                rx.callout.text(note, weight="bold", size="3"),
                                                color_scheme="amber", width="100%")),
            rx.divider(),
            rx.vstack(rx.foreach(lines, lambda line: _line_item(order_id, line)), spacing="1"),
            rx.text(total, weight="bold"),
            rx.hstack(
                rx.cond(
                    is_new,
                    rx.button(t("접수", "Accept"), on_click=BoardState.accept(order_id), size="3",
                              aria_label=accept_label),
                    rx.button(t("서빙 완료", "Served"), on_click=BoardState.serve(order_id), size="3",
                              color_scheme="green", aria_label=serve_label),
                ),
                rx.button(t("취소", "Cancel"), variant="soft", color_scheme="red", size="3",
                          on_click=BoardState.ask_cancel(order_id), aria_label=cancel_label),
                spacing="2",
            ),
            spacing="2",
            align="start",
        ),
        role="article",
        aria_label=label,
        border=rx.match(age, ("red", "3px solid var(--red-9)"), ("amber", "3px solid var(--amber-9)"),
                        rx.cond(is_new, "2px solid var(--orange-8)", "1px solid var(--gray-6)")),
        background=rx.cond(is_new, "var(--orange-2)", "var(--color-panel-solid)"),
        # Cards scrolled out of view are not laid out or painted: a rush of orders on a long board
        # costs the browser the cards on screen, not all of them.
        content_visibility="auto",
        contain_intrinsic_size="auto 230px",
    )


def _order_card(card) -> rx.Component:
    # Keyed by order id, not position: a card served or cancelled mid-board leaves the others untouched.
    component = board_card(
        order_id=card["id"].to(int), label=card["label"].to(str), title=card["title"].to(str),
        number=card["number"].to(str), is_new=card["is_new"].to(bool), status_label=card["status_label"].to(str),
        paid_clock=card["paid_clock"].to(str), waiting=card["waiting"].to(str),
        line_items=card["line_items"].to(str), total=card["total"].to(str),
        accept_label=card["accept_label"].to(str), serve_label=card["serve_label"].to(str),
        cancel_label=card["cancel_label"].to(str), age=card["age"].to(str), note=card["note"].to(str),
    )
    component.key = card["id"]
    return component


def _cancel_dialog() -> rx.Component:
    """One confirmation for the whole board, instead of a dialog inside every card."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("주문을 취소하고 환불할까요?", "Cancel and refund this order?")),
            rx.alert_dialog.description(t("결제 금액 전액이 환불돼요.", "The full amount is refunded.")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("돌아가기", "Keep order"), variant="soft",
                                                 on_click=BoardState.keep_order)),
                rx.alert_dialog.action(rx.button(t("취소하고 환불", "Cancel and refund"), color_scheme="red",
                                                 on_click=BoardState.cancel)),
                justify="end",
                spacing="3",
            ),
        ),
        open=BoardState.cancel_id != 0,
        on_open_change=lambda _open: BoardState.keep_order(),
    )


def _calls() -> rx.Component:
    return rx.cond(
        BoardState.call_cards.length() > 0,
        rx.hstack(
            rx.foreach(
                BoardState.call_cards,
                lambda c: rx.callout.root(
                    rx.hstack(
                        rx.callout.icon(rx.icon("bell-ring")),
                        rx.callout.text(c["text"], weight="bold"),
                        rx.button(t("확인", "On my way"), on_click=BoardState.acknowledge(c["id"]), size="2",
                                  aria_label=c["ack_label"]),
                        align="center",
                    ),
                    color_scheme="amber",
                    role="alert",
                ),
            ),
            wrap="wrap",
            spacing="3",
        ),
    )


def _column(index: int, cards, name: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading(BoardState.column_titles[index], size="4"),
                  rx.badge(cards.length().to_string(), size="2", color_scheme="orange" if name == "new" else "gray"),
                  align="center"),
        rx.vstack(rx.foreach(cards, _order_card), spacing="3", width="100%", overflow_y="auto",
                  max_height="calc(100vh - 220px)", padding_right="4px"),
        role="region",
        aria_label=BoardState.column_titles[index],
        spacing="2",
        width="100%",
        min_width="0",
    )


def _minutes_input(name: str, label, value) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"board_{name}", style={"fontSize": "var(--font-size-2)"}),
        rx.input(id=f"board_{name}", name=name, default_value=value.to_string(), input_mode="numeric", width="90px",
                 key=value.to_string()),
        spacing="1",
    )


def _thresholds() -> rx.Component:
    """The store's ageing thresholds: when a card's time since payment turns amber, then red."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("timer"), t("경고 시간", "Timers"), variant="soft")),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    rx.text(t("결제 후 이 시간(분)이 지나면 카드 색이 바뀌어요.",
                              "Cards change colour this many minutes after payment."), size="2"),
                    rx.hstack(
                        _minutes_input("amber", t("주황 (분)", "Amber (min)"), BoardState.amber_minutes),
                        _minutes_input("red", t("빨강 (분)", "Red (min)"), BoardState.red_minutes),
                        spacing="3",
                    ),
                    error_callout(),
                    rx.button(t("저장", "Save"), type="submit", aria_label=t("경고 시간 저장", "Save timers")),
                    spacing="2",
                ),
                on_submit=BoardState.save_thresholds,
                reset_on_submit=False,
            ),
            aria_label=t("경고 시간", "Timers"),
        ),
    )


def _station_and_recall() -> rx.Component:
    return rx.hstack(
        _thresholds(),
        rx.select.root(
            rx.select.trigger(aria_label=t("스테이션", "Station")),
            rx.select.content(rx.foreach(BoardState.station_choices,
                                         lambda c: rx.select.item(c[1], value=rx.cond(c[0] == "", "_", c[0])))),
            value=rx.cond(BoardState.station == "", "_", BoardState.station),
            on_change=lambda v: BoardState.choose_station(rx.cond(v == "_", "", v)),
        ),
        rx.popover.root(
            rx.popover.trigger(rx.button(rx.icon("undo-2"), t("서빙 취소", "Recall"), variant="soft",
                                         on_click=BoardState.load_served)),
            rx.popover.content(rx.vstack(
                rx.text(t("최근 서빙한 주문 (1시간)", "Served in the last hour"), weight="bold"),
                rx.cond(BoardState.served.length() == 0, rx.text(t("없어요", "None"), color_scheme="gray")),
                rx.foreach(BoardState.served, lambda o: rx.hstack(
                    rx.text(o["text"]), rx.button(t("되돌리기", "Recall"), size="2",
                                                  on_click=BoardState.recall(o["id"].to(int))),
                    align="center")),
            )),
        ),
        spacing="2",
    )


def admin_board_page() -> rx.Component:
    return admin_shell(
        "board",
        rx.script(_DING),
        rx.vstack(
            rx.hstack(
                rx.heading(t("주문 현황", "Live orders"), size="6"),
                rx.badge(rx.cond(BoardState.live, t("실시간", "Live"), t("연결 중…", "Connecting…")),
                         color_scheme=rx.cond(BoardState.live, "green", "gray"), size="2"),
                rx.badge(t("새 주문 ", "New ") + BoardState.new_count.to_string(), color_scheme="orange", size="2"),
                rx.spacer(),
                _station_and_recall(),
                rx.button(
                    rx.cond(BoardState.sound == "on", rx.icon("volume-2"), rx.icon("volume-x")),
                    rx.cond(BoardState.sound == "on", t("알림음 켜짐", "Sound on"), t("알림음 꺼짐", "Sound off")),
                    on_click=BoardState.toggle_sound,
                    variant="soft",
                ),
                width="100%",
                align="center",
            ),
            error_callout(),
            _cancel_dialog(),
            _calls(),
            rx.cond(
                BoardState.new_cards.length() + BoardState.cooking_cards.length()
                + BoardState.ready_cards.length() == 0,
                rx.text(t("처리할 주문이 없어요. 결제된 주문이 여기에 바로 나타나요.",
                          "Nothing to do. Paid orders appear here the moment they are paid."), color_scheme="gray"),
            ),
            # One column per stage, each scrolling on its own: new orders are always in view, however
            # many are cooking.
            rx.grid(
                _column(0, BoardState.new_cards, "new"),
                _column(1, BoardState.cooking_cards, "cooking"),
                _column(2, BoardState.ready_cards, "ready"),
                columns=rx.breakpoints(initial="1", md="3"), spacing="3", width="100%",
            ),
            spacing="4",
        ),
        max_width="1600px",
    )

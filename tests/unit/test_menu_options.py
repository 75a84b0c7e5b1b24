"""domain.menu_options: every option rule, refusals naming the item and the group in both languages,
and the rules checked over generated choices."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiorder_app.domain.errors import DomainError, OrderRefused
from hiorder_app.domain.menu_options import (
    MAX_CHOICES,
    MAX_NOTE_LENGTH,
    OptionGroupSnapshot,
    OptionSnapshot,
    check_choices,
    check_group_limits,
    check_option_stock,
    choice_key,
    clean_note,
    option_lines,
    unit_price,
)
from hiorder_app.domain.order_rules import ItemSnapshot, TableHistory, check_order

STEW = ("김치찌개", "Kimchi stew")
SPICY = OptionGroupSnapshot(1, 1, "맵기", "Spice level", 1, 1)
TOPPING = OptionGroupSnapshot(2, 1, "토핑", "Toppings", 0, 3)
SIZE = OptionGroupSnapshot(3, 1, "사이즈", "Size", 0, 1)
GONE = OptionGroupSnapshot(4, 1, "단종 그룹", "Retired group", 1, 1, deleted=True)
GROUPS = {g.id: g for g in (SPICY, TOPPING, SIZE, GONE)}
OPTIONS = {o.id: o for o in (
    OptionSnapshot(10, 1, "순한맛", "Mild", 0, sort_order=1),
    OptionSnapshot(11, 1, "보통", "Medium", 0, sort_order=2),
    OptionSnapshot(12, 1, "매운맛", "Hot", 0, sold_out=True, sort_order=3),
    OptionSnapshot(20, 2, "라면사리", "Ramen noodles", 2000, sort_order=2),
    OptionSnapshot(21, 2, "치즈", "Cheese", 1500, sort_order=1),
    OptionSnapshot(22, 2, "떡", "Rice cake", 1000, sort_order=3),
    OptionSnapshot(23, 2, "만두", "Dumplings", 2500, sort_order=4),
    OptionSnapshot(24, 2, "햄", "Ham", 1000, deleted=True),
    OptionSnapshot(30, 3, "곱빼기", "Large", 1000),
    OptionSnapshot(40, 4, "옛 옵션", "Old option", 0),
)}
STEW_GROUPS = [1, 2]


def refuse(chosen, item_groups=STEW_GROUPS) -> OrderRefused:
    with pytest.raises(OrderRefused) as exc:
        check_choices(STEW, item_groups, GROUPS, OPTIONS, chosen)
    return exc.value


def assert_names(err: DomainError, *pairs: tuple[str, str]) -> None:
    """Each (ko, en) name appears in its own language's message only."""
    for ko, en in pairs:
        assert f"'{ko}'" in err.message("ko"), err.message("ko")
        assert f"'{en}'" in err.message("en"), err.message("en")
        assert en not in err.message("ko")
        assert ko not in err.message("en")


def test_valid_choices_come_back_in_reading_order():
    chosen = check_choices(STEW, STEW_GROUPS, GROUPS, OPTIONS, [20, 11, 21])
    assert [o.id for o in chosen] == [11, 21, 20]  # the item's groups in order, then each group's sort order
    assert check_choices(STEW, STEW_GROUPS, GROUPS, OPTIONS, [10]) == (OPTIONS[10],)  # toppings: none is fine


def test_required_group_must_be_answered():
    err = refuse([20])
    assert err.code == "order.option_required"
    assert_names(err, STEW, ("맵기", "Spice level"))


def test_minimum_above_one_is_named_with_its_count():
    at_least_two = OptionGroupSnapshot(2, 1, "토핑", "Toppings", 2, 3)
    with pytest.raises(OrderRefused) as exc:
        check_choices(STEW, [2], {2: at_least_two}, OPTIONS, [20])
    assert exc.value.code == "order.option_too_few"
    assert "2" in exc.value.message("ko") and "2" in exc.value.message("en")
    assert_names(exc.value, STEW, ("토핑", "Toppings"))


def test_single_choice_takes_one_only():
    err = refuse([10, 11])
    assert err.code == "order.option_too_many"
    assert_names(err, STEW, ("맵기", "Spice level"))


def test_multi_choice_maximum():
    err = refuse([10, 20, 21, 22, 23])
    assert err.code == "order.option_too_many"
    assert "3" in err.message("ko") and "3" in err.message("en")
    assert_names(err, STEW, ("토핑", "Toppings"))


def test_option_of_a_group_the_item_does_not_offer():
    err = refuse([10, 30])
    assert err.code == "order.option_not_offered"
    assert_names(err, STEW, ("사이즈", "Size"))


def test_option_of_a_deleted_group():
    err = refuse([10, 40], item_groups=[1, 2, 4])
    assert err.code == "order.option_not_offered"
    assert_names(err, STEW, ("단종 그룹", "Retired group"))
    # A deleted group asks nothing of the diner either.
    check_choices(STEW, [1, 2, 4], GROUPS, OPTIONS, [10])


def test_sold_out_option_is_refused_by_name():
    err = refuse([12])
    assert err.code == "order.option_sold_out"
    assert_names(err, STEW, ("맵기", "Spice level"), ("매운맛", "Hot"))


def test_deleted_option_is_refused_by_name():
    err = refuse([10, 24])
    assert err.code == "order.option_gone"
    assert_names(err, STEW, ("토핑", "Toppings"), ("햄", "Ham"))


def test_unknown_option_names_the_item():
    err = refuse([10, 999])
    assert err.code == "order.option_unknown"
    assert_names(err, STEW)


def test_the_same_option_twice():
    err = refuse([10, 20, 20])
    assert err.code == "order.option_repeated"
    assert_names(err, STEW, ("토핑", "Toppings"))


def test_unit_price_adds_the_deltas():
    chosen = check_choices(STEW, STEW_GROUPS, GROUPS, OPTIONS, [11, 20, 21])
    assert unit_price(9000, chosen) == 9000 + 2000 + 1500
    assert unit_price(9000, ()) == 9000


def test_option_lines_snapshot_names_and_prices():
    chosen = check_choices(STEW, STEW_GROUPS, GROUPS, OPTIONS, [11, 20])
    assert option_lines(chosen, GROUPS) == [
        {"id": 11, "group_ko": "맵기", "group_en": "Spice level", "name_ko": "보통", "name_en": "Medium",
         "price_delta": 0, "reserved": False},
        {"id": 20, "group_ko": "토핑", "group_en": "Toppings", "name_ko": "라면사리", "name_en": "Ramen noodles",
         "price_delta": 2000, "reserved": False},
    ]


@pytest.mark.parametrize("bounds", [(0, 0), (2, 1), (-1, 1), (0, MAX_CHOICES + 1), (True, 1), ("1", 1)])
def test_bad_group_limits(bounds):
    with pytest.raises(DomainError) as exc:
        check_group_limits(*bounds)
    assert exc.value.code == "option.bad_limits"


def test_good_group_limits():
    assert check_group_limits(1, 1) == (1, 1)
    assert check_group_limits(0, 3) == (0, 3)


# ---- generated choices -------------------------------------------------------------------------------
groups_st = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 4)).filter(lambda b: b[0] <= b[1]), min_size=1, max_size=4)


@st.composite
def menus(draw):
    """An item with 1-4 groups of 1-5 options each (some sold out or deleted), and a diner's picks."""
    groups, options = {}, {}
    for gid, (lo, hi) in enumerate(draw(groups_st), start=1):
        groups[gid] = OptionGroupSnapshot(gid, 1, f"그룹{gid}", f"Group {gid}", lo, hi)
        for n in range(draw(st.integers(1, 5))):
            oid = gid * 10 + n
            options[oid] = OptionSnapshot(oid, gid, f"옵션{oid}", f"Option {oid}", draw(st.integers(0, 5000)),
                                          sold_out=draw(st.booleans()), deleted=draw(st.booleans()))
    chosen = draw(st.lists(st.sampled_from(sorted(options)), max_size=8))
    return groups, options, chosen


@given(menus(), st.integers(0, 100_000))
def test_choices_pass_exactly_when_every_rule_holds(menu, price):
    groups, options, chosen = menu
    counts = {gid: sum(1 for o in chosen if options[o].group_id == gid) for gid in groups}
    valid = (
        len(set(chosen)) == len(chosen)
        and not any(options[o].sold_out or options[o].deleted for o in chosen)
        and all(g.min_select <= counts[gid] <= g.max_select for gid, g in groups.items())
    )
    try:
        result = check_choices(STEW, list(groups), groups, options, chosen)
    except OrderRefused as err:
        assert not valid
        # Every refusal names the item, and (but for an unknown option) a group, in each language.
        assert f"'{STEW[0]}'" in err.message("ko") and f"'{STEW[1]}'" in err.message("en")
        assert "그룹" in err.message("ko") and "Group" in err.message("en")
    else:
        assert valid
        assert sorted(o.id for o in result) == sorted(chosen)
        assert unit_price(price, result) == price + sum(options[o].price_delta for o in chosen)


@given(st.lists(st.integers(1, 50)), st.randoms())
def test_choice_key_ignores_order(ids, rnd):
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert choice_key(ids) == choice_key(shuffled) == tuple(sorted(set(ids)))


# ---- lines of one item with different choices ------------------------------------------------------------
GALBI = ItemSnapshot(id=5, store_id=1, name_ko="한정 갈비", name_en="Limited galbi", price=20000, kind="MAIN",
                     stock=3, sold_out=False, once_per_table=False, active=True)
HIGHBALL = ItemSnapshot(id=4, store_id=1, name_ko="이벤트 하이볼", name_en="Event highball", price=1000,
                        kind="DRINK", stock=None, sold_out=False, once_per_table=True, active=True)
NO_HISTORY = TableHistory(has_main=False, once_item_ids=frozenset())


def test_one_item_with_different_choices_is_separate_lines():
    check_order([(5, 1, (10,)), (5, 2, (11,))], {5: GALBI}, 1, NO_HISTORY)


def test_same_item_and_same_choices_twice_is_refused():
    with pytest.raises(OrderRefused) as exc:
        check_order([(5, 1, (10, 20)), (5, 1, (10, 20))], {5: GALBI}, 1, NO_HISTORY)
    assert exc.value.code == "order.duplicate_line"


def test_stock_counts_every_line_of_the_item():
    with pytest.raises(OrderRefused) as exc:
        check_order([(5, 2, (10,)), (5, 2, (11,))], {5: GALBI}, 1, NO_HISTORY)
    assert exc.value.code == "order.out_of_stock"


def test_event_item_once_across_choices():
    with pytest.raises(OrderRefused) as exc:
        check_order([(4, 1, (10,)), (4, 1, (11,))], {4: HIGHBALL}, 1, NO_HISTORY)
    assert exc.value.code == "order.once_quantity"


# ---- the order's request -------------------------------------------------------------------------------
def test_note_is_one_line_of_text():
    assert clean_note("  덜 맵게\n해 주세요  ") == "덜 맵게 해 주세요"
    assert clean_note(None) == ""
    assert clean_note("<b>맵게</b>") == "<b>맵게</b>"  # kept as typed: it is rendered as text, never markup


def test_note_of_100_characters_passes_and_101_is_refused():
    assert clean_note("가" * MAX_NOTE_LENGTH) == "가" * MAX_NOTE_LENGTH
    with pytest.raises(OrderRefused) as exc:
        clean_note("가" * (MAX_NOTE_LENGTH + 1))
    assert exc.value.code == "order.note_too_long"
    assert "100" in exc.value.message("ko") and "100" in exc.value.message("en")


@pytest.mark.parametrize("text", ["맵게\u202e요", "a\x00b", "zero\u200bwidth"])
def test_note_refuses_hidden_characters(text):
    with pytest.raises(OrderRefused) as exc:
        clean_note(text)
    assert exc.value.code == "order.note_invalid"


def test_note_must_be_text():
    with pytest.raises(DomainError) as exc:
        clean_note(42)
    assert exc.value.code == "input.invalid"


@given(st.text(max_size=150))
def test_clean_note_is_short_single_line_or_refused(text):
    try:
        note = clean_note(text)
    except OrderRefused:
        return
    assert len(note) <= MAX_NOTE_LENGTH and "\n" not in note and note == note.strip()


# ---- counted options ------------------------------------------------------------------------------
LARGE = OptionSnapshot(30, 3, "곱빼기", "Large", 1000, stock=3)
RAMEN = OptionSnapshot(20, 2, "라면사리", "Ramen noodles", 2000, stock=2)
NOODLES = ("물냉면", "Cold noodles")


def test_a_counted_option_is_taken_over_every_line_and_dish_choosing_it():
    lines = [(STEW, 1, (RAMEN,)), (NOODLES, 2, (LARGE,)), (NOODLES, 1, (LARGE, RAMEN)), (STEW, 4, ())]
    assert check_option_stock(lines, GROUPS) == {20: 2, 30: 3}
    assert check_option_stock([(STEW, 3, (OPTIONS[21],))], GROUPS) == {}  # unlimited: nothing to take


def test_the_line_past_the_count_is_refused_naming_item_group_and_option():
    with pytest.raises(OrderRefused) as caught:
        check_option_stock([(NOODLES, 1, (RAMEN,)), (STEW, 2, (RAMEN,))], GROUPS)
    err = caught.value
    assert err.code == "order.option_out_of_stock"
    assert err.message("ko") == "'김치찌개'의 '토핑' 중 '라면사리'은(는) 2개만 남았어요."
    assert err.message("en") == "Only 2 of 'Ramen noodles' (Toppings) left for 'Kimchi stew'."


def test_none_left_is_sold_out():
    empty = {**OPTIONS, 30: OptionSnapshot(30, 3, "곱빼기", "Large", 1000, stock=0)}
    with pytest.raises(OrderRefused) as caught:
        check_choices(NOODLES, [3], GROUPS, empty, [30])
    assert caught.value.code == "order.option_sold_out"


@given(st.lists(st.tuples(st.integers(1, 5), st.booleans(), st.booleans()), max_size=8), st.integers(0, 12))
def test_never_more_than_the_count_is_taken(lines, count):
    ramen = OptionSnapshot(20, 2, "라면사리", "Ramen noodles", 2000, stock=count)
    chosen = [(STEW, qty, tuple(o for o, on in ((ramen, with_ramen), (OPTIONS[21], cheese)) if on))
              for qty, with_ramen, cheese in lines]
    wanted = sum(qty for qty, with_ramen, _ in lines if with_ramen)
    try:
        taken = check_option_stock(chosen, GROUPS)
    except OrderRefused:
        assert wanted > count
    else:
        assert wanted <= count and taken == ({20: wanted} if wanted else {})

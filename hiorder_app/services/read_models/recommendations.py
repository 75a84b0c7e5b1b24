"""The tablet's recommendations, learned from paid orders.

* "Popular now": what this store sells on this weekday around this hour over recent weeks (recent weeks
  and this very hour weigh more), smoothed toward the same hours of like days (weekdays or the weekend),
  read from the `sales_item_hour` aggregate. Once a table's visit holds items (its cart, its earlier orders),
  those are left out and what they go with is raised (`rank_for_visit`).
* "Goes well with": items ordered in the same table visit as what is in the cart, ranked by how much
  the cart raises their chance: P(j | c) smoothed toward P(j), minus P(j). A best seller that comes with
  everything scores about zero; raw co-occurrence counts would always answer the best seller.
* Too little data: the items the admin marks as featured.

The visit counts (`visit_item`, `visit_pair`) are kept by the projector in the payment's (and refund's)
transaction. Both rankings are cached per store in the process for a short while, so a menu load or a
cart change does no query of order history (and usually none at all).
"""

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.models import MenuItem, OrderReadModel, SalesItemHour, VisitItem, VisitPair
from ...domain.order_status import PAID_STATUSES
from ..db import session_scope
from .aggregates import sign_of, upsert

VISITS = 0  # visit_item.menu_item_id holding the number of visits
WEEKS = 8  # "recent weeks"
WEEK_DECAY = 0.8  # last week counts 1, the week before 0.8, ...
NEIGHBOUR_HOUR = 0.5  # the hour before and after count half
MIN_SLOT_QUANTITY = 10  # less sold at these hours of like days: featured items instead
# Weighted units of this weekday's hour that the same hours of like days count as: where this weekday has
# sold much less (a quiet store, a new menu), their pattern decides (bench/recommendations.py).
LIKE_DAYS_PSEUDO = 100.0
# What sells now beside what the visit's items raise: an item's share of the hour's sales counts this many
# times its raise in chance (P(j | c) smoothed, minus P(j)) from each item of the visit (chosen on the bench's
# seeds 11-13, not on the reported ones; 1 to 3 rank about alike).
VISIT_SHARE = 2.0
MIN_VISITS = 20  # fewer table visits than this: featured items instead of "goes well with"
SMOOTHING = 5.0  # pseudo-visits pulling P(j | c) toward P(j): one odd visit proves nothing
CACHE_SECONDS = 60.0
LIMIT = 3
PARTNERS = 6  # partners kept per item: what a menu carries to the tablet

_VISIT_ITEM, _VISIT_PAIR = VisitItem.__table__, VisitPair.__table__


# ---- projection -----------------------------------------------------------------------------------
def _visit_items(session: Session, table_session_id: int, but_order: int) -> set[int]:
    rows = session.exec(select(OrderReadModel.lines_json).where(
        OrderReadModel.table_session_id == table_session_id, OrderReadModel.order_id != but_order,
        OrderReadModel.status.in_([str(s) for s in PAID_STATUSES]))).all()
    return {line["menu_item_id"] for lines in rows for line in json.loads(lines)}


def visit_delta(before: set[int], after: set[int]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """How a visit's counts change when its (paid) items go from `before` to `after`."""
    items = {i: 1 for i in after - before} | {i: -1 for i in before - after}
    visits = (1 if after else 0) - (1 if before else 0)
    if visits:
        items[VISITS] = visits
    pa, pb = set(combinations(sorted(after), 2)), set(combinations(sorted(before), 2))
    pairs = {p: 1 for p in pa - pb} | {p: -1 for p in pb - pa}
    return items, pairs


def write_delta(session: Session, store_id: int, items: dict[int, int], pairs: dict[tuple[int, int], int]) -> None:
    upsert(session, _VISIT_ITEM, [{"store_id": store_id, "menu_item_id": i, "visits": n} for i, n in items.items()],
           ("store_id", "menu_item_id"), ("visits",))
    upsert(session, _VISIT_PAIR, [{"store_id": store_id, "item_a": a, "item_b": b, "visits": n}
                                  for (a, b), n in pairs.items()], ("store_id", "item_a", "item_b"), ("visits",))
    # A refund can take counts back to zero: such rows say nothing, and a rebuild would not write them.
    gone = [i for i, n in items.items() if n < 0]
    if gone:
        session.execute(sa.delete(_VISIT_ITEM).where(_VISIT_ITEM.c.store_id == store_id, _VISIT_ITEM.c.visits <= 0,
                                                     _VISIT_ITEM.c.menu_item_id.in_(gone)))
    if any(n < 0 for n in pairs.values()):
        session.execute(sa.delete(_VISIT_PAIR).where(_VISIT_PAIR.c.store_id == store_id, _VISIT_PAIR.c.visits <= 0))


def apply(session: Session, event_type: str, payload: dict) -> None:
    sign = sign_of(event_type, payload)
    if not sign:
        return
    others = _visit_items(session, payload["table_session_id"], payload["order_id"])
    with_this = others | {line["menu_item_id"] for line in payload["lines"]}
    before, after = (others, with_this) if sign > 0 else (with_this, others)
    write_delta(session, payload["store_id"], *visit_delta(before, after))


def clear(session: Session, store_id: int) -> None:
    for table in (_VISIT_ITEM, _VISIT_PAIR):
        session.execute(sa.delete(table).where(table.c.store_id == store_id))


# ---- the per-store cache ----------------------------------------------------------------------------
_cache: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


def _cached(key: tuple, compute):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = compute()
    with _lock:
        _cache[key] = (now, value)
    return value


def forget(store_id: int | None = None) -> None:
    """Drop cached rankings (after a rebuild; tests)."""
    with _lock:
        for key in [k for k in _cache if store_id is None or k[1] == store_id]:
            del _cache[key]


# ---- popular now --------------------------------------------------------------------------------------
_ITEM_HOUR = SalesItemHour.__table__
_NEAR_NOW = sa.select(_ITEM_HOUR.c.day, _ITEM_HOUR.c.hour, _ITEM_HOUR.c.menu_item_id, _ITEM_HOUR.c.quantity).where(
    _ITEM_HOUR.c.store_id == sa.bindparam("store"), _ITEM_HOUR.c.day >= sa.bindparam("since", type_=sa.Date),
    _ITEM_HOUR.c.day <= sa.bindparam("today", type_=sa.Date),
    _ITEM_HOUR.c.hour.in_(sa.bindparam("hours", expanding=True)), _ITEM_HOUR.c.quantity > 0)


def popular_scores(session: Session, store_id: int, now: datetime, tz: ZoneInfo) -> dict[int, float]:
    """Items' shares of what sold around this hour in recent weeks (popular_shares); empty when too little."""
    local = now.astimezone(tz)
    # Core, not the ORM: a busy store has a few thousand such rows, and ORM rows cost more than the ranking.
    rows = session.connection().execute(_NEAR_NOW, {
        "store": store_id, "since": local.date() - timedelta(weeks=WEEKS, days=1), "today": local.date(),
        "hours": sorted({(local.hour + step) % 24 for step in (-1, 0, 1)})}).all()
    return popular_shares(rows, local)


def popular_ranking(session: Session, store_id: int, now: datetime, tz: ZoneInfo) -> list[int]:
    """Items by what sold around this hour in recent weeks (rank_popular); empty when too little sold then."""
    return _best_first(popular_scores(session, store_id, now, tz))


def _best_first(score: dict) -> list:
    return sorted(score, key=lambda i: (-score[i], i))


def _slot_weights(local: datetime) -> dict[tuple, tuple[float, float]]:
    """(local day, hour) near now -> (weight as this weekday's hour, weight as a like day's hour)."""
    today, weekend = local.date(), local.weekday() >= 5
    weights = {}
    for days_ago in range(WEEKS * 7):
        day = today - timedelta(days=days_ago)
        week = WEEK_DECAY ** (days_ago // 7)
        like = week if (day.weekday() >= 5) == weekend else 0.0
        this = week if days_ago % 7 == 0 else 0.0
        for step, w in ((0, 1.0), (-1, NEIGHBOUR_HOUR), (1, NEIGHBOUR_HOUR)):
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=local.hour + step)
            weights[(at.date(), at.hour)] = (w * this, w * like)  # the hour before midnight: the day before
    return weights


def rank_popular(rows, local: datetime) -> list[int]:
    """Items by their share of what sold then (popular_shares), best first; [] when too little was sold."""
    return _best_first(popular_shares(rows, local))


def popular_shares(rows, local: datetime) -> dict[int, float]:
    """Items' shares of what sold at this weekday and hour (and the hours either side) over the recent
    weeks, last week counting most, smoothed toward their share at the same hours of days of the same kind
    (weekdays or the weekend): a Tuesday lunch with little history is ranked like the other weekday lunches
    rather than by a handful of sales. `rows`: (local day, hour, item, quantity), as `sales_item_hour` holds
    them; those of other days and hours count nothing. {} when too little was sold then."""
    weights = _slot_weights(local)
    slot: dict[int, float] = {}
    like: dict[int, float] = {}
    sold = 0
    for day, hour, item, qty in rows:
        w = weights.get((day, hour))
        if w is None or qty <= 0 or not w[1]:
            continue
        slot[item] = slot.get(item, 0.0) + w[0] * qty
        like[item] = like.get(item, 0.0) + w[1] * qty
        sold += qty
    if sold < MIN_SLOT_QUANTITY:
        return {}
    like_total, slot_total = sum(like.values()), sum(slot.values())
    return {i: (slot[i] + LIKE_DAYS_PSEUDO * n / like_total) / (slot_total + LIKE_DAYS_PSEUDO)
            for i, n in like.items()}


def popular_now_shares(store_id: int, now: datetime, tz: ZoneInfo) -> dict[int, float]:
    local = now.astimezone(tz)
    key = ("popular", store_id, local.date(), local.hour)

    def compute():
        with session_scope() as s:
            return popular_scores(s, store_id, now, tz)
    return _cached(key, compute)


def popular_now(store_id: int, now: datetime, tz: ZoneInfo) -> list[int]:
    return _best_first(popular_now_shares(store_id, now, tz))


def rank_for_visit(shares: dict, partners: dict, visit) -> list:
    """"Popular now" for a table whose visit already holds `visit` (its cart and its earlier orders): what
    sells now (an item's share, times VISIT_SHARE), raised by what each of the visit's items raises its
    chance by (their partner lists, as "goes well with" has them); the visit's own items left out. Only items
    that sell now are ranked; with an empty visit this is the ranking by share. Keys of any one type (the
    tablet's are text)."""
    score = {j: VISIT_SHARE * share for j, share in shares.items() if j not in visit}
    for c in visit:
        for j, lift in partners.get(c, ()):
            if j in score:
                score[j] += lift
    return _best_first(score)


# ---- goes well with -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Associations:
    visits: int
    items: dict[int, int]  # item -> visits with it
    pairs: dict[tuple[int, int], int]  # (a, b), a < b -> visits with both

    def together(self, a: int, b: int) -> int:
        return self.pairs.get((a, b) if a < b else (b, a), 0)

    def partners(self, c: int, limit: int = PARTNERS) -> list[tuple[int, float]]:
        """The items `c` raises the chance of most, with by how much: P(j | c) smoothed, minus P(j)."""
        if self.visits < MIN_VISITS:
            return []
        n_c = self.items.get(c, 0)
        found = []
        for j, n_j in self.items.items():
            if j == c or n_j <= 0:
                continue
            p_j = n_j / self.visits
            lift = (self.together(c, j) + SMOOTHING * p_j) / (n_c + SMOOTHING) - p_j
            if lift > 0:
                found.append((j, lift))
        found.sort(key=lambda t: (-t[1], t[0]))
        return found[:limit]

    def ranking(self, cart: set[int]) -> list[int]:
        return rank_partners({c: self.partners(c) for c in cart}, cart)


def rank_partners(partners: dict[int, list[tuple[int, float]]], cart) -> list[int]:
    """Items by what the cart's items add to their chance, summed; the cart's own left out. The tablet
    ranks with this from the partner lists its menu carries, so a cart change needs no query."""
    scores: dict[int, float] = {}
    for c in cart:
        for j, lift in partners.get(c, ()):
            if j not in cart:
                scores[j] = scores.get(j, 0.0) + lift
    return sorted(scores, key=lambda j: (-scores[j], j))


def load_associations(session: Session, store_id: int) -> Associations:
    items = dict(session.exec(select(VisitItem.menu_item_id, VisitItem.visits)
                              .where(VisitItem.store_id == store_id)).all())
    pairs = {(a, b): n for a, b, n in session.exec(select(VisitPair.item_a, VisitPair.item_b, VisitPair.visits)
                                                    .where(VisitPair.store_id == store_id)).all()}
    return Associations(items.pop(VISITS, 0), items, pairs)


def associations(store_id: int) -> Associations:
    def compute():
        with session_scope() as s:
            return load_associations(s, store_id)
    return _cached(("pairs", store_id), compute)


def partner_lists(store_id: int) -> dict[int, list[tuple[int, float]]]:
    """Every item's partners, best first, unlimited (the menu keeps the offerable ones)."""
    def compute():
        assoc = associations(store_id)
        return {c: assoc.partners(c, limit=len(assoc.items)) for c in assoc.items}
    return _cached(("partner_lists", store_id), compute)


def offerable_partners(lists: dict[int, list[tuple[int, float]]],
                       offerable: set[int]) -> dict[int, list[tuple[int, float]]]:
    """What a tablet's menu carries: for each item on offer, its best partners that are on offer too."""
    return {c: [(j, round(lift, 4)) for j, lift in found if j in offerable][:PARTNERS]
            for c, found in lists.items() if c in offerable}


def featured_ids(session: Session, store_id: int) -> list[int]:
    return list(session.exec(select(MenuItem.id).where(MenuItem.store_id == store_id, MenuItem.featured,
                                                       MenuItem.active)
                             .order_by(MenuItem.sort_order, MenuItem.id)).all())


def featured(store_id: int) -> list[int]:
    def compute():
        with session_scope() as s:
            return featured_ids(s, store_id)
    return _cached(("featured", store_id), compute)


def pick(ranking: list[int], fallback: list[int], offerable: set[int], limit: int = LIMIT) -> list[int]:
    """The first `limit` offerable items of the ranking; the featured ones when the ranking has none."""
    chosen = [i for i in ranking if i in offerable][:limit]
    return chosen or [i for i in fallback if i in offerable][:limit]


def goes_well_with(store_id: int, cart: set[int], offerable: set[int], limit: int = LIMIT) -> list[int]:
    """`offerable`: items the tablet may offer (on sale, visible, not sold out); the cart's are left out."""
    if not cart:
        return []
    return pick(associations(store_id).ranking(cart), featured(store_id), offerable - cart, limit)

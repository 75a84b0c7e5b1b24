"""Recommendation quality on a generated order history, time-split: train on the earlier weeks, test on the last.

    .venv/bin/python bench/recommendations.py [--weeks 10] [--visits-per-day 70] [--seed 1]

The history is a Korean restaurant's: each main has a side and a drink that go with it (ordered with it in
about half the visits); weekday lunch is the office rush (one meal each, almost no alcohol, a peak at noon),
weekend lunch is later and longer, dinner shares grills with soju and beer, and late night (21:00-01:00, the
2차) is 안주 with soju, beer and makgeolli; Friday and Saturday are the busiest days, Sunday is quiet, and the
night after Friday's and Saturday's dinner drinks like a weekend. There is noise (items picked at random, by
their popularity at that time). Visits are table visits; their items are listed in the order picked.

Both rankings are the app's own code (services/read_models/recommendations.py): the visit counts are summed
with `visit_delta` and ranked by `Associations.ranking`; "popular now" ranks (day, hour, item, quantity)
rows, as the `sales_item_hour` aggregate holds them, with `rank_popular`, given the rows the app's query
reads. Only the training weeks are counted. Then, over every visit of the held-out last week:

* "goes well with": leave one out: for each item of a visit with two or more items, the cart is the rest
  of the visit, and the held-out item is looked up in the ranking (the cart's items left out). Baseline:
  the items of most training visits (popularity), the cart's left out.
* "popular now": for each item a visit ordered, its place in the ranking for the visit's weekday and
  hour, given the items picked before it in the visit (the cart and the visit's earlier orders), as the tablet
  ranks it (`rank_for_visit`: those items left out, what they go with raised, from the partner lists the menu
  carries). Beside it, the ranking by time alone (`rank_popular`, the same items only left out), which is what
  the tablet shows before anything is picked. Baseline: all-time quantity sold in the training weeks, the same
  items left out. And "goes well with" alone on the same lookups (the first pick of a visit, with nothing to go
  with, ranked by time alone), to show how much of the gain is the visit's items.
* The ceiling: the items by the generator's own odds at that weekday and hour, the same items left out. It
  bounds rankings by time alone (nearly: it orders items by their chance to be in the visit, not by their
  chance to be the next pick), not rankings that use the visit's items: after a main, its side and drink are
  far likelier than the hour's odds say.

hit-rate@3: the share of lookups with the item in the top 3; MRR: the mean of 1/rank (0 when unranked).
"""

import argparse
import random
import sys
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hiorder_app.services.read_models.recommendations import (  # noqa: E402
    WEEKS,
    Associations,
    offerable_partners,
    popular_shares,
    rank_for_visit,
    rank_partners,
    visit_delta,
)

TZ = ZoneInfo("Asia/Seoul")
LUNCH, AFTERNOON, DINNER, LATE = "lunch", "afternoon", "dinner", "late"
# id: (name, kind, base weight, {band: multiplier}, weekend multiplier). Late night (21:00-01:00) is the 2차:
# 안주 and drinks, few meals; weekday lunch is office workers' meals, almost no alcohol.
MENU = {
    1: ("kimchi stew", "main", 5, {LUNCH: 2.0, AFTERNOON: 1.0, DINNER: 0.6, LATE: 0.3}, 0.7),
    2: ("bibimbap", "main", 4, {LUNCH: 2.0, AFTERNOON: 1.2, DINNER: 0.3, LATE: 0.1}, 0.8),
    3: ("bulgogi", "main", 4, {LUNCH: 0.6, AFTERNOON: 0.8, DINNER: 1.6, LATE: 0.4}, 1.3),
    4: ("pork belly", "main", 4, {LUNCH: 0.1, AFTERNOON: 0.4, DINNER: 2.2, LATE: 0.8}, 1.3),
    5: ("cold noodles", "main", 3, {LUNCH: 1.6, AFTERNOON: 1.4, DINNER: 0.6, LATE: 0.2}, 1.0),
    6: ("seafood pancake", "main", 2, {LUNCH: 0.3, AFTERNOON: 0.8, DINNER: 1.0, LATE: 2.5}, 1.5),
    11: ("rolled omelette", "side", 3, {LUNCH: 0.8, AFTERNOON: 1.0, DINNER: 1.0, LATE: 1.8}, 1.0),
    12: ("steamed egg", "side", 3, {LUNCH: 1.0, AFTERNOON: 1.0, DINNER: 1.0, LATE: 0.6}, 1.0),
    13: ("lettuce wraps", "side", 2, {LUNCH: 0.4, AFTERNOON: 0.6, DINNER: 1.6, LATE: 0.3}, 1.2),
    14: ("dumplings", "side", 3, {LUNCH: 1.2, AFTERNOON: 1.2, DINNER: 0.8, LATE: 1.4}, 1.0),
    15: ("japchae", "side", 2, {LUNCH: 0.8, AFTERNOON: 1.0, DINNER: 1.2, LATE: 0.8}, 1.1),
    21: ("cola", "drink", 5, {LUNCH: 1.2, AFTERNOON: 1.2, DINNER: 0.8, LATE: 0.5}, 1.0),
    22: ("cider", "drink", 3, {LUNCH: 1.2, AFTERNOON: 1.2, DINNER: 0.7, LATE: 0.4}, 1.0),
    23: ("soju", "drink", 4, {LUNCH: 0.03, AFTERNOON: 0.3, DINNER: 2.0, LATE: 2.6}, 1.4),
    24: ("beer", "drink", 4, {LUNCH: 0.05, AFTERNOON: 0.5, DINNER: 1.8, LATE: 2.4}, 1.5),
    25: ("makgeolli", "drink", 2, {LUNCH: 0.02, AFTERNOON: 0.4, DINNER: 1.0, LATE: 2.5}, 1.8),
    26: ("iced coffee", "drink", 3, {LUNCH: 1.8, AFTERNOON: 1.0, DINNER: 0.1, LATE: 0.0}, 0.8),
}
# main -> items that go with it
GOES_WITH = {1: [11, 21], 2: [12, 22], 3: [13, 24], 4: [13, 23], 5: [14, 26], 6: [25, 15]}
PAIR_PROBABILITY = 0.5
NOISE_ITEMS = (0, 2)  # random extra items per visit
# When tables arrive: (band, first hour, peak hour, last hour, share of the day's visits) by day type. Weekday
# lunch is the office rush; weekends have a later, longer lunch, a busier afternoon and more late nights.
ARRIVALS = {
    "weekday": [(LUNCH, 11.0, 12.2, 14.0, 0.45), (AFTERNOON, 14.0, 15.0, 17.0, 0.04),
                (DINNER, 17.0, 19.0, 21.0, 0.36), (LATE, 21.0, 21.5, 25.0, 0.15)],
    "weekend": [(LUNCH, 11.0, 12.8, 14.5, 0.30), (AFTERNOON, 14.5, 15.5, 17.0, 0.10),
                (DINNER, 17.0, 18.8, 21.0, 0.38), (LATE, 21.0, 21.5, 25.0, 0.22)],
}
# visits per day relative to Monday-Thursday: Friday and Saturday nights are the week's busiest, Sunday is quiet
DAY_VOLUME = {4: 1.3, 5: 1.35, 6: 0.9}
# guests at a table, and how many mains a table shares: one each at lunch, a grill for two at dinner,
# mostly 안주 (the pancake) late at night
GUESTS = {LUNCH: [1, 1, 2, 2, 3, 4], AFTERNOON: [1, 2, 2, 3], DINNER: [2, 2, 3, 4, 4, 5], LATE: [2, 2, 3, 4]}
MAINS_PER_GUEST = {LUNCH: 1.0, AFTERNOON: 0.8, DINNER: 0.6, LATE: 0.4}


def band(at: datetime) -> str:
    h = at.hour
    if h < 5 or h >= 21:
        return LATE
    return LUNCH if h < 14 else AFTERNOON if h < 17 else DINNER


def _weekend(at: datetime) -> bool:
    """Saturday and Sunday, and the late night that follows Friday's and Saturday's dinner."""
    day = (at - timedelta(hours=5)).weekday()  # 00:30 on Saturday is still Friday night
    return day >= 5 or (day == 4 and band(at) == LATE)


def _weight(item: int, at: datetime) -> float:
    _name, _kind, base, by_band, weekend = MENU[item]
    return base * by_band[band(at)] * (weekend if _weekend(at) else 1.0)


def _choose(rng: random.Random, items: list[int], at: datetime) -> int:
    return rng.choices(items, weights=[_weight(i, at) for i in items])[0]


MAINS = [i for i, m in MENU.items() if m[1] == "main"]


def one_visit(rng: random.Random, at: datetime) -> list[int]:
    """A table's items in the order they are picked (each once)."""
    picked: list[int] = []
    guests = rng.choice(GUESTS[band(at)])
    mains = max(1, round(guests * MAINS_PER_GUEST[band(at)] + rng.uniform(-0.5, 0.5)))
    for _main in range(mains):
        main = _choose(rng, MAINS, at)
        picked.append(main)
        picked.extend(i for i in GOES_WITH[main] if rng.random() < PAIR_PROBABILITY)
    for _noise in range(rng.randint(*NOISE_ITEMS)):
        picked.append(_choose(rng, list(MENU), at))
    return list(dict.fromkeys(picked))


def _arrival(rng: random.Random, day: date) -> datetime:
    bands = ARRIVALS["weekend" if day.weekday() >= 5 else "weekday"]
    _band, low, peak, high, _share = rng.choices(bands, weights=[b[4] for b in bands])[0]
    hour = rng.triangular(low, high, peak)
    return datetime.combine(day, time(0), tzinfo=TZ) + timedelta(hours=hour)


def generate(rng: random.Random, first_day: date, days: int, per_day: int) -> list[tuple[datetime, list[int]]]:
    """(time, items in the order picked) of each table visit."""
    visits = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        for _ in range(int(per_day * DAY_VOLUME.get(day.weekday(), 1.0))):
            at = _arrival(rng, day)
            at = at.replace(second=0, microsecond=0)
            visits.append((at, one_visit(rng, at)))
    return sorted(visits, key=lambda v: v[0])


def oracle(at: datetime, rng: random.Random, n: int = 3000) -> list[int]:
    """The ceiling: items by how often the generator itself puts them in a visit at this time."""
    counts: dict[int, int] = defaultdict(int)
    for _ in range(n):
        for i in one_visit(rng, at):
            counts[i] += 1
    return sorted(counts, key=lambda i: (-counts[i], i))


def train(visits):
    items: dict[int, int] = defaultdict(int)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    slots: dict[tuple, int] = defaultdict(int)
    sold: dict[int, int] = defaultdict(int)
    for at, bought in visits:
        item_delta, pair_delta = visit_delta(set(), set(bought))
        for k, v in item_delta.items():
            items[k] += v
        for k, v in pair_delta.items():
            pairs[k] += v
        for i in bought:  # one of each per visit: quantities do not change the ranking's shape
            slots[(at.date(), at.hour, i)] += 1
            sold[i] += 1
    visits_n = items.pop(0)
    assoc = Associations(visits_n, dict(items), dict(pairs))
    return assoc, [(d, h, i, q) for (d, h, i), q in slots.items()], sold


def _score(ranked: list[int], target: int) -> tuple[int, float]:
    if target not in ranked:
        return 0, 0.0
    rank = ranked.index(target) + 1
    return int(rank <= 3), 1.0 / rank


def _report(name: str, results: dict[str, list[tuple[int, float]]]) -> None:
    print(f"\n{name}")
    print("| ranking | lookups | hit-rate@3 | MRR |\n| --- | ---: | ---: | ---: |")
    figures = {}
    for label, scores in results.items():
        hit = sum(h for h, _ in scores) / len(scores)
        mrr = sum(r for _, r in scores) / len(scores)
        figures[label] = (hit, mrr)
        print(f"| {label} | {len(scores)} | {hit:.3f} | {mrr:.3f} |")
    (model, (mh, mm)), (base, (bh, bm)) = figures.items()
    print(f"{model} / {base}: hit-rate@3 x{mh / bh:.2f}, MRR x{mm / bm:.2f} (target >= 1.5)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--visits-per-day", type=int, default=70)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    first = date(2026, 9, 7)  # a Monday
    history = generate(rng, first, args.weeks * 7, args.visits_per_day)
    split = datetime.combine(first + timedelta(weeks=args.weeks - 1), time.min, tzinfo=TZ)
    train_visits = [v for v in history if v[0] < split]
    test_visits = [v for v in history if v[0] >= split]
    assoc, slot_rows, sold = train(train_visits)
    print(f"{len(train_visits)} training visits ({args.weeks - 1} weeks), {len(test_visits)} held out (the last "
          f"week), {len(MENU)} items, seed {args.seed}")

    by_visits = sorted(assoc.items, key=lambda i: (-assoc.items[i], i))
    pairs_result: dict[str, list] = {"goes well with": [], "popularity": []}
    for _at, bought in test_visits:
        if len(bought) < 2:
            continue
        for target in sorted(bought):
            cart = set(bought) - {target}
            pairs_result["goes well with"].append(_score(assoc.ranking(cart), target))
            pairs_result["popularity"].append(_score([i for i in by_visits if i not in cart], target))
    _report('"goes well with" (leave one out of each held-out visit)', pairs_result)

    all_time = sorted(sold, key=lambda i: (-sold[i], i))
    rows_by_day: dict[date, list] = defaultdict(list)
    for row in slot_rows:
        rows_by_day[row[0]].append(row)
    # what the menu carries to the tablet: each item's best partners (every item is on offer here)
    partners = offerable_partners({c: assoc.partners(c, limit=len(assoc.items)) for c in assoc.items}, set(MENU))
    now_result: dict[str, list] = {"popular now, for the visit": [], "all-time popularity": []}
    by_time, by_partners, ceiling = [], [], []
    first_picks: dict[str, list] = {"popular now": [], "all-time popularity": []}  # nothing in the visit yet
    cache: dict[tuple, dict[int, float]] = {}
    truth: dict[tuple, list[int]] = {}
    oracle_rng = random.Random(args.seed + 1000)
    for at, bought in test_visits:
        key = (at.date(), at.hour)
        if key not in cache:  # what the app's query reads: the last WEEKS weeks (and a day), near this hour
            near = {(at.hour + step) % 24 for step in (-1, 0, 1)}
            rows = [r for n in range(WEEKS * 7 + 2) for r in rows_by_day.get(at.date() - timedelta(days=n), [])
                    if r[1] in near]
            cache[key] = popular_shares(rows, at)
        kind = (_weekend(at), at.weekday() >= 5, at.hour)
        if kind not in truth:
            truth[kind] = oracle(at.replace(minute=30), oracle_rng)
        chosen: set[int] = set()
        for target in bought:  # in the order picked: the tablet never offers what the visit already has
            shares = cache[key]
            now_result["popular now, for the visit"].append(_score(rank_for_visit(shares, partners, chosen), target))
            now_result["all-time popularity"].append(_score([i for i in all_time if i not in chosen], target))
            alone = rank_for_visit(shares, {}, chosen)
            by_time.append(_score(alone, target))
            pairs = rank_partners(partners, chosen)
            by_partners.append(_score(pairs + [i for i in alone if i not in pairs], target))
            ceiling.append(_score([i for i in truth[kind] if i not in chosen], target))
            if not chosen:
                first_picks["popular now"].append(now_result["popular now, for the visit"][-1])
                first_picks["all-time popularity"].append(now_result["all-time popularity"][-1])
            chosen.add(target)
    _report('"popular now" (each item of each held-out visit, at its weekday and hour, given the items picked '
            'before it in the visit)', now_result)
    base = sum(h for h, _ in now_result["all-time popularity"]) / len(ceiling)
    for label, scores in (("popular now by time alone (the visit's items only left out)", by_time),
                          ('"goes well with" the visit alone (by time alone for its first pick)', by_partners),
                          ("ceiling for rankings by time alone: the generator's own odds at that weekday and hour "
                           "(the visit's items only left out)", ceiling)):
        hit, mrr = sum(h for h, _ in scores) / len(scores), sum(r for _, r in scores) / len(scores)
        print(f"{label}: hit-rate@3 {hit:.3f} (x{hit / base:.2f} the all-time baseline), MRR {mrr:.3f}")
    _report("the first pick of each held-out visit alone (nothing in the visit yet: by time alone)", first_picks)
    return 0


if __name__ == "__main__":
    sys.exit(main())

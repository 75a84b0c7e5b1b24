"""Recommendation quality on a generated order history, time-split: train on the earlier weeks, test on the last.

    .venv/bin/python bench/recommendations.py [--weeks 10] [--visits-per-day 70] [--seed 1]

The history has real structure: each main has sides and drinks that go with it (ordered with it in about
half the visits), lunch and dinner menus differ, weekends sell more drinks and sharing plates, and there is
noise (items picked at random, by their overall popularity). Visits are table visits of one to four guests.

Both rankings are the app's own code (services/read_models/recommendations.py): the visit counts are summed
with `visit_delta` and ranked by `Associations.ranking`; "popular now" weighs (day, hour, item, quantity)
rows, as the `sales_item_hour` aggregate holds them, with `slot_weights` and `rank_slots`. Only the
training weeks are counted. Then, over every visit of the held-out last week:

* "goes well with": leave one out: for each item of a visit with two or more items, the cart is the rest
  of the visit, and the held-out item is looked up in the ranking (the cart's items left out). Baseline:
  the items of most training visits (popularity), the cart's left out.
* "popular now": for each item a visit ordered, its place in the ranking for the visit's weekday and
  hour. Baseline: all-time quantity sold in the training weeks.

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
    Associations,
    rank_slots,
    slot_weights,
    visit_delta,
)

TZ = ZoneInfo("Asia/Seoul")
# id: (name, kind, base weight, lunch, dinner, weekend) - the last three multiply the weight then
MENU = {
    1: ("kimchi stew", "main", 5, 2.0, 0.4, 0.8), 2: ("bibimbap", "main", 4, 2.0, 0.3, 0.8),
    3: ("bulgogi", "main", 4, 0.5, 1.6, 1.2), 4: ("pork belly", "main", 4, 0.1, 2.0, 1.4),
    5: ("cold noodles", "main", 3, 1.6, 0.5, 1.0), 6: ("seafood pancake", "main", 2, 0.3, 1.5, 1.8),
    11: ("rolled omelette", "side", 3, 1.0, 1.0, 1.0), 12: ("steamed egg", "side", 3, 1.0, 1.0, 1.0),
    13: ("lettuce wraps", "side", 2, 0.6, 1.4, 1.2), 14: ("dumplings", "side", 3, 1.2, 0.8, 1.0),
    15: ("japchae", "side", 2, 0.8, 1.2, 1.1),
    21: ("cola", "drink", 5, 1.2, 0.9, 1.0), 22: ("cider", "drink", 3, 1.2, 0.8, 1.0),
    23: ("soju", "drink", 4, 0.05, 2.0, 1.5), 24: ("beer", "drink", 4, 0.1, 1.8, 1.6),
    25: ("makgeolli", "drink", 2, 0.05, 1.5, 2.0), 26: ("iced coffee", "drink", 3, 2.0, 0.1, 0.8),
}
# main -> items that go with it
GOES_WITH = {1: [11, 21], 2: [12, 22], 3: [13, 24], 4: [13, 23], 5: [14, 26], 6: [25, 15]}
PAIR_PROBABILITY = 0.5
NOISE_ITEMS = (0, 2)  # random extra items per visit


def _weight(item: int, at: datetime) -> float:
    _name, _kind, base, lunch, dinner, weekend = MENU[item]
    w = base * (lunch if at.hour < 16 else dinner)
    return w * (weekend if at.weekday() >= 5 else 1.0)


def _choose(rng: random.Random, items: list[int], at: datetime) -> int:
    return rng.choices(items, weights=[_weight(i, at) for i in items])[0]


MAINS = [i for i, m in MENU.items() if m[1] == "main"]


def one_visit(rng: random.Random, at: datetime) -> set[int]:
    items: set[int] = set()
    for _guest in range(rng.choice([1, 2, 2, 3, 4])):
        main = _choose(rng, MAINS, at)
        items.add(main)
        items.update(i for i in GOES_WITH[main] if rng.random() < PAIR_PROBABILITY)
    for _noise in range(rng.randint(*NOISE_ITEMS)):
        items.add(_choose(rng, list(MENU), at))
    return items


def generate(rng: random.Random, first_day: date, days: int, per_day: int) -> list[tuple[datetime, set[int]]]:
    """(time, items) of each table visit."""
    visits = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        busy = 1.3 if day.weekday() >= 4 else 1.0
        for _ in range(int(per_day * busy)):
            hour = rng.uniform(11, 14.5) if rng.random() < 0.45 else rng.uniform(17, 22)
            at = datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=TZ)
            visits.append((at, one_visit(rng, at)))
    return visits


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
        item_delta, pair_delta = visit_delta(set(), bought)
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
            cart = bought - {target}
            pairs_result["goes well with"].append(_score(assoc.ranking(cart), target))
            pairs_result["popularity"].append(_score([i for i in by_visits if i not in cart], target))
    _report('"goes well with" (leave one out of each held-out visit)', pairs_result)

    all_time = sorted(sold, key=lambda i: (-sold[i], i))
    rows_by_day: dict[date, list] = defaultdict(list)
    for row in slot_rows:
        rows_by_day[row[0]].append(row)
    now_result: dict[str, list] = {"popular now": [], "all-time popularity": []}
    ceiling = []
    cache: dict[tuple, list[int]] = {}
    truth: dict[tuple, list[int]] = {}
    oracle_rng = random.Random(args.seed + 1000)
    for at, bought in test_visits:
        key = (at.date(), at.hour)
        if key not in cache:
            weights = slot_weights(at, TZ)
            cache[key] = rank_slots([r for d in {d for d, _ in weights} for r in rows_by_day.get(d, [])], weights)
        kind = (at.weekday() >= 5, at.hour)
        if kind not in truth:
            truth[kind] = oracle(at.replace(minute=30), oracle_rng)
        for target in bought:
            now_result["popular now"].append(_score(cache[key], target))
            now_result["all-time popularity"].append(_score(all_time, target))
            ceiling.append(_score(truth[kind], target))
    _report('"popular now" (each item of each held-out visit, at its weekday and hour)', now_result)
    hit = sum(h for h, _ in ceiling) / len(ceiling)
    base = sum(h for h, _ in now_result["all-time popularity"]) / len(ceiling)
    print(f"ceiling (the generator's own odds at that hour, not learnable better): hit-rate@3 {hit:.3f}, "
          f"x{hit / base:.2f} the all-time baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())

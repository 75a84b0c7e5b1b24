"""The demo store's options, stations and item tags: what a real Korean menu asks (맵기 on the stews,
곱빼기 on the noodles, 사리 추가 with a price, 우동사리 counted: the kitchen preps a tray a night)."""

from sqlmodel import Session

from ..domain.models import Category, ItemOptionGroup, MenuItem, MenuOption, OptionGroup

UDON_PORTIONS = 20  # fresh udon comes in trays; when tonight's are gone, 우동사리 is sold out

# key: ((name_ko, name_en), min, max, [(option ko, option en, price delta[, stock])], items asking it).
# A stock counts how many more lines may choose the option (None or absent: unlimited).
GROUPS = {
    "spicy": (("맵기", "Spice level"), 1, 1, [("순한맛", "Mild", 0), ("보통", "Medium", 0), ("매운맛", "Hot", 0)],
              ["kimchi_jjigae", "doenjang_jjigae", "jeyuk_bokkeum", "tteokbokki"]),
    "portion": (("양", "Portion"), 1, 1, [("보통", "Regular", 0), ("곱빼기", "Large", 2000)], ["naengmyeon"]),
    "extras": (("사리 추가", "Extras"), 0, 3,
               [("라면사리", "Ramen noodles", 2000), ("우동사리", "Udon noodles", 2000, UDON_PORTIONS),
                ("치즈", "Cheese", 1500)],
               ["kimchi_jjigae", "tteokbokki"]),
}
# key: (allergen codes, spicy level, vegetarian)
TAGS = {
    "bibimbap": ("egg,soybean,wheat,beef", 1, False),
    "kimchi_jjigae": ("soybean,pork", 2, False),
    "doenjang_jjigae": ("soybean", 0, True),
    "bulgogi": ("soybean,wheat,beef", 0, False),
    "jeyuk_bokkeum": ("soybean,wheat,pork", 2, False),
    "naengmyeon": ("egg,buckwheat,wheat,beef", 0, False),
    "fried_chicken": ("soybean,wheat,chicken", 1, False),
    "tteokbokki": ("egg,wheat", 2, False),
    "kimchi_jeon": ("wheat", 1, True),
    "gyeran_mari": ("egg", 0, True),
}
STATIONS = {"drinks": "바"}  # the rest are made in the main kitchen


def add_demo_options(s: Session, store_id: int, items: dict[str, MenuItem], categories: dict[str, int]) -> None:
    for order, (_key, ((ko, en), lo, hi, options, asked_by)) in enumerate(GROUPS.items(), start=1):
        group = OptionGroup(store_id=store_id, name_ko=ko, name_en=en, min_select=lo, max_select=hi, sort_order=order)
        s.add(group)
        s.flush()
        for n, (oko, oen, delta, *stock) in enumerate(options, start=1):
            s.add(MenuOption(store_id=store_id, group_id=group.id, name_ko=oko, name_en=oen, price_delta=delta,
                             stock=stock[0] if stock else None, sort_order=n))
        for key in asked_by:
            s.add(ItemOptionGroup(menu_item_id=items[key].id, group_id=group.id, sort_order=order))
    for key, (allergens, spicy, vegetarian) in TAGS.items():
        items[key].allergens, items[key].spicy_level, items[key].vegetarian = allergens, spicy, vegetarian
        s.add(items[key])
    for key, station in STATIONS.items():
        category = s.get(Category, categories[key])
        category.station = station
        s.add(category)
    s.flush()

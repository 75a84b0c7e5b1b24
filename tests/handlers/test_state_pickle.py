"""What Reflex stores in Redis for a state leaves out the computed vars' cached values, and keeps
everything they are computed from (session_state.SessionState.__getstate__)."""

import pickle

from reflex.state import State

from hiorder_app.states.tablet_state import TabletState


def test_a_tablets_pickle_keeps_its_vars_but_not_the_computed_caches():
    root = State(_reflex_internal_init=True)
    tablet = root.get_substate(TabletState.get_full_name().split(".")[1:])
    tablet.categories = [{"key": "2", "name_ko": "찌개", "name_en": "Stews"}]
    tablet.cart = {"12": 2}
    shown = tablet.category_tabs  # computed, and cached on the instance
    assert any(k.startswith("__cached_") for k in vars(tablet))

    _, loaded = pickle.loads(tablet._serialize())

    assert not [k for k in vars(loaded) if k.startswith("__cached_")]
    assert loaded.categories == tablet.categories and loaded.cart == {"12": 2}
    # computed again from what was stored, the same as before
    assert TabletState.category_tabs.fget(loaded) == shown

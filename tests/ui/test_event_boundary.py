"""Every event handler of every state, sent payloads of the wrong shape over the app's real event socket,
by an anonymous browser, a table's tablet and the store's admin: each payload is refused with one
warning line, nothing is logged as an error or with a traceback, and the database does not change.

The handlers are found by introspection (a new one is covered without touching this file); what each
accepts is read from its own argument model (states/boundary.py), so a payload counts as wrong only if
that model refuses it. Values that must be refused wherever they are sent (None, nested lists and
dicts, 100 kB of text, control characters, numbers out of range) are checked to be refused by every
argument and form field, so the generator cannot quietly narrow itself to nothing."""

import hashlib
import importlib
import inspect
import pkgutil
import typing

import pydantic
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiorder_app import states
from hiorder_app.services.db import get_engine
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_TABLE_PASSWORD
from hiorder_app.states.session_state import SessionState, page_states
from tests.ui import backend_log
from tests.ui.event_socket import EventSocket, backend_url, event_name, sign_in

# The backend runs in threads of this process and uses the `random` module while a strategy draws,
# which Hypothesis takes for the strategy's own use of it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module:hypothesis.errors.HypothesisDeprecationWarning")

HUGE = "가" * 35_000  # about 100 kB as UTF-8
ALWAYS_BAD = [None, [[{}]], {"a": {"b": [None]}}, HUGE, "\x1b[2J\x00", 10**30]
SOMETIMES_BAD = [0, -1, 1.5, True, "", "15", "🍜", "👨‍👩‍👧 한국어", "\u202egnp.exe", "line\nbreak", [], ["15"], {},
                 {"__reflex_form_data__": 5}, 2**31]
# Tables the background jobs may write while a test runs (the outbox relay marks events published).
NOT_COMPARED = {"outbox_event", "alembic_version"}


def all_handlers():
    # Every state module, as the app imports them: a state nobody imports yet is still found.
    for module in pkgutil.iter_modules(states.__path__):
        importlib.import_module(f"{states.__name__}.{module.name}")
    for cls in [SessionState, *page_states()]:
        for name in sorted(cls.event_handlers):
            yield pytest.param(cls, name, id=f"{cls.__name__}.{name}")


HANDLERS = list(all_handlers())


# ---- what a handler accepts ----------------------------------------------------------------------------
def _model(cls, name) -> type[pydantic.BaseModel] | None:
    return getattr(cls.event_handlers[name].fn, "arguments", None)


def _fields(annotation) -> dict[str, object] | None:
    """A form's fields and their types, or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        hints = typing.get_type_hints(annotation, include_extras=True)
        return {n: hints[n] for n in annotation.model_fields}
    return None


def _accepts(annotation, value) -> bool:
    adapter = pydantic.TypeAdapter(annotation, config=None if _fields(annotation) else pydantic.ConfigDict(
        strict=True, arbitrary_types_allowed=True))
    try:
        adapter.validate_python(value)
    except pydantic.ValidationError:
        return False
    return True


def _valid(annotation):
    """A value the annotation accepts, to stand beside the one wrong argument of a payload."""
    fields = _fields(annotation)
    if fields is not None:
        return {n: _valid(t) for n, t in fields.items()}
    for value in ("1", "x", 1, True, [], [{"errors": []}]):
        if _accepts(annotation, value):
            return value
    return None  # nothing JSON can carry (an upload): any value is wrong


def _arguments(cls, name) -> dict[str, object]:
    fn = cls.event_handlers[name].fn
    params = list(inspect.signature(fn).parameters.values())[1:]
    hints = typing.get_type_hints(fn, include_extras=True) if _model(cls, name) is None else {}
    return {p.name: hints.get(p.name, p.annotation) for p in params}


def refuses(cls, name, payload: dict) -> bool:
    model = _model(cls, name)
    if model is None:  # Reflex's own setvar: there is nothing it could set (no var has a setter)
        return payload.get("var_name") != "is_hydrated"
    try:
        model.model_validate(payload)
    except pydantic.ValidationError:
        return True
    return False


def wrong_shapes(cls, name) -> list[dict]:
    """The same list every run: each argument, and each form field, given each value that is wrong there,
    beside valid ones; a payload missing an argument; one with an argument nobody declared."""
    arguments = _arguments(cls, name)
    base = {n: _valid(t) for n, t in arguments.items()}
    payloads = [{**base, "unexpected": "1"}]
    if arguments:
        payloads.append({})
    for arg, annotation in arguments.items():
        for value in ALWAYS_BAD + SOMETIMES_BAD:
            payloads.append({**base, arg: value})
        for field in _fields(annotation) or {}:
            for value in ALWAYS_BAD + SOMETIMES_BAD:
                payloads.append({**base, arg: {**base[arg], field: value}})
    return [p for p in payloads if refuses(cls, name, p)]


def test_values_that_are_always_wrong_are_refused_by_every_argument():
    checked = 0
    for param in HANDLERS:
        cls, name = param.values
        if _model(cls, name) is None:
            continue
        arguments = _arguments(cls, name)
        base = {n: _valid(t) for n, t in arguments.items()}
        for arg, annotation in arguments.items():
            for value in ALWAYS_BAD:
                assert refuses(cls, name, {**base, arg: value}), (name, arg, repr(value)[:40])
                checked += 1
            for field in _fields(annotation) or {}:
                for value in ALWAYS_BAD:
                    assert refuses(cls, name, {**base, arg: {**base[arg], field: value}}), (name, field)
                    checked += 1
    assert checked > 300


# ---- driving the app ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def callers(app_harness):
    url = backend_url(app_harness)
    socks = {"anonymous": EventSocket(url), "table": EventSocket(url), "admin": EventSocket(url)}
    sign_in(socks["table"], "table8", DEMO_TABLE_PASSWORD)
    sign_in(socks["admin"], *DEMO_ADMIN)
    for sock in socks.values():
        sock.settle()
    yield socks
    for sock in socks.values():
        sock.close()


@pytest.fixture
def log():
    handler, loggers = backend_log.attach()
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


_TABLES: list[sa.Table] = []


def database_checksums() -> dict[str, str]:
    engine = get_engine()
    if not _TABLES:
        meta = sa.MetaData()
        meta.reflect(engine)
        _TABLES.extend(t for t in meta.sorted_tables if t.name not in NOT_COMPARED)
    sums = {}
    with engine.connect() as conn:
        for table in _TABLES:
            rows = conn.execute(sa.select(table).order_by(*(table.primary_key.columns or table.columns))).all()
            sums[table.name] = f"{len(rows)} rows, {hashlib.sha256(repr(rows).encode()).hexdigest()[:16]}"
    return sums


def drive(callers: dict[str, EventSocket], log, cls, name, payloads: list[dict]) -> None:
    before = database_checksums()
    log.clear()
    for sock in callers.values():
        for payload in payloads:
            sock.send(event_name(cls, name), payload)
    for sock in callers.values():
        sock.settle()
    lines = log.wait_for_boundary_lines(len(payloads) * len(callers))
    log.assert_quiet()
    # One line per refused payload: what was wrong where, never the value.
    assert len(lines) == len(payloads) * len(callers), lines[:5]
    assert all(len(line) < 400 for line in lines)
    assert database_checksums() == before


@pytest.mark.parametrize(("cls", "name"), HANDLERS)
def test_wrong_shapes_are_refused_without_a_trace(callers, log, cls, name):
    payloads = wrong_shapes(cls, name)
    assert payloads
    drive(callers, log, cls, name, payloads)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
nasty_text = (st.text(st.characters(categories=("Cc", "Cf")), min_size=1, max_size=6)
              | st.text(st.sampled_from("🍜🍺😀👨‍👩‍👧가"), min_size=1, max_size=6))


@st.composite
def generated_payload(draw, cls, name):
    arguments = _arguments(cls, name)
    payload = {n: _valid(t) for n, t in arguments.items()}
    value = draw(json_values | nasty_text)
    targets = [(a, None) for a in arguments] + [(a, f) for a, t in arguments.items() for f in _fields(t) or {}]
    if not targets:
        payload[draw(st.text(min_size=1, max_size=8))] = value
    else:
        arg, field = draw(st.sampled_from(targets))
        payload[arg] = value if field is None else {**payload[arg], field: value}
    return payload


@pytest.mark.parametrize(("cls", "name"), HANDLERS)
@settings(max_examples=2, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_generated_payloads_are_refused_without_a_trace(callers, log, cls, name, data):
    payloads = data.draw(st.lists(generated_payload(cls, name).filter(lambda p: refuses(cls, name, p)),
                                  min_size=3, max_size=6))
    drive(callers, log, cls, name, payloads)


def test_a_malformed_sign_in_reads_invalid_input_in_both_languages(app_harness, log):
    from hiorder_app.states.login_state import LoginState

    sock = EventSocket(backend_url(app_harness))
    sock.send(event_name(LoginState, "submit"), {"form": {"store": "demo", "username": ["admin"], "password": 1234}})
    assert sock.value(SessionState, "error_ko", where=bool) == "입력값이 올바르지 않아요."
    sock.send(event_name(SessionState, "toggle_lang"))
    assert sock.value(SessionState, "error", where=bool) == "Invalid input."
    sock.settle()
    # Where and what kind of wrong, never the value itself.
    assert log.boundary_lines() == [
        "LoginState.submit refused malformed input: form.username: string_type, form.password: string_type"]
    sock.close()

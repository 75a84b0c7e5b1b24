"""services.auth.throttle's pure rules: the delay schedule, a counter's step on a failure, the wait."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hiorder_app.services.auth.throttle import Backoff, after_failure, delay_seconds, wait_seconds

BACKOFFS = st.builds(Backoff, free_failures=st.integers(0, 20), first_delay=st.floats(0.001, 1e6),
                     max_delay=st.floats(0.001, 1e7), forget_after=st.timedeltas(timedelta(seconds=1)))
NOW = st.datetimes(datetime(2020, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
DEFAULT = Backoff(free_failures=3, first_delay=1.0, max_delay=300.0, forget_after=timedelta(hours=1))


def test_the_default_schedule():
    assert [delay_seconds(n, DEFAULT) for n in range(1, 14)] == [0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


@given(BACKOFFS, st.integers(0, 10**6))
def test_delays_start_after_the_free_failures_grow_and_stop_at_the_cap(backoff, failures):
    delay, following = delay_seconds(failures, backoff), delay_seconds(failures + 1, backoff)
    if failures < backoff.free_failures:
        assert delay == 0
    else:
        assert 0 < delay <= backoff.max_delay
        assert delay == min(backoff.max_delay, backoff.first_delay * 2 ** min(failures - backoff.free_failures, 64))
    assert delay <= following <= max(2 * delay, backoff.max_delay, delay_seconds(backoff.free_failures, backoff))


@given(BACKOFFS, st.integers(0, 1000), NOW, st.timedeltas(timedelta(0), timedelta(days=30)))
def test_a_failure_counts_on_a_recent_counter_and_restarts_a_forgotten_one(backoff, failures, now, ago):
    count, blocked_until = after_failure(failures, now - ago, now, backoff)
    assert count == (failures + 1 if ago < backoff.forget_after else 1)
    delay = delay_seconds(count, backoff)
    assert blocked_until == (now + timedelta(seconds=delay) if delay else None)
    assert after_failure(failures, None, now, backoff)[0] == 1


@given(NOW, st.timedeltas(timedelta(days=-30), timedelta(days=30)))
def test_the_wait_is_whole_seconds_rounded_up(now, remaining):
    wait = wait_seconds(now + remaining, now)
    if remaining <= timedelta(0):
        assert wait == 0
    else:
        assert wait >= 1 and wait - 1 < remaining.total_seconds() <= wait
    assert wait_seconds(None, now) == 0

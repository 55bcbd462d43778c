"""RetryPolicy and CircuitBreaker: examples plus hypothesis properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdock.hub.policy import CircuitBreaker, CircuitState, DeliveryBudget, RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FixedRandom:
    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


# --- RetryPolicy -------------------------------------------------------------------------


def test_exponential_schedule_without_jitter() -> None:
    policy = RetryPolicy(initial_backoff=1.0, multiplier=2.0, max_backoff=10.0, jitter=0.0)
    assert [policy.delay(a) for a in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_jitter_only_shortens() -> None:
    policy = RetryPolicy(initial_backoff=4.0, multiplier=2.0, max_backoff=100.0, jitter=0.5)
    assert policy.delay(1, FixedRandom(0.0)) == 4.0
    assert policy.delay(1, FixedRandom(0.5)) == 3.0
    assert policy.delay(1, FixedRandom(0.999999)) == pytest.approx(2.0, abs=1e-5)


def test_full_jitter_can_reach_zero() -> None:
    policy = RetryPolicy(initial_backoff=4.0, jitter=1.0)
    assert policy.delay(1, FixedRandom(0.999999)) == pytest.approx(0.0, abs=1e-5)


def test_huge_attempt_does_not_overflow() -> None:
    policy = RetryPolicy(initial_backoff=0.5, multiplier=3.0, max_backoff=60.0, jitter=0.0)
    assert policy.delay(100_000) == 60.0


def test_should_retry_counts_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(1)
    assert policy.should_retry(2)
    assert not policy.should_retry(3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"initial_backoff": -1.0},
        {"multiplier": 0.5},
        {"jitter": 1.5},
        {"jitter": -0.1},
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_attempt_is_one_based() -> None:
    with pytest.raises(ValueError):
        RetryPolicy().delay(0)


policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 50),
    initial_backoff=st.floats(0.0, 100.0),
    multiplier=st.floats(1.0, 10.0),
    max_backoff=st.floats(0.0, 3600.0),
    jitter=st.floats(0.0, 1.0),
)


@given(policies, st.integers(1, 10_000), st.integers(0, 2**32))
def test_delay_within_bounds(policy: RetryPolicy, attempt: int, seed: int) -> None:
    delay = policy.delay(attempt, random.Random(seed))
    base = policy.base_delay(attempt)
    assert 0.0 <= delay <= base <= policy.max_backoff
    assert delay >= base * (1.0 - policy.jitter) - 1e-9


@given(policies, st.integers(1, 10_000))
def test_base_delay_is_monotone_and_capped(policy: RetryPolicy, attempt: int) -> None:
    assert policy.base_delay(attempt) <= policy.base_delay(attempt + 1) <= policy.max_backoff


# --- CircuitBreaker ----------------------------------------------------------------------


def make_breaker(
    threshold: int = 3, reset: float = 10.0
) -> tuple[CircuitBreaker, FakeClock, list[tuple[str, str]]]:
    clock = FakeClock()
    changes: list[tuple[str, str]] = []

    def hook(breaker: CircuitBreaker, previous: CircuitState) -> None:
        changes.append((previous.value, breaker.state.value))

    breaker = CircuitBreaker(threshold, reset, clock=clock, on_change=hook, name="erp")
    return breaker, clock, changes


def state_of(breaker: CircuitBreaker) -> CircuitState:
    """Read the state through a call, so a type checker does not keep an earlier narrowing."""
    return breaker.state


def test_opens_after_consecutive_failures() -> None:
    breaker, clock, changes = make_breaker()
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED
    breaker.record_success()
    assert breaker.consecutive_failures == 0
    for _ in range(3):
        breaker.record_failure()
    assert state_of(breaker) is CircuitState.OPEN
    assert breaker.opened_at == clock.now
    assert not breaker.allow()
    assert changes == [("closed", "open")]


def test_half_open_allows_one_probe_and_success_closes() -> None:
    breaker, clock, changes = make_breaker()
    for _ in range(3):
        breaker.record_failure()
    clock.now += 9.9
    assert not breaker.allow()
    assert breaker.retry_in() == pytest.approx(0.1)
    clock.now += 0.1
    assert breaker.allow()
    assert breaker.state is CircuitState.HALF_OPEN
    assert not breaker.allow()
    assert not breaker.allow()
    breaker.record_success()
    assert state_of(breaker) is CircuitState.CLOSED
    assert breaker.opened_at is None
    assert breaker.allow() and breaker.allow()
    assert changes == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


def test_failed_probe_reopens_for_another_timeout() -> None:
    breaker, clock, changes = make_breaker()
    for _ in range(3):
        breaker.record_failure()
    clock.now += 10
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert breaker.opened_at == clock.now
    assert not breaker.allow()
    clock.now += 10
    assert breaker.allow()
    assert changes[-2:] == [("half_open", "open"), ("open", "half_open")]


def test_release_frees_an_unused_probe() -> None:
    breaker, clock, _ = make_breaker(threshold=1)
    breaker.record_failure()
    clock.now += 10
    assert breaker.allow()
    breaker.release()
    assert breaker.allow()


def test_late_success_while_open_does_not_close() -> None:
    breaker, _, _ = make_breaker(threshold=1)
    breaker.record_failure()
    breaker.record_success()
    assert breaker.state is CircuitState.OPEN


def test_manual_reset_closes() -> None:
    breaker, _, changes = make_breaker(threshold=1)
    breaker.record_failure()
    breaker.reset()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.consecutive_failures == 0
    assert changes == [("closed", "open"), ("open", "closed")]


ops = st.lists(
    st.one_of(
        st.just("allow"),
        st.just("success"),
        st.just("failure"),
        st.just("release"),
        st.floats(0.0, 20.0),
    ),
    max_size=200,
)


@given(ops, st.integers(1, 5), st.floats(0.0, 15.0))
def test_never_two_probes_while_half_open(
    ops: list[str | float], threshold: int, reset: float
) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold, reset, clock=clock)
    granted_in_half_open = 0
    outstanding_probe = False
    for op in ops:
        if isinstance(op, float):
            clock.now += op
            continue
        before = breaker.state
        if op == "allow":
            allowed = breaker.allow()
            if breaker.state is CircuitState.HALF_OPEN and allowed:
                # Only one probe may be outstanding at any time.
                assert not outstanding_probe
                outstanding_probe = True
                granted_in_half_open += 1
            if before is CircuitState.OPEN and breaker.state is CircuitState.OPEN:
                assert not allowed
        elif op == "success":
            breaker.record_success()
        elif op == "failure":
            breaker.record_failure()
        else:
            breaker.release()
        if op in ("success", "failure", "release") and before is CircuitState.HALF_OPEN:
            outstanding_probe = False
        if breaker.state is not CircuitState.HALF_OPEN:
            outstanding_probe = False
        assert breaker.state is not CircuitState.CLOSED or breaker.opened_at is None
        assert breaker.state is CircuitState.CLOSED or breaker.opened_at is not None
        assert breaker.probe_in_flight == outstanding_probe


# --- DeliveryBudget ------------------------------------------------------------------------


def test_budget_counts_time_not_attempts_by_default() -> None:
    budget = DeliveryBudget()  # 3 days, no cap on attempts
    assert budget.max_age == 3 * 86_400 and budget.max_attempts is None
    assert budget.exhausted(attempts=10_000, age=4 * 3600.0) is None
    assert budget.exhausted(attempts=1, age=3 * 86_400 - 1) is None
    assert budget.exhausted(attempts=7, age=3 * 86_400 + 3700) == (
        "endpoint failing: gave up after 7 attempt(s) over 3d 1h (max_age 3d)"
    )


def test_budget_with_a_cap_on_attempts() -> None:
    budget = DeliveryBudget(max_age=60.0, max_attempts=3)
    assert budget.exhausted(2, 1.0) is None
    assert budget.exhausted(3, 1.0) == "retries exhausted after 3 attempt(s)"
    assert budget.exhausted(1, 90.0) == (
        "endpoint failing: gave up after 1 attempt(s) over 1m 30s (max_age 1m)"
    )


@pytest.mark.parametrize(("max_age", "max_attempts"), [(0.0, None), (-1.0, None), (1.0, 0)])
def test_budget_rejects_nonsense(max_age: float, max_attempts: int | None) -> None:
    with pytest.raises(ValueError):
        DeliveryBudget(max_age=max_age, max_attempts=max_attempts)


@given(st.integers(min_value=1, max_value=10**6), st.floats(min_value=0, max_value=1e9))
def test_budget_gives_up_exactly_at_max_age(attempts: int, age: float) -> None:
    budget = DeliveryBudget(max_age=3600.0)
    assert (budget.exhausted(attempts, age) is None) == (age < 3600.0)

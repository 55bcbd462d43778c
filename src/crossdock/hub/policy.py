"""Delivery policy: how long to wait between attempts, when to give a delivery up, and when
to stop calling a receiver.

Pure logic with no I/O: time and randomness are injected, so the runtime can persist what it
needs and tests never sleep.
"""

from __future__ import annotations

import enum
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class RandomSource(Protocol):
    """Anything with ``random() -> float`` in [0, 1), such as :class:`random.Random`."""

    def random(self) -> float: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with proportional jitter, capped, for one endpoint's deliveries.

    Jitter spreads retries from many deliveries that failed together (a receiver outage), so
    they do not hammer the receiver in lockstep when it comes back. The jitter only ever
    shortens a delay, so ``max_backoff`` is a hard ceiling and the un-jittered schedule is an
    upper bound operators can reason about.

    Attributes:
        max_attempts: Attempts in total (the first one included) before a dead letter.
        initial_backoff: Delay in seconds after the first failed attempt.
        multiplier: Growth factor per further failed attempt (>= 1).
        max_backoff: Ceiling on any delay, in seconds.
        jitter: Fraction in [0, 1] of the delay that is randomised away: the delay lies in
            ``[base * (1 - jitter), base]``; 1.0 is "full jitter", 0.0 is deterministic.
    """

    max_attempts: int = 10
    initial_backoff: float = 1.0
    multiplier: float = 2.0
    max_backoff: float = 300.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("backoffs must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be within [0, 1]")

    def base_delay(self, attempt: int) -> float:
        """The un-jittered delay after failed attempt number ``attempt`` (1-based), capped."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        cap = self.max_backoff
        if self.initial_backoff == 0 or cap == 0:
            return 0.0
        # Compare exponents in log space so attempt 10_000 does not overflow a float.
        log_growth = (attempt - 1) * math.log(self.multiplier)
        log_initial = math.log(self.initial_backoff)
        if log_initial + log_growth >= math.log(cap):
            return cap
        try:
            return min(cap, self.initial_backoff * self.multiplier ** (attempt - 1))
        except OverflowError:  # a subnormal initial backoff times a huge growth factor
            return min(cap, math.exp(log_initial + log_growth))

    def delay(self, attempt: int, rng: RandomSource | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) before the next.

        Args:
            attempt: How many attempts have been made so far (>= 1).
            rng: Source of randomness; the module's shared generator when omitted.
        """
        base = self.base_delay(attempt)
        if self.jitter == 0 or base == 0:
            return base
        r = (rng or random).random()
        return base * (1.0 - self.jitter * r)

    def should_retry(self, attempts: int) -> bool:
        """Whether another attempt is allowed after ``attempts`` failed ones."""
        return attempts < self.max_attempts


class Outcome(enum.StrEnum):
    """What one delivery attempt says, and so who it counts against.

    Only the endpoint's own trouble is evidence that the endpoint is down: that alone feeds
    its circuit and is retried. A receiver that answered "no" is up (retrying the same bytes
    cannot change its mind), and a message the hub could not even turn into a request (a
    control character bound for a header, a URL template it breaks) says nothing about the
    receiver at all: letting either count would let a few bad documents open the circuit and
    hold back every good one behind them.
    """

    DELIVERED = "delivered"
    #: Connect error, timeout, 5xx, 408/425/429: retry; counts for the circuit.
    ENDPOINT_FAILURE = "endpoint_failure"
    #: Any other 4xx (or 3xx): dead letter at once; the receiver is up.
    REJECTED = "rejected"
    #: Raised while building the request from the message: dead letter at once, no circuit.
    MESSAGE_FAILURE = "message_failure"


#: How a dead letter's error starts, per outcome: operators (and the exception sweep) read it.
DEAD_LETTER_REASONS = {
    Outcome.REJECTED: "rejected by receiver",
    Outcome.MESSAGE_FAILURE: "message failure",
}

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class DeliveryBudget:
    """How long one delivery may keep meeting a failing endpoint before it becomes a dead letter.

    A time budget rather than a count: while an endpoint is down its circuit is open and its
    deliveries are not even attempted, so a count would measure how often the circuit
    probed, not how long the receiver has been gone. Days by default, so an outage of hours
    drains by itself when the receiver returns, in order, with nobody retrying dead letters
    by hand.

    Attributes:
        max_age: Seconds since the delivery was created (or replayed) after which a further
            endpoint failure makes it a dead letter.
        max_attempts: An optional cap on attempts as well (None: only the age counts).
    """

    max_age: float = 3 * DAY
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.max_age <= 0:
            raise ValueError("max_age must be positive")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def exhausted(self, attempts: int, age: float) -> str | None:
        """Why a delivery that just failed on its endpoint should stop, or None to retry.

        Args:
            attempts: Attempts made so far, this one included.
            age: Seconds since the delivery was created (or replayed).
        """
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return f"retries exhausted after {attempts} attempt(s)"
        if age >= self.max_age:
            return (
                f"endpoint failing: gave up after {attempts} attempt(s) over "
                f"{_duration(age)} (max_age {_duration(self.max_age)})"
            )
        return None


def _duration(seconds: float) -> str:
    """3d 4h, 2h 5m, 40s: an age an operator reads at a glance."""
    s = int(seconds)
    days, rest = divmod(s, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"


class CircuitState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


Monotonic = Callable[[], float]
ChangeHook = Callable[["CircuitBreaker", CircuitState], None]


class CircuitBreaker:
    """Stops calling a receiver that keeps failing, then probes it with one request at a time.

    Without a breaker, a receiver outage makes every pending delivery burn an attempt (and its
    timeout) on every retry; with it, deliveries wait cheaply while the circuit is open and a
    single probe decides when traffic resumes.

    States: ``closed`` (everything allowed) opens after ``failure_threshold`` consecutive
    failures; ``open`` rejects until ``reset_timeout`` seconds have passed since it opened,
    then becomes ``half_open`` and lets exactly one probe through; the probe's success closes
    the circuit, its failure re-opens it for another ``reset_timeout``.

    The breaker cannot tell a probe's result from the late result of a call allowed before the
    circuit opened, so callers should only record results of calls it allowed since. A caller
    that was allowed through but did not make the call (cancelled) must call :meth:`release`,
    or a half-open circuit would wait forever for a probe that never ran.

    Args:
        failure_threshold: Consecutive failures that open the circuit (>= 1).
        reset_timeout: Seconds an open circuit waits before allowing a probe.
        clock: Monotonic seconds; injected so tests need no sleep.
        on_change: Called as ``on_change(breaker, previous_state)`` after every state change,
            so the runtime can persist the state for operators.
        name: The endpoint's logical name, for the hook's benefit.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        clock: Monotonic = time.monotonic,
        on_change: ChangeHook | None = None,
        name: str = "",
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_timeout < 0:
            raise ValueError("reset_timeout must not be negative")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.on_change = on_change
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> CircuitState:
        """The state as of the last call; an expired open circuit turns half-open in allow()."""
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def opened_at(self) -> float | None:
        """Clock reading when the circuit last opened; None while closed."""
        return self._opened_at

    @property
    def probe_in_flight(self) -> bool:
        return self._probe_in_flight

    def retry_in(self) -> float:
        """Seconds until allow() could say yes again (0 when it could now)."""
        if self._state is CircuitState.CLOSED:
            return 0.0
        if self._state is CircuitState.HALF_OPEN:
            return 0.0 if not self._probe_in_flight else self.reset_timeout
        assert self._opened_at is not None
        return max(0.0, self._opened_at + self.reset_timeout - self._clock())

    def allow(self) -> bool:
        """Whether a call may be made now. True in half-open means "you are the probe"."""
        if self._state is CircuitState.CLOSED:
            return True
        if self._state is CircuitState.OPEN:
            assert self._opened_at is not None
            if self._clock() - self._opened_at < self.reset_timeout:
                return False
            self._transition(CircuitState.HALF_OPEN)
        if self._probe_in_flight:
            return False
        self._probe_in_flight = True
        return True

    def release(self) -> None:
        """Give back a half-open probe slot whose call was never made."""
        self._probe_in_flight = False

    def record_success(self) -> None:
        """A call succeeded: reset the failure count; a successful probe closes the circuit."""
        if self._state is CircuitState.OPEN:
            # A late result from before the circuit opened proves little; wait for a probe.
            return
        self._failures = 0
        self._probe_in_flight = False
        if self._state is CircuitState.HALF_OPEN:
            self._opened_at = None
            self._transition(CircuitState.CLOSED)

    def record_failure(self) -> None:
        """A call failed (retryably): count it; open the circuit at the threshold or on a probe."""
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN:
            self._probe_in_flight = False
            self._open()
        elif self._state is CircuitState.CLOSED and self._failures >= self.failure_threshold:
            self._open()

    def reset(self) -> None:
        """Close the circuit by hand (an operator knows the receiver is back)."""
        self._failures = 0
        self._opened_at = None
        self._probe_in_flight = False
        self._transition(CircuitState.CLOSED)

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._transition(CircuitState.OPEN)

    def _transition(self, new: CircuitState) -> None:
        previous = self._state
        self._state = new
        # Re-opening from half-open is a change too (opened_at moved), so always notify
        # unless nothing happened at all.
        if self.on_change is not None and (previous is not new or new is CircuitState.OPEN):
            self.on_change(self, previous)

    def __repr__(self) -> str:
        return (
            f"CircuitBreaker(name={self.name!r}, state={self._state.value}, "
            f"failures={self._failures}, opened_at={self._opened_at})"
        )

"""The outbound queue of a sandbox system: events it sends to the hub, kept until delivered.

Real ERPs, WMSs and carriers do not lose an event because the receiver was down: they keep it
and retry (EasyPost retries webhooks, an ERP's integration queue waits). So every outbound event
goes into this queue first, with a stable ``Idempotency-Key``, and a background task sends them
in order with exponential backoff. A 2xx is delivered, a 4xx (other than 408/425/429) is a
rejection that is kept for inspection and never retried, anything else is retried forever. While
one event to a URL waits for its retry, later events to the same URL wait behind it, so a system
never reorders its own events unless a fault asks it to (see :mod:`crossdock.sandbox.faults`).

One sandbox system may stand for several companies (the supplier portal plays every supplier).
Each company sends from its own queue, so an event carries a ``lane`` (the sender) and lanes drain
side by side: four suppliers do not wait behind one another's documents, as they would not in
life, while each one's events stay in order.

The queue is part of the system's persisted state, so events still pending survive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from crossdock.sandbox.faults import Faults

_RETRYABLE_4XX = {408, 425, 429}


@dataclass
class RetryPolicy:
    """Backoff between attempts: ``base * factor**(attempt-1)`` capped at ``max_delay``, ±10 %."""

    base: float = 0.2
    factor: float = 2.0
    max_delay: float = 5.0
    timeout: float = 5.0

    def delay(self, attempts: int) -> float:
        raw = min(self.base * self.factor ** max(attempts - 1, 0), self.max_delay)
        return raw * random.uniform(0.9, 1.1)


@dataclass
class OutboundEvent:
    """One event to send; ``kind`` names the target (resolved to a URL at send time)."""

    seq: int
    kind: str
    key: str
    body: Any
    correlation: str | None = None
    created_at: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    status: str = "pending"  # pending | held | delivered | rejected | dropped | suppressed
    copies: int = 1
    new_key_copies: bool = False
    attempts: int = 0
    next_at: float = 0.0
    url: str | None = None
    response_status: int | None = None
    last_error: str | None = None
    delivered_at: str | None = None
    lane: str = ""


class Outbox:
    """Pending, held and recently finished outbound events of one system, and their sender."""

    def __init__(
        self,
        *,
        source: str,
        faults: Faults,
        resolve: Callable[[str], str],
        on_change: Callable[[], None],
        retry: RetryPolicy | None = None,
        history: int = 2000,
        credentials: Callable[[str], dict[str, str]] = lambda _url: {},
    ) -> None:
        self.source = source
        self.credentials = credentials  # the Authorization header for a URL (the hub's)
        self.faults = faults
        self.resolve = resolve
        self.on_change = on_change
        self.retry = retry or RetryPolicy()
        self.seq = 0
        self.pending: list[OutboundEvent] = []
        self.held: list[OutboundEvent] = []
        self.history: deque[OutboundEvent] = deque(maxlen=history)
        self.counters: dict[str, int] = dict.fromkeys(
            ("emitted", "delivered", "rejected", "dropped", "suppressed", "attempts", "failures"),
            0,
        )
        self.counters["duplicates_sent"] = 0
        self._wake: asyncio.Event | None = None

    def emit(
        self,
        kind: str,
        body: Any,
        *,
        key: str,
        correlation: str | None = None,
        created_at: str = "",
        headers: dict[str, str] | None = None,
        lane: str = "",
    ) -> OutboundEvent:
        """Queue an event, applying the silent / drop / duplicate / reorder faults."""
        self.seq += 1
        self.counters["emitted"] += 1
        ev = OutboundEvent(self.seq, kind, key, body, correlation, created_at, headers or {})
        ev.lane = lane
        faults = self.faults
        if faults.silent or faults.drop_next > 0:
            ev.status = "suppressed" if faults.silent else "dropped"
            if not faults.silent:
                faults.drop_next -= 1
            self.counters[ev.status] += 1
            self.history.append(ev)
        else:
            if faults.duplicate_next > 0:
                faults.duplicate_next -= 1
                ev.copies, ev.new_key_copies = 2, faults.duplicate_new_key
            if faults.reorder_next > 0:
                faults.reorder_next -= 1
                ev.status = "held"
                self.held.append(ev)
                if faults.reorder_next == 0:
                    self.release_held()
            else:
                self.pending.append(ev)
        self.on_change()
        self.wake()
        return ev

    def clear(self) -> None:
        """Forget every event and counter (the running sender keeps working on the empty queue)."""
        self.seq = 0
        self.pending.clear()
        self.held.clear()
        self.history.clear()
        self.counters = dict.fromkeys(self.counters, 0)

    def release_held(self) -> int:
        """Queue held events newest first (the out-of-order fault); returns how many."""
        count = len(self.held)
        for ev in reversed(self.held):
            ev.status = "pending"
            self.pending.append(ev)
        self.held.clear()
        self.wake()
        return count

    def flush(self) -> int:
        """Release held events and make every pending one due now; returns the pending count."""
        self.release_held()
        for ev in self.pending:
            ev.next_at = 0.0
        self.wake()
        return len(self.pending)

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Send due events until cancelled (started by the app's lifespan)."""
        self._wake = asyncio.Event()
        limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
        async with httpx.AsyncClient(timeout=self.retry.timeout, limits=limits) as client:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=0.05)
                self._wake.clear()
                await self.drain(client)

    async def drain(self, client: httpx.AsyncClient) -> None:
        """One pass over the pending events: each lane in order, lanes side by side."""
        if self.faults.outbound_blocked() or not self.pending:
            return
        lanes: dict[str, list[OutboundEvent]] = {}
        for ev in self.pending:
            lanes.setdefault(ev.lane, []).append(ev)
        if len(lanes) == 1:
            await self._drain_lane(client, next(iter(lanes.values())))
        else:
            await asyncio.gather(*(self._drain_lane(client, evs) for evs in lanes.values()))

    async def _drain_lane(self, client: httpx.AsyncClient, events: list[OutboundEvent]) -> None:
        """One lane's events in order, each URL blocked by its first failure."""
        blocked: set[str] = set()
        for ev in events:
            if self.faults.outbound_blocked():
                return
            url = self.resolve(ev.kind)
            if url in blocked or ev.next_at > time.time():
                blocked.add(url)
                continue
            if not await self._send(client, ev, url):
                blocked.add(url)
            self.on_change()

    async def _send(self, client: httpx.AsyncClient, ev: OutboundEvent, url: str) -> bool:
        ev.url = url
        ev.attempts += 1
        self.counters["attempts"] += 1
        content = ev.body if isinstance(ev.body, str) else orjson.dumps(ev.body)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": ev.key,
            "X-Crossdock-Source": self.source,
            "X-Sandbox-Event": ev.kind,
            **ev.headers,
            **self.credentials(url),
        }
        if ev.correlation:
            headers["X-Correlation-Key"] = ev.correlation
        try:
            response = await client.post(url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            return self._failed(ev, None, f"{type(exc).__name__}: {exc}")
        ev.response_status = response.status_code
        if response.is_success:
            for copy in range(1, ev.copies):
                if ev.new_key_copies:
                    headers["Idempotency-Key"] = f"{ev.key}.dup{copy}"
                try:
                    await client.post(url, content=content, headers=headers)
                    self.counters["duplicates_sent"] += 1
                except httpx.HTTPError:
                    pass  # a duplicate that does not arrive is just a normal run
            self._finish(ev, "delivered")
            return True
        if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX:
            ev.last_error = response.text[:500]
            self._finish(ev, "rejected")
            return True  # a rejection does not block the events behind it
        return self._failed(ev, response.status_code, response.text[:500])

    def _failed(self, ev: OutboundEvent, status: int | None, error: str) -> bool:
        self.counters["failures"] += 1
        ev.response_status, ev.last_error = status, error
        ev.next_at = time.time() + self.retry.delay(ev.attempts)
        return False

    def _finish(self, ev: OutboundEvent, status: str) -> None:
        ev.status = status
        ev.delivered_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.counters[status] += 1
        self.pending.remove(ev)
        self.history.append(ev)

    def summary(self) -> dict[str, Any]:
        return {**self.counters, "pending": len(self.pending), "held": len(self.held)}

    def events(self, status: str | None = None) -> list[OutboundEvent]:
        """Every event this outbox knows, oldest first; optionally only those with ``status``.

        Dataclasses, which orjson serializes natively (``asdict`` deep-copies every body, which
        made saving a large state slow)."""
        every = sorted([*self.history, *self.pending, *self.held], key=lambda e: e.seq)
        return [e for e in every if status is None or e.status == status]

    def dump(self) -> dict[str, Any]:
        """For the state file (orjson serializes the events as they are)."""
        return {
            "seq": self.seq,
            "counters": self.counters,
            "events": [*self.history, *self.pending, *self.held],
        }

    def load(self, data: dict[str, Any]) -> None:
        self.seq = int(data.get("seq", 0))
        self.counters.update(data.get("counters", {}))
        for raw in data.get("events", []):
            ev = OutboundEvent(**raw)
            if ev.status == "pending":
                ev.next_at = 0.0
                self.pending.append(ev)
            elif ev.status == "held":
                self.held.append(ev)
            else:
                self.history.append(ev)

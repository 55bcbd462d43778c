"""Load and accounting for fault tests: clients that keep posting purchase orders through a
fault, and the checks every fault test makes afterwards.

Each client owns a few purchase orders (correlation keys) and posts their revisions in turn:
revision r+1 of a PO only once r was acknowledged (202), retrying r with the same
Idempotency-Key through connection errors and 503s. So the order the client saw its 202s in
is the order each PO's revisions must reach the receiver in, and a retried post that was
recorded before the answer got lost must be recognized as a duplicate, not recorded twice.

The checks (`Ledger.verify`): every acknowledged message is in the log; every message in the
log was delivered; no idempotency key was recorded twice and no message reached the receiver
as two deliveries (resends under the same delivery key are what a receiver absorbs, counted
as `resent`); per PO the receiver saw the revisions in order. It prints what it counted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.auth_helpers import ADMIN_HEADERS
from tests.conftest import EXAMPLES
from tests.integration.hubproc import wait_for

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())


@dataclass
class Ledger:
    """What the clients sent and what the hub acknowledged."""

    sent: set[str] = field(default_factory=set)  # idempotency keys posted at least once
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotency key -> message id
    order: dict[str, list[str]] = field(default_factory=dict)  # PO -> message ids, ack order
    statuses: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, status: str, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.slowest = max(self.slowest, seconds)


class Clients:
    """`count` threads posting until stopped; `url()` says where the api is right now."""

    def __init__(
        self, url: Callable[[], str], *, count: int = 3, pos_each: int = 4, prefix: str = "PO"
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.ledger = Ledger()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=self._run, args=([f"{prefix}-{c}-{k}" for k in range(pos_each)],)
            )
            for c in range(count)
        ]

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def wait_acknowledged(self, at_least: int, timeout: float = 60) -> None:
        wait_for(lambda: len(self.ledger.acknowledged) >= at_least, timeout)

    def _run(self, pos: list[str]) -> None:
        revision = dict.fromkeys(pos, 0)
        with httpx.Client(timeout=30, headers=ADMIN_HEADERS) as client:
            while not self._stop.is_set():
                for po in pos:
                    if self._stop.is_set():
                        return
                    key = f"{po}.r{revision[po]}"
                    if self._post(client, po, key):
                        revision[po] += 1

    def _post(self, client: httpx.Client, po: str, key: str) -> bool:
        """One attempt; True once acknowledged. Failed attempts are retried by the caller's
        next round (same key), after a short pause."""
        doc = {**PO, "po_number": po, "notes": [key]}
        ledger = self.ledger
        with ledger.lock:
            ledger.sent.add(key)
        started = time.monotonic()
        try:
            response = client.post(
                f"{self.url()}/v1/messages/purchase_order",
                json=doc,
                headers={"Idempotency-Key": key},
            )
        except httpx.HTTPError as exc:
            ledger.answered(type(exc).__name__, time.monotonic() - started)
            time.sleep(0.2)  # the hub is restarting: no need to spin
            return False
        ledger.answered(str(response.status_code), time.monotonic() - started)
        if response.status_code != 202:
            time.sleep(0.05)
            return False
        with ledger.lock:
            ledger.acknowledged[key] = response.json()["id"]
            ledger.order.setdefault(po, []).append(response.json()["id"])
        return True


def sink_stats(sink_url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{sink_url}/_stats", params={"detail": 1}, timeout=10).json())


def logged(database_url: str, prefix: str) -> dict[str, tuple[str, str]]:
    """The message log's messages for the POs starting with `prefix`, read from the database:
    message id -> (idempotency key, PO)."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, idempotency_key, correlation_key FROM messages"
                    " WHERE correlation_key LIKE :prefix"
                ),
                {"prefix": f"{prefix}-%"},
            ).all()
    finally:
        engine.dispose()
    return {row.id: (row.idempotency_key, row.correlation_key) for row in rows}


def verify(
    name: str, clients: Clients, database_url: str, sink_url: str, timeout: float = 90
) -> None:
    """The checks every fault test makes, once the load has stopped (see the module doc)."""
    ledger, prefix = clients.ledger, clients.prefix
    log = logged(database_url, prefix)
    acked = set(ledger.acknowledged.values())

    def deliveries() -> list[dict[str, Any]]:
        found = sink_stats(sink_url)["deliveries"]
        return [d for d in found if str(d["correlation_key"]).startswith(f"{prefix}-")]

    def all_delivered() -> bool:
        return set(log) <= {d["message_id"] for d in deliveries()}

    try:
        wait_for(all_delivered, timeout, interval=0.25)
    finally:
        stats = sink_stats(sink_url)
        arrivals = deliveries()
        delivered = Counter(d["message_id"] for d in arrivals)
        print(
            f"\n[{name}] sent {len(ledger.sent)}, acknowledged {len(ledger.acknowledged)}, "
            f"in log {len(log)}, delivered {len(delivered)}, doubled "
            f"{sum(n - 1 for n in delivered.values())}, resent (absorbed) {stats['duplicates']}, "
            f"answers {dict(ledger.statuses)}, slowest answer {ledger.slowest:.2f}s"
        )
    assert acked <= set(log), f"acknowledged but not in the log: {sorted(acked - set(log))[:5]}"
    keys = Counter(key for key, _po in log.values())
    assert max(keys.values(), default=1) == 1, "an idempotency key was recorded twice"
    assert set(delivered) == set(log), "a delivery of something not in the log"
    assert max(delivered.values(), default=1) == 1, "a message delivered as two deliveries"
    for po, ids in ledger.order.items():
        arrived = [d["message_id"] for d in arrivals if d["correlation_key"] == po]
        assert [m for m in arrived if m in set(ids)] == ids, f"{po} out of order"
        revisions = [int(log[m][0].rsplit(".r", 1)[1]) for m in arrived]
        assert revisions == sorted(revisions), f"{po} out of order: {revisions}"

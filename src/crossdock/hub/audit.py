"""The audit log: who did what to what, when, from where, and how it ended.

Append-only by construction: the port has `record` and `query` and nothing that changes or
removes an entry, and no code path in crossdock updates or deletes the table (a test holds
the port to that). Entries are written for every admin action, every operator action
(replay, dead-letter retry, exception actions, inventory reconciliation) and every credential
event (issued, first used, rotated, revoked, refused).

Refused credentials are the one event an outsider can cause at will, so they are not written
one row per request: `RefusalCounter` folds them into one row per (reason, source, key id)
per minute, with a bounded number of distinct rows per minute (`MAX_BUCKETS`; everything
beyond is counted in one overflow row). A flood of bad tokens therefore costs at most
``MAX_BUCKETS + 1`` rows a minute, whatever its rate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

# Actions (the `action` column): a small vocabulary, so that filtering by action is reliable.
KEY_ISSUED: Final = "key.issued"
KEY_FIRST_USED: Final = "key.first_used"
KEY_ROTATED: Final = "key.rotated"
KEY_REVOKED: Final = "key.revoked"
CREDENTIAL_REFUSED: Final = "credential.refused"
MESSAGE_REPLAY: Final = "message.replay"
DEAD_LETTER_RETRY: Final = "dead_letter.retry"
EXCEPTION_ACTION: Final = "exception."  # + resolve / retry / replay
INVENTORY_RECONCILE: Final = "inventory.reconcile"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    target: str
    outcome: str
    source_ip: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)


class AuditLog(Protocol):
    """The append-only audit log (`adapters.sql.audit_log.SqlAuditLog`)."""

    def record(
        self,
        actor: str,
        action: str,
        target: str,
        outcome: str = "ok",
        source_ip: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one entry (its own transaction). `detail` must be JSON-serializable."""
        ...

    def query(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: float | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries newest first; `before_id` continues a page (the last id seen). An `action`
        ending in "." matches every action it prefixes (``exception.``)."""
        ...


MAX_BUCKETS: Final = 50
WINDOW_SECONDS: Final = 60.0


class RefusalCounter:
    """Counts refused credentials per (reason, source ip, key id) and writes one audit row per
    bucket per window, with the count; thread-safe (the middleware calls `refused`, a worker
    thread `flush`)."""

    def __init__(
        self,
        audit: AuditLog,
        clock: Callable[[], float] = time.time,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.audit = audit
        self.clock = clock
        self.window = window
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], int] = {}
        self._overflow = 0
        self._started = clock()

    def refused(self, reason: str, source_ip: str | None, key_id: str | None) -> bool:
        """Count one refusal; True when the window is over and `flush` should run."""
        bucket = (reason, source_ip or "", key_id or "")
        with self._lock:
            if bucket in self._buckets:
                self._buckets[bucket] += 1
            elif len(self._buckets) < MAX_BUCKETS:
                self._buckets[bucket] = 1
            else:
                self._overflow += 1
            return self.clock() - self._started >= self.window

    def flush(self) -> int:
        """Write the window's rows and start a new window; returns the rows written."""
        with self._lock:
            buckets, overflow = self._buckets, self._overflow
            self._buckets, self._overflow, self._started = {}, 0, self.clock()
        for (reason, source_ip, key_id), count in buckets.items():
            self.audit.record(
                "anonymous",
                CREDENTIAL_REFUSED,
                f"key:{key_id}" if key_id else "-",
                reason,
                source_ip or None,
                {"count": count, "window_seconds": self.window},
            )
        if overflow:
            self.audit.record(
                "anonymous",
                CREDENTIAL_REFUSED,
                "-",
                "overflow",
                None,
                {"count": overflow, "window_seconds": self.window, "distinct_over": MAX_BUCKETS},
            )
        return len(buckets) + (1 if overflow else 0)

    def due(self) -> bool:
        """Whether refusals wait to be written and their window is over (cheap: per request)."""
        return bool(self._buckets or self._overflow) and self.clock() - self._started >= self.window

"""The PostgreSQL unit-of-work executor: a pool of writer threads that retries transient
failures.

Units of work run concurrently (PostgreSQL's row locks keep them apart), so a job can fail
for reasons that say nothing about the job: a serialization failure (SQLSTATE 40001), a
deadlock the server broke by aborting this side (40P01), a connection the server dropped
(a restart, a failover), or a unique key another process inserted after this one looked for
it (23505: the store checks, then inserts, as in intake's idempotency keys and the endpoint
states' delete-and-insert; two hub processes saving one endpoint's state at once made one of
them fail, its acknowledgement with it, and the delivery was sent again after the lease
expired). Run again, the job sees the other's row and takes the path for an existing one. The job opens its own unit of work, so running it again runs it in
a fresh transaction; it is retried a bounded number of times with a short, jittered backoff,
and any other error (or the last attempt's) reaches the caller unchanged.

A dropped connection during COMMIT leaves it unknown whether the commit landed; a retried job
then meets its own rows (a duplicate key) and fails as any conflicting write does.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from crossdock.hub.store_runner import PriorityWorkers

log = logging.getLogger(__name__)

DEFAULT_WRITERS = 8
ATTEMPTS = 6
FIRST_BACKOFF = 0.01
MAX_BACKOFF = 0.5
#: serialization_failure, deadlock_detected, unique_violation (a check-then-insert race)
RETRY_SQLSTATES = frozenset({"40001", "40P01", "23505"})
#: admin_shutdown, crash_shutdown, cannot_connect_now: a server going down or coming up
_SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})


def is_transient(exc: BaseException) -> bool:
    """Whether running the job again, in a fresh unit of work, may well succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:  # SQLAlchemy saw the connection drop
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES or sqlstate in _SERVER_GONE:
        return True
    # Connection exceptions (class 08), and a connect that failed outright (no SQLSTATE).
    return isinstance(exc, OperationalError) and (sqlstate is None or sqlstate.startswith("08"))


class Retrying:
    """Runs a job, again after a transient failure (`is_transient`), `attempts` times at most."""

    def __init__(
        self,
        attempts: int = ATTEMPTS,
        *,
        first_backoff: float = FIRST_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._attempts = attempts
        self._first = first_backoff
        self._max = max_backoff
        self._sleep = sleep

    def __call__(self, fn: Callable[[], Any]) -> Any:
        for attempt in range(1, self._attempts + 1):
            try:
                return fn()
            except Exception as exc:
                if attempt >= self._attempts or not is_transient(exc):
                    raise
                delay = min(self._max, self._first * 2 ** (attempt - 1))
                log.info(
                    "store job failed (%s), attempt %d of %d; retrying",
                    type(getattr(exc, "orig", exc)).__name__,
                    attempt,
                    self._attempts,
                )
                self._sleep(delay * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")  # pragma: no cover


def concurrent_writers(
    threads: int = DEFAULT_WRITERS, *, retry: Retrying | None = None
) -> PriorityWorkers:
    """The executor: `threads` writer threads over one priority queue (URGENT first)."""
    return PriorityWorkers(threads, attempt=retry or Retrying(), name="store-writer")

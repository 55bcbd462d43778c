"""The embedded store's unit-of-work executor: one writer thread.

SQLite has one writer anyway; funnelling every write through a single thread turns lock
contention into a queue (and lets intake commit in groups). Its priority queue lets an
intake commit (a sender waits for its 202) go ahead of routing and delivery bookkeeping.
"""

from __future__ import annotations

from crossdock.hub.store_runner import PriorityWorkers


def single_writer() -> PriorityWorkers:
    return PriorityWorkers(threads=1)

"""Retention from settings: the pruner on the store, and the hub's periodic job.

`build_hub` adds `retention_job` to the cluster-wide periodic jobs when ``retention.enabled``
(one process at a time runs it, the holder of its lease); `crossdock retention` builds the
same pruner on a bare store, enabled or not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from crossdock.adapters.archive.ndjson import NdjsonArchive
from crossdock.adapters.sql.retention_store import SqlRetentionStore
from crossdock.bootstrap.store import Store
from crossdock.config import Settings
from crossdock.hub.retention.pruner import Pruner, RetentionPolicy
from crossdock.hub.store_runner import StoreRunner


def archive_dir(settings: Settings) -> Path:
    config = settings.retention
    return (
        config.archive_dir if config.archive_dir is not None else settings.hub.data_dir / "archive"
    )


def build_pruner(settings: Settings, store: Store) -> Pruner:
    config = settings.retention
    return Pruner(
        SqlRetentionStore(store.engine),
        NdjsonArchive(archive_dir(settings)) if config.archive else None,
        RetentionPolicy(
            default_days=config.default_days,
            per_type_days=dict(config.document_types),
            flow_days=config.flow_age_days(),
        ),
        batch_size=config.batch_size,
    )


def retention_job(
    settings: Settings, store: Store, runner: StoreRunner
) -> tuple[float, Callable[[], Awaitable[None]]] | None:
    """The periodic job, None when retention is off. Each batch runs on the store's writer
    (behind intake commits, which jump its queue), with a pause between batches."""
    config = settings.retention
    if not config.enabled:
        return None
    pruner = build_pruner(settings, store)
    pause = config.pause_ms / 1000

    async def prune_expired() -> None:
        await pruner.run_async(runner.call, pause=pause, share=config.max_share)

    return config.interval_seconds, prune_expired

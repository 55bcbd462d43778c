"""The message log on SQL: every inbound message, accepted or rejected, with its bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from crossdock.adapters.sql.convert import from_epoch_required, to_epoch
from crossdock.adapters.sql.fast_insert import FastInsert
from crossdock.adapters.sql.prepared import Prepared, PreparedIn
from crossdock.adapters.sql.tables import messages
from crossdock.hub.records import (
    InboundMessage,
    MessageFilter,
    MessageStatus,
    MessageSummary,
    StoredMessage,
)

_INSERT_MESSAGES = FastInsert(messages)
_SET_STATUS = Prepared(
    update(messages).where(messages.c.id == bindparam("b_id")).values(status=bindparam("b_status"))
)

_ALL_COLUMNS = tuple(messages.columns)
_WITHOUT_RAW = tuple(c for c in messages.columns if c.name != "raw")


def _by_ids(columns: tuple[Any, ...]) -> PreparedIn:
    return PreparedIn(
        lambda n: select(*columns).where(
            messages.c.id.in_([bindparam(name) for name in PreparedIn.names(n)])
        )
    )


_GET_MANY = {True: _by_ids(_ALL_COLUMNS), False: _by_ids(_WITHOUT_RAW)}

_SUMMARY_COLUMNS = (
    messages.c.id,
    messages.c.document_type,
    messages.c.source,
    messages.c.channel,
    messages.c.correlation_key,
    messages.c.status,
    messages.c.received_at,
    messages.c.duplicates,
    messages.c.sender,
    messages.c.partner,
)

_SUMMARIES = _by_ids(_SUMMARY_COLUMNS)


# `source = ? AND key IN (?, ...)` walks the unique index (source, idempotency_key).
_FIND_KEYS = PreparedIn(
    lambda n: select(
        messages.c.idempotency_key, messages.c.id, messages.c.body_sha256, messages.c.status
    ).where(
        messages.c.source == bindparam("source"),
        messages.c.idempotency_key.in_([bindparam(name) for name in PreparedIn.names(n)]),
    )
)


def _where(flt: MessageFilter) -> list[Any]:
    clauses: list[Any] = []
    if flt.ids:
        clauses.append(messages.c.id.in_(flt.ids))
    if flt.document_type:
        clauses.append(messages.c.document_type == flt.document_type)
    if flt.source:
        clauses.append(messages.c.source == flt.source)
    if flt.correlation_key:
        clauses.append(messages.c.correlation_key == flt.correlation_key)
    if flt.status:
        clauses.append(messages.c.status == flt.status)
    if flt.since:
        clauses.append(messages.c.received_at >= to_epoch(flt.since))
    if flt.until:
        clauses.append(messages.c.received_at < to_epoch(flt.until))
    if flt.partner is not None:
        clauses.append(messages.c.partner == flt.partner)
    if flt.correlation_keys is not None:
        clauses.append(messages.c.correlation_key.in_(flt.correlation_keys))
    return clauses


# The ``errors`` column (JSON text) holds a message's errors and, marked with this key, its
# warnings (``FieldWarning``): one column for both, no migration, and NULL for the usual
# message that has neither.
_WARNING = "severity"


def _findings(message: InboundMessage) -> str | None:
    """The ``errors`` column for ``message``: its errors, then its warnings (marked)."""
    if not message.errors and not message.warnings:
        return None
    found: list[dict[str, str]] = [e.as_dict() for e in message.errors]
    found.extend(w.as_dict() | {_WARNING: "warning"} for w in message.warnings)
    return json.dumps(found)


def _split(text: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``errors`` column back as (errors, warnings), warnings without the mark."""
    if not text:
        return [], []
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for entry in json.loads(text):
        if entry.pop(_WARNING, None) == "warning":
            warnings.append(entry)
        else:
            errors.append(entry)
    return errors, warnings


def _summary(row: Any) -> MessageSummary:
    return MessageSummary(
        id=row.id,
        document_type=row.document_type,
        source=row.source,
        channel=row.channel,
        correlation_key=row.correlation_key,
        status=row.status,
        received_at=from_epoch_required(row.received_at),
        duplicates=row.duplicates or 0,
        sender=row.sender,
        partner=row.partner,
    )


class SqlMessageLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def find_idempotent(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, str, str]]:
        # Prepared per size and run through the driver: building a statement object per
        # commit left cyclic garbage behind (long GC pauses) and cost more than the lookup.
        found: dict[tuple[str, str], tuple[str, str, str]] = {}
        by_source: dict[str, list[str]] = {}
        for source, key in dict.fromkeys(keys):
            by_source.setdefault(source, []).append(key)
        for source, source_keys in by_source.items():
            for key, message_id, sha, status in _FIND_KEYS.execute(
                self._conn, source_keys, {"source": source}
            ):
                found[(source, key)] = (message_id, sha, status)
        return found

    def add_many(self, batch: Sequence[InboundMessage]) -> None:
        if not batch:
            return
        _INSERT_MESSAGES(
            self._conn,
            [
                {
                    "id": m.id,
                    "document_type": m.document_type,
                    "schema_version": m.schema_version,
                    "source": m.source,
                    "channel": m.channel,
                    "correlation_key": m.correlation_key,
                    "causation_id": m.causation_id,
                    "idempotency_key": m.idempotency_key,
                    "body_sha256": m.body_sha256,
                    "received_at": to_epoch(m.received_at),
                    "content_type": m.content_type,
                    "raw": m.raw,
                    "canonical": m.canonical,
                    "status": m.status.value,
                    "errors": _findings(m),
                    "lane": m.lane,
                    "duplicates": 0,
                    "sender": m.sender,
                    "partner": m.partner,
                    "trace_context": m.trace_context,
                }
                for m in batch
            ],
        )

    def count_duplicate(self, message_ids: Sequence[str]) -> None:
        for message_id in message_ids:
            self._conn.execute(
                update(messages)
                .where(messages.c.id == message_id)
                .values(duplicates=messages.c.duplicates + 1)
            )

    def get(self, message_id: str) -> StoredMessage | None:
        return self.get_many([message_id]).get(message_id)

    def get_many(
        self, message_ids: Sequence[str], *, with_raw: bool = True
    ) -> dict[str, StoredMessage]:
        found: dict[str, StoredMessage] = {}
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return found
        for row in _GET_MANY[with_raw].execute(self._conn, ids):
            errors, warnings = _split(row.errors)
            found[row.id] = StoredMessage(
                summary=_summary(row),
                schema_version=row.schema_version,
                causation_id=row.causation_id,
                idempotency_key=row.idempotency_key,
                content_type=row.content_type,
                raw=row.raw if with_raw else b"",
                body_sha256=row.body_sha256,
                lane=row.lane,
                canonical=row.canonical,
                errors=errors,
                warnings=warnings,
                trace_context=row.trace_context,
            )
        return found

    def find(self, flt: MessageFilter, limit: int = 100, offset: int = 0) -> list[MessageSummary]:
        query = (
            select(*_SUMMARY_COLUMNS)
            .where(*_where(flt))
            .order_by(messages.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_summary(row) for row in self._conn.execute(query)]

    def ids(self, flt: MessageFilter, limit: int = 100_000) -> list[tuple[str, str, str]]:
        query = (
            select(messages.c.id, messages.c.correlation_key, messages.c.lane)
            .where(*_where(flt))
            .order_by(messages.c.id)
            .limit(limit)
        )
        return [(r.id, r.correlation_key or r.id, r.lane) for r in self._conn.execute(query)]

    def summaries(self, message_ids: Sequence[str]) -> dict[str, MessageSummary]:
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return {}
        return {row.id: _summary(row) for row in _SUMMARIES.execute(self._conn, ids)}

    def set_status(self, message_ids: Sequence[str], status: MessageStatus) -> None:
        _SET_STATUS.executemany(
            self._conn, [{"b_id": i, "b_status": status.value} for i in message_ids]
        )

    def counts_by_status(self) -> dict[str, int]:
        rows = self._conn.execute(
            select(messages.c.status, func.count()).group_by(messages.c.status)
        )
        return {status: count for status, count in rows}


__all__ = ["SqlMessageLog"]

"""Flat-file intake: a partner's CSV (or fixed-width) file → one message per document.

Used by the folder channel (a file in a CSV partner's drop folder) and by
``POST /v1/messages/{type}`` with ``text/csv``. The file is read by the partner's map
(`crossdock.mapping.csv`), streamed: documents are recorded in chunks as they are read, so
a large file never sits in memory as a whole. Each document is a message like any other
(its raw text is the header and its rows; its canonical form the mapped document); a
document with errors is recorded as rejected with each error's row and column: nothing is
lost. With ``all_or_nothing`` the file is read twice: once to find any error, then to record
every document, all rejected when the first pass found one.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from typing import Any, BinaryIO

from crossdock.hub.ids import new_id
from crossdock.hub.intake import IntakeOutcome, fitted_key, record
from crossdock.hub.intake_pipeline import Sender
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import FieldError, InboundMessage, MessageStatus
from crossdock.hub.store_runner import URGENT, StoreRunner
from crossdock.mapping.csv import CsvDocument, CsvMap, RowError, read_documents

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
#: Documents recorded per transaction while a file is read.
CHUNK = 200
#: ... or fewer, once they hold this much raw text.
CHUNK_CHARS = 8 * 1024 * 1024
#: A document's key as the receipt and the folder report show it.
KEY_CHARS = 200


@dataclass(slots=True)
class CsvResult:
    """One document of a file, as recorded."""

    key: str | None
    rows: list[int]  # the first and the last
    message_id: str
    status: str
    duplicate: bool
    errors: list[RowError]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rows": [self.rows[0], self.rows[-1]] if self.rows else [],
            "id": self.message_id,
            "status": self.status,
            "duplicate": self.duplicate,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass(slots=True)
class CsvReceipt:
    """What happened to a file: each document's message, and the counts."""

    document_type: str
    documents: list[CsvResult] = field(default_factory=list)
    all_or_nothing: bool = False

    @property
    def accepted(self) -> int:
        return sum(1 for d in self.documents if d.status == "accepted")

    @property
    def rejected(self) -> int:
        return sum(1 for d in self.documents if d.status == "rejected")

    @property
    def has_errors(self) -> bool:
        return self.rejected > 0 or not self.documents

    def summary(self) -> dict[str, Any]:
        return {
            "document_type": self.document_type,
            "documents": len(self.documents),
            "accepted": self.accepted,
            "rejected": self.rejected,
            "all_or_nothing": self.all_or_nothing,
            "results": [d.as_dict() for d in self.documents],
        }


@dataclass(frozen=True, slots=True)
class CsvCall:
    """Where a file came from: the partner (sender), the channel, an optional key prefix."""

    sender: Sender
    source: str
    channel: str
    #: Documents' idempotency keys are ``<prefix>:<n>``; None: keyed by their content, so
    #: the same file dropped again records duplicates, not new orders.
    key_prefix: str | None = None


def _key(call: CsvCall, number: int, document: CsvDocument, errors: list[FieldError]) -> str:
    """A rejected document's key covers its errors too: once the partner fixes the file, a
    document that was only held back (all or nothing) is new, not a duplicate of its
    rejection."""
    if call.key_prefix is not None:
        return fitted_key(f"{call.key_prefix}:{number}")
    digest = hashlib.sha256(document.text.encode("utf-8", "surrogatepass"))
    for error in errors:
        digest.update(f"\n{error.path}: {error.reason}".encode("utf-8", "surrogatepass"))
    return f"csv:{document.document_type}:{digest.hexdigest()}"


def to_message(
    document: CsvDocument,
    number: int,
    call: CsvCall,
    lane: str,
    received_at: datetime,
    extra: list[FieldError] | None = None,
) -> InboundMessage:
    """The message of one document: accepted with its canonical form, or rejected."""
    raw = document.text.encode("utf-8", "replace")
    errors = [FieldError(e.path, e.reason, "csv") for e in document.errors] + (extra or [])
    ok = document.document is not None and not errors
    message = InboundMessage(
        id=new_id(),
        document_type=document.document_type,
        schema_version=document.document.schema_version if document.document else 0,
        source=call.source,
        channel=call.channel,
        received_at=received_at,
        content_type=CSV_CONTENT_TYPE,
        raw=raw,
        body_sha256=hashlib.sha256(raw).hexdigest(),
        status=MessageStatus.ACCEPTED if ok else MessageStatus.REJECTED,
        lane=lane,
        idempotency_key=_key(call, number, document, errors),
        errors=errors,
        sender=call.sender.subject,
        partner=call.sender.partner,
    )
    if ok and document.document is not None:
        message.correlation_key = document.document.correlation_key()
        message.canonical = document.document.model_dump_json(exclude_none=True).encode()
    return message


def first_errors(stream: BinaryIO, csv_map: CsvMap, limit: int = 5) -> tuple[int, list[RowError]]:
    """Pass one of all-or-nothing: how many errors the file has, and the first few."""
    count = 0
    shown: list[RowError] = []
    for document in read_documents(stream, csv_map):
        count += len(document.errors)
        room = limit - len(shown)
        if room > 0:
            shown.extend(document.errors[:room])
    return count, shown


class CsvIntake:
    """Records the documents of partners' flat files (the hub side of both channels)."""

    def __init__(
        self,
        runner: StoreRunner,
        lane_for: Callable[[str], str],
        wake: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._runner = runner
        self._lane_for = lane_for
        self._wake = wake
        self._clock = clock

    async def receive(
        self, stream: BinaryIO, csv_map: CsvMap, call: CsvCall, *, all_or_nothing: bool = False
    ) -> CsvReceipt:
        """Read `stream` (seekable) with `csv_map` and record every document it holds."""
        document_type = csv_map.document_type or ""
        receipt = CsvReceipt(document_type, all_or_nothing=all_or_nothing)
        extra: list[FieldError] = []
        if all_or_nothing:
            count, shown = await asyncio.to_thread(first_errors, stream, csv_map)
            stream.seek(0)
            if count:
                listed = "; ".join(str(e) for e in shown)
                reason = (
                    f"the file has {count} error(s) and this partner's files are all or "
                    f"nothing, so none of its documents is accepted (first: {listed})"
                )
                extra = [FieldError("file", reason, "all_or_nothing")]
        lane = self._lane_for(document_type)
        received_at = self._clock()
        documents = enumerate(read_documents(stream, csv_map), start=1)
        while True:
            chunk = await asyncio.to_thread(_next_chunk, documents)
            if not chunk:
                break
            messages = [to_message(d, n, call, lane, received_at, extra) for n, d in chunk]
            outcomes = await self._runner.write(
                partial(_record, messages=messages), priority=URGENT
            )
            for (_, document), outcome in zip(chunk, outcomes, strict=True):
                receipt.documents.append(_result(document, outcome, bool(extra)))
        if self._wake is not None and receipt.documents:
            self._wake()
        return receipt


def _next_chunk(documents: Iterator[tuple[int, CsvDocument]]) -> list[tuple[int, CsvDocument]]:
    """Up to CHUNK documents, fewer once their text passes CHUNK_CHARS (large documents)."""
    chunk: list[tuple[int, CsvDocument]] = []
    chars = 0
    for item in islice(documents, CHUNK):
        chunk.append(item)
        chars += len(item[1].text)
        if chars > CHUNK_CHARS:
            break
    return chunk


def _record(uow: UnitOfWork, *, messages: list[InboundMessage]) -> list[IntakeOutcome]:
    outcomes = record(uow, messages)
    uow.commit()
    return outcomes


def _result(document: CsvDocument, outcome: IntakeOutcome, held_back: bool) -> CsvResult:
    errors = list(document.errors)
    if held_back and not errors:
        errors = [RowError(None, None, "held back: another document of the file has errors")]
    return CsvResult(
        None if document.key is None else document.key[:KEY_CHARS],
        document.rows[:1] + document.rows[-1:] if len(document.rows) > 1 else document.rows,
        outcome.message_id,
        outcome.status,
        outcome.duplicate,
        errors,
    )

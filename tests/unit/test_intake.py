"""Intake: `prepare` (decode + validate, pure) and `record` (idempotent write + announcement)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from crossdock.hub.intake import (
    IntakeOutcome,
    IntakeRequest,
    UnknownDocumentType,
    error_path,
    prepare,
    record,
    reject,
)
from crossdock.hub.records import (
    BusEntry,
    ConsumerGroup,
    FieldError,
    InboundMessage,
    MessageFilter,
    MessageStatus,
)
from tests.conftest import EXAMPLES, SqlStore

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
PO_NUMBER = json.loads(PO_RAW)["po_number"]


def request(
    raw: bytes = PO_RAW,
    *,
    document_type: str = "purchase_order",
    source: str = "erp",
    key: str | None = None,
) -> IntakeRequest:
    return IntakeRequest(
        document_type=document_type,
        raw=raw,
        content_type="application/json",
        source=source,
        channel="http",
        received_at=datetime.now(UTC),
        idempotency_key=key,
    )


def critical(_document_type: str) -> str:
    return "critical"


def po_with(**changes: Any) -> bytes:
    doc = json.loads(PO_RAW)
    doc.update(changes)
    return json.dumps(doc).encode()


def record_committed(store: SqlStore, batch: Sequence[InboundMessage]) -> list[IntakeOutcome]:
    with store.uow() as uow:
        outcomes = record(uow, batch)
        uow.commit()
    return outcomes


def fetch_all(store: SqlStore, subjects: tuple[str, ...], name: str = "probe") -> list[BusEntry]:
    """Every entry the subjects select (acknowledging as it goes: one key is handed out at a
    time, in order)."""
    store.bus.ensure_group(ConsumerGroup(name=name, subjects=subjects))
    entries: list[BusEntry] = []
    while batch := store.bus.fetch(name, 1000):
        entries.extend(batch)
        store.bus.ack(name, batch)
    return entries


def all_messages(store: SqlStore) -> list[Any]:
    with store.uow.reader() as uow:
        return uow.messages.find(MessageFilter(), limit=1000)


# --- error paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("lines", 0, "quantity"), "lines[0].quantity"),
        (("po_number",), "po_number"),
        (("buyer", "address", "lines", 1), "buyer.address.lines[1]"),
        ((0, "sku"), "[0].sku"),
        (("lines", 2, 3), "lines[2][3]"),
        ((), "$"),
    ],
)
def test_error_path_formats_locations_the_way_users_write_them(
    loc: tuple[int | str, ...], expected: str
) -> None:
    assert error_path(loc) == expected


# --- prepare -------------------------------------------------------------------------------


def test_prepare_accepts_the_example_purchase_order() -> None:
    message = prepare(request(key="k-1"), critical)

    assert message.status is MessageStatus.ACCEPTED
    assert message.errors == []
    assert message.correlation_key == PO_NUMBER
    assert message.document_type == "purchase_order"
    assert message.schema_version >= 1
    assert message.lane == "critical"
    assert message.source == "erp"
    assert message.idempotency_key == "k-1"
    assert message.raw == PO_RAW
    assert message.body_sha256 == hashlib.sha256(PO_RAW).hexdigest()
    assert message.canonical is not None
    canonical = orjson.loads(message.canonical)
    assert canonical["po_number"] == PO_NUMBER
    assert [line["item"]["sku"] for line in canonical["lines"]] == [
        "HP-100231",
        "HP-100877",
        "HP-101502",
    ]


def test_prepare_normalizes_the_canonical_bytes() -> None:
    """Layout and key order of the input do not change the canonical form; the raw bytes and
    their hash are kept as received."""
    first = prepare(request(), critical)
    reshaped = json.dumps(json.loads(PO_RAW), indent=7, sort_keys=True).encode()
    second = prepare(request(reshaped), critical)

    assert first.canonical is not None
    assert second.canonical == first.canonical
    assert second.body_sha256 != first.body_sha256
    assert second.raw == reshaped
    # compact, with no nulls (exclude_none), and a fixed point of validation
    assert b"\n" not in first.canonical
    assert b"null" not in first.canonical
    again = prepare(request(first.canonical), critical)
    assert again.canonical == first.canonical


def test_prepare_uses_the_lane_for_the_document_type() -> None:
    asked: list[str] = []

    def lane_for(document_type: str) -> str:
        asked.append(document_type)
        return "bulk"

    message = prepare(request(), lane_for)
    assert asked == ["purchase_order"]
    assert message.lane == "bulk"


def test_prepare_gives_each_message_its_own_id() -> None:
    assert prepare(request(), critical).id != prepare(request(), critical).id


def test_prepare_rejects_malformed_json_without_raising() -> None:
    message = prepare(request(b'{"po_number": '), critical)

    assert message.status is MessageStatus.REJECTED
    assert message.canonical is None
    assert message.correlation_key is None
    assert len(message.errors) == 1
    assert message.errors[0].path == "$"
    assert message.errors[0].type == "json_invalid"
    assert message.raw == b'{"po_number": '


def test_prepare_reports_a_nested_schema_error_with_its_path() -> None:
    doc = json.loads(PO_RAW)
    doc["lines"][1]["quantity"]["value"] = "-5"
    message = prepare(request(json.dumps(doc).encode()), critical)

    assert message.status is MessageStatus.REJECTED
    assert message.canonical is None
    assert [e.path for e in message.errors] == ["lines[1].quantity.value"]
    assert message.errors[0].type == "greater_than_equal"
    assert message.errors[0].reason


def test_prepare_reports_every_missing_field() -> None:
    doc = json.loads(PO_RAW)
    del doc["po_number"]
    del doc["lines"][2]["unit_price"]
    message = prepare(request(json.dumps(doc).encode()), critical)

    assert message.status is MessageStatus.REJECTED
    assert {(e.path, e.type) for e in message.errors} == {
        ("po_number", "missing"),
        ("lines[2].unit_price", "missing"),
    }


def test_prepare_raises_for_an_unknown_document_type() -> None:
    with pytest.raises(UnknownDocumentType, match="purchase_ordre"):
        prepare(request(document_type="purchase_ordre"), critical)


# --- record --------------------------------------------------------------------------------


def test_record_writes_a_new_message_and_announces_it(store: SqlStore) -> None:
    message = prepare(request(key="k-1"), critical)
    [outcome] = record_committed(store, [message])

    assert outcome == IntakeOutcome(
        message.id, "accepted", duplicate=False, conflict=False, correlation_key=PO_NUMBER
    )
    with store.uow.reader() as uow:
        stored = uow.messages.get(message.id)
    assert stored is not None
    assert stored.summary.status == "accepted"
    assert stored.summary.correlation_key == PO_NUMBER
    assert stored.raw == PO_RAW
    assert stored.canonical == message.canonical
    assert stored.idempotency_key == "k-1"

    [entry] = fetch_all(store, ("doc.>",))
    assert entry.subject == "doc.critical.purchase_order"
    assert entry.message_id == message.id
    assert entry.key == PO_NUMBER


def test_record_announces_on_the_message_lane(store: SqlStore) -> None:
    message = prepare(request(), lambda _t: "bulk")
    record_committed(store, [message])
    [entry] = fetch_all(store, ("doc.>",))
    assert entry.subject == "doc.bulk.purchase_order"


def test_record_writes_nothing_without_commit(store: SqlStore) -> None:
    with store.uow() as uow:
        record(uow, [prepare(request(key="k-1"), critical)])
    assert all_messages(store) == []
    assert fetch_all(store, (">",)) == []


def test_rejected_messages_are_kept_and_announced_on_rejected_subject(store: SqlStore) -> None:
    message = prepare(request(po_with(currency=None), key="bad-1"), critical)
    [outcome] = record_committed(store, [message])

    assert outcome.status == "rejected"
    assert outcome.message_id == message.id
    assert [e.path for e in outcome.errors] == ["currency"]
    assert fetch_all(store, ("doc.>",), name="docs") == []
    [entry] = fetch_all(store, ("rejected.>",), name="rejects")
    assert entry.subject == "rejected.purchase_order"
    assert entry.message_id == message.id
    assert entry.key == message.id  # no correlation key without a valid document
    with store.uow.reader() as uow:
        stored = uow.messages.get(message.id)
    assert stored is not None
    assert stored.summary.status == "rejected"
    assert stored.canonical is None
    assert stored.errors[0]["path"] == "currency"


def test_reject_records_an_undecodable_document(store: SqlStore) -> None:
    errors = [FieldError(path="$", reason="line 3 is not JSON", type="json_invalid")]
    message = reject(request(b"\xff\xfe"), "critical", errors)
    [outcome] = record_committed(store, [message])
    assert outcome.status == "rejected"
    [entry] = fetch_all(store, (">",))
    assert entry.subject == "rejected.purchase_order"


def test_same_source_key_and_body_is_a_duplicate(store: SqlStore) -> None:
    first = prepare(request(key="k-1"), critical)
    [new] = record_committed(store, [first])
    [again] = record_committed(store, [prepare(request(key="k-1"), critical)])
    [third] = record_committed(store, [prepare(request(key="k-1"), critical)])

    assert not new.duplicate
    assert again.duplicate and not again.conflict
    assert again.message_id == first.id
    assert again.status == "accepted"
    assert third.duplicate and third.message_id == first.id
    [only] = all_messages(store)
    assert only.id == first.id
    assert only.duplicates == 2
    assert len(fetch_all(store, (">",))) == 1  # duplicates are not announced again


def test_duplicate_reports_the_first_outcome_status(store: SqlStore) -> None:
    raw = po_with(currency=None)
    first = prepare(request(raw, key="k-bad"), critical)
    record_committed(store, [first])
    [again] = record_committed(store, [prepare(request(raw, key="k-bad"), critical)])
    assert again.duplicate
    assert again.message_id == first.id
    assert again.status == "rejected"


def test_same_key_with_another_body_is_a_conflict(store: SqlStore) -> None:
    first = prepare(request(key="k-1"), critical)
    record_committed(store, [first])
    [clash] = record_committed(
        store, [prepare(request(po_with(po_number="X-2"), key="k-1"), critical)]
    )

    assert clash.conflict
    assert not clash.duplicate
    assert clash.message_id == first.id
    stored = {m.id: m for m in all_messages(store)}
    assert stored[first.id].correlation_key == PO_NUMBER
    assert stored[first.id].duplicates == 0
    # nothing is dropped: the clashing body is its own rejected message, naming the first
    assert stored[str(clash.recorded_as)].status == "rejected"
    with store.uow.reader() as uow:
        copy = uow.messages.get(str(clash.recorded_as))
    assert copy is not None and copy.canonical is None
    assert copy.idempotency_key is not None and copy.idempotency_key.startswith("k-1#conflict:")
    [error] = copy.errors
    assert error["path"] == "Idempotency-Key" and error["type"] == "idempotency_conflict"
    assert first.id in error["reason"]
    announced = fetch_all(store, (">",))
    assert sorted(e.subject for e in announced) == ["doc.critical.purchase_order",
                                                    "rejected.purchase_order"]  # fmt: skip


def test_duplicates_and_conflicts_within_one_batch(store: SqlStore) -> None:
    first = prepare(request(key="k-1"), critical)
    repeat = prepare(request(key="k-1"), critical)
    clash = prepare(request(po_with(po_number="X-2"), key="k-1"), critical)
    other = prepare(request(po_with(po_number="X-3"), key="k-2"), critical)

    outcomes = record_committed(store, [first, repeat, clash, other])

    assert [(o.message_id, o.duplicate, o.conflict) for o in outcomes] == [
        (first.id, False, False),
        (first.id, True, False),
        (first.id, False, True),
        (other.id, False, False),
    ]
    stored = {m.id: m for m in all_messages(store)}
    copy = outcomes[2].recorded_as
    assert set(stored) == {first.id, other.id, copy}
    assert stored[first.id].duplicates == 1
    entries = fetch_all(store, (">",))
    assert sorted(e.message_id for e in entries) == sorted([first.id, other.id, copy])


def test_same_key_from_another_source_is_not_a_duplicate(store: SqlStore) -> None:
    from_erp = prepare(request(key="k-1", source="erp"), critical)
    from_portal = prepare(request(key="k-1", source="portal"), critical)
    [a] = record_committed(store, [from_erp])
    [b] = record_committed(store, [from_portal])

    assert not a.duplicate and not b.duplicate
    assert not b.conflict
    assert b.message_id == from_portal.id != from_erp.id
    assert {m.id for m in all_messages(store)} == {from_erp.id, from_portal.id}
    assert len(fetch_all(store, (">",))) == 2


def test_same_key_from_two_sources_in_one_batch(store: SqlStore) -> None:
    a = prepare(request(key="k-1", source="erp"), critical)
    b = prepare(request(po_with(po_number="X-9"), key="k-1", source="wms"), critical)
    outcomes = record_committed(store, [a, b])
    assert [(o.message_id, o.duplicate, o.conflict) for o in outcomes] == [
        (a.id, False, False),
        (b.id, False, False),
    ]


def test_messages_without_idempotency_key_are_never_deduplicated(store: SqlStore) -> None:
    record_committed(store, [prepare(request(), critical), prepare(request(), critical)])
    record_committed(store, [prepare(request(), critical)])
    assert len(all_messages(store)) == 3
    assert len(fetch_all(store, (">",))) == 3

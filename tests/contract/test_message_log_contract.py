"""Contract of the MessageLog port (`uow.messages`), on every backend (`backends`).

What intake and the operators' views rely on: every field read back as written (bytes
exactly, unicode, large bodies), idempotency lookups per source, filters and pagination,
newest-first lists and oldest-first replay selections, statuses and their counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crossdock.hub.records import (
    FieldError,
    InboundMessage,
    MessageFilter,
    MessageStatus,
)
from tests.contract.backends import ContractStore

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def message(
    n: int,
    *,
    source: str = "erp",
    key: str | None = None,
    correlation: str | None = "PO-1",
    document_type: str = "purchase_order",
    status: MessageStatus = MessageStatus.ACCEPTED,
    at: datetime | None = None,
    raw: bytes = b"{}",
    lane: str = "critical",
) -> InboundMessage:
    # ids sort like ULIDs do: in the order they were made
    return InboundMessage(
        id=f"01J{n:023d}",
        document_type=document_type,
        schema_version=1,
        source=source,
        channel="http",
        received_at=at or T0 + timedelta(seconds=n),
        content_type="application/json",
        raw=raw,
        body_sha256=f"{n:064x}",
        status=status,
        lane=lane,
        correlation_key=correlation,
        idempotency_key=key,
    )


def add(store: ContractStore, *messages: InboundMessage) -> None:
    with store.uow() as uow:
        uow.messages.add_many(list(messages))
        uow.commit()


def test_every_field_reads_back_as_written(store: ContractStore) -> None:
    raw = bytes(range(256)) * 3  # NUL and every other byte value
    stored = message(1, key="ключ-1 ✓", correlation="PO-ü-1", raw=raw)
    stored.canonical = '{"note":"Grüße ✓ 中文"}'.encode()
    stored.causation_id = "01CAUSE"
    stored.status = MessageStatus.REJECTED
    stored.errors = [FieldError("lines[0].quantity", "must be > 0 \u2014 got \u22121", "range")]
    add(store, stored)
    with store.uow.reader() as uow:
        got = uow.messages.get(stored.id)
        assert uow.messages.get("01NOPE") is None
    assert got is not None
    assert (got.summary.id, got.summary.source, got.summary.channel) == (stored.id, "erp", "http")
    assert got.summary.correlation_key == "PO-ü-1"
    assert got.summary.received_at == stored.received_at
    assert got.summary.status == "rejected" and got.summary.duplicates == 0
    assert got.raw == raw and got.canonical == stored.canonical
    assert (got.causation_id, got.idempotency_key) == ("01CAUSE", "ключ-1 ✓")
    assert (got.content_type, got.body_sha256, got.lane) == (
        "application/json",
        f"{1:064x}",
        "critical",
    )
    assert got.schema_version == 1
    assert got.errors == [
        {"path": "lines[0].quantity", "reason": "must be > 0 \u2014 got \u22121", "type": "range"}
    ]


def test_large_bodies_and_sub_millisecond_times_survive(store: ContractStore) -> None:
    big = bytes(range(256)) * 8192  # 2 MiB
    at = datetime(2026, 11, 27, 9, 0, 0, 123457, tzinfo=UTC)
    add(store, message(1, raw=big, at=at))
    with store.uow.reader() as uow:
        got = uow.messages.get(f"01J{1:023d}")
    assert got is not None and got.raw == big
    assert abs((got.summary.received_at - at).total_seconds()) < 1e-5


def test_get_many_skips_unknown_ids_and_can_leave_the_bytes_unread(store: ContractStore) -> None:
    add(store, *[message(n, raw=b"x" * n) for n in range(1, 1201)])
    ids = [f"01J{n:023d}" for n in range(1, 1201)]
    with store.uow.reader() as uow:
        found = uow.messages.get_many([*ids, "01NOPE", ids[0]])
        light = uow.messages.get_many(ids[:3], with_raw=False)
        assert uow.messages.get_many([]) == {}
    assert set(found) == set(ids)  # more than one IN chunk, duplicates and unknowns ignored
    assert found[ids[1199]].raw == b"x" * 1200
    assert {m.raw for m in light.values()} == {b""}
    assert light[ids[2]].body_sha256 == f"{3:064x}"


def test_summaries_by_id_carry_type_and_receive_time(store: ContractStore) -> None:
    add(
        store,
        message(1, at=T0),
        message(2, document_type="invoice", at=T0 + timedelta(seconds=90)),
    )
    ids = [f"01J{n:023d}" for n in (1, 2)]
    with store.uow.reader() as uow:
        found = uow.messages.summaries([*ids, "01NOPE", ids[0]])
        assert uow.messages.summaries([]) == {}
    assert set(found) == set(ids)
    assert found[ids[0]].document_type == "purchase_order" and found[ids[0]].received_at == T0
    assert found[ids[1]].document_type == "invoice"
    assert found[ids[1]].received_at == T0 + timedelta(seconds=90)


def test_idempotency_keys_are_looked_up_per_source(store: ContractStore) -> None:
    add(
        store,
        message(1, source="erp", key="po-1"),
        message(2, source="wms", key="po-1", status=MessageStatus.REJECTED),
        message(3, source="erp", key="ключ ✓"),
        message(4, source="erp", key=None),
    )
    with store.uow.reader() as uow:
        found = uow.messages.find_idempotent(
            [("erp", "po-1"), ("wms", "po-1"), ("erp", "ключ ✓"), ("erp", "po-1"), ("tms", "x")]
        )
        assert uow.messages.find_idempotent([]) == {}
    assert found == {
        ("erp", "po-1"): (f"01J{1:023d}", f"{1:064x}", "accepted"),
        ("wms", "po-1"): (f"01J{2:023d}", f"{2:064x}", "rejected"),
        ("erp", "ключ ✓"): (f"01J{3:023d}", f"{3:064x}", "accepted"),
    }


def test_many_keys_at_once_are_all_found(store: ContractStore) -> None:
    add(store, *[message(n, key=f"k{n}") for n in range(1, 1101)])
    wanted = [("erp", f"k{n}") for n in range(1, 1101)]
    with store.uow.reader() as uow:
        found = uow.messages.find_idempotent(wanted)
    assert len(found) == 1100 and found[("erp", "k1100")][0] == f"01J{1100:023d}"


def test_duplicates_are_counted_and_rolled_back_with_their_transaction(
    store: ContractStore,
) -> None:
    add(store, message(1), message(2))
    first, second = f"01J{1:023d}", f"01J{2:023d}"
    with store.uow() as uow:
        uow.messages.count_duplicate([first])
        uow.messages.count_duplicate([first, second])
        uow.commit()
    with store.uow() as uow:
        uow.messages.count_duplicate([first])  # not committed
    with store.uow.reader() as uow:
        assert [(s.id, s.duplicates) for s in uow.messages.find(MessageFilter())] == [
            (second, 1),
            (first, 2),
        ]


def test_find_filters_newest_first_and_pages(store: ContractStore) -> None:
    add(
        store,
        message(1, source="erp", correlation="PO-1"),
        message(2, source="wms", correlation="PO-1", document_type="advance_ship_notice"),
        message(3, source="erp", correlation="PO-2", status=MessageStatus.REJECTED),
        message(4, source="erp", correlation=None),
        message(5, source="erp", correlation="PO-1", status=MessageStatus.ROUTED),
    )

    def ids(flt: MessageFilter, limit: int = 100, offset: int = 0) -> list[int]:
        with store.uow.reader() as uow:
            return [int(s.id[3:]) for s in uow.messages.find(flt, limit, offset)]

    assert ids(MessageFilter()) == [5, 4, 3, 2, 1]
    assert ids(MessageFilter(), limit=2) == [5, 4]
    assert ids(MessageFilter(), limit=2, offset=2) == [3, 2]
    assert ids(MessageFilter(), limit=2, offset=10) == []
    assert ids(MessageFilter(source="erp")) == [5, 4, 3, 1]
    assert ids(MessageFilter(correlation_key="PO-1")) == [5, 2, 1]
    assert ids(MessageFilter(document_type="advance_ship_notice")) == [2]
    assert ids(MessageFilter(status="rejected")) == [3]
    assert ids(MessageFilter(source="erp", correlation_key="PO-1", status="accepted")) == [1]
    assert ids(MessageFilter(ids=[f"01J{2:023d}", f"01J{4:023d}", "01NOPE"])) == [4, 2]
    # the time window: since inclusive, until exclusive
    window = MessageFilter(since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4))
    assert ids(window) == [3, 2]
    assert ids(MessageFilter(source="nobody")) == []


def test_ids_are_oldest_first_with_the_key_falling_back_to_the_id(store: ContractStore) -> None:
    add(
        store,
        message(1, correlation="PO-1"),
        message(2, correlation=None, lane="bulk"),
        message(3, correlation="PO-1", source="wms"),
    )
    with store.uow.reader() as uow:
        assert uow.messages.ids(MessageFilter()) == [
            (f"01J{1:023d}", "PO-1", "critical"),
            (f"01J{2:023d}", f"01J{2:023d}", "bulk"),
            (f"01J{3:023d}", "PO-1", "critical"),
        ]
        assert [i for i, _, _ in uow.messages.ids(MessageFilter(), limit=2)] == [
            f"01J{1:023d}",
            f"01J{2:023d}",
        ]
        assert [i for i, _, _ in uow.messages.ids(MessageFilter(source="wms"))] == [f"01J{3:023d}"]


def test_statuses_are_set_and_counted(store: ContractStore) -> None:
    add(store, *[message(n) for n in range(1, 6)], message(6, status=MessageStatus.REJECTED))
    with store.uow() as uow:
        uow.messages.set_status([f"01J{1:023d}", f"01J{2:023d}"], MessageStatus.ROUTED)
        uow.messages.set_status([f"01J{2:023d}"], MessageStatus.DELIVERED)
        uow.messages.set_status([], MessageStatus.FAILED)
        uow.messages.set_status(["01NOPE"], MessageStatus.FAILED)  # nothing to mark
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.messages.counts_by_status() == {
            "accepted": 3,
            "routed": 1,
            "delivered": 1,
            "rejected": 1,
        }
        got = uow.messages.get(f"01J{2:023d}")
    assert got is not None and got.summary.status == "delivered"


def test_an_empty_log_answers_empty(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.messages.add_many([])
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.messages.counts_by_status() == {}
        assert uow.messages.find(MessageFilter()) == []
        assert uow.messages.ids(MessageFilter()) == []


def test_the_sender_and_partner_are_kept_and_confine_lists(store: ContractStore) -> None:
    """Every message carries who sent it (the channel's proven identity) and its partner;
    a partner's list is confined to its own, and messages without a partner are nobody's."""
    acme = message(1, key="a")
    acme.sender, acme.partner = "partner:acme", "acme"
    globex = message(2, key="g")
    globex.sender, globex.partner = "folder:globex", "globex"
    anonymous = message(3, key="n")
    add(store, acme, globex, anonymous)
    with store.uow() as uow:
        got = uow.messages.get(acme.id)
        assert got is not None
        assert (got.summary.sender, got.summary.partner) == ("partner:acme", "acme")
        nobody = uow.messages.get(anonymous.id)
        assert nobody is not None and (nobody.summary.sender, nobody.summary.partner) == (
            None,
            None,
        )
        mine = uow.messages.find(MessageFilter(partner="acme"), 10, 0)
        assert [m.id for m in mine] == [acme.id]
        assert [m[0] for m in uow.messages.ids(MessageFilter(partner="globex"))] == [globex.id]
        assert len(uow.messages.find(MessageFilter(), 10, 0)) == 3


def test_the_trace_context_is_kept_with_the_message(store: ContractStore) -> None:
    traced = message(1)
    traced.trace_context = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    add(store, traced, message(2))
    with store.uow.reader() as uow:
        got = uow.messages.get_many([traced.id, f"01J{2:023d}"], with_raw=False)
    assert got[traced.id].trace_context == traced.trace_context
    assert got[f"01J{2:023d}"].trace_context is None  # a message from before tracing

"""The EDI ledger on a real SQLite file: control numbers, duplicate interchanges, outbound."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from crossdock.hub.edi_records import (
    CONTROL_MAX,
    ControlLevel,
    OutboundDocument,
    OutboundStatus,
    SeenInterchange,
)
from tests.conftest import SqlStore


def reserve(store: SqlStore, partner: str, level: ControlLevel, count: int = 1) -> list[int]:
    with store.uow() as uow:
        numbers = uow.edi.next_controls(partner, level, count)
        uow.commit()
    return numbers


def test_control_numbers_increase_per_partner_and_level(store: SqlStore) -> None:
    assert reserve(store, "acme", ControlLevel.INTERCHANGE) == [1]
    assert reserve(store, "acme", ControlLevel.INTERCHANGE, 3) == [2, 3, 4]
    assert reserve(store, "acme", ControlLevel.GROUP) == [1]
    assert reserve(store, "globex", ControlLevel.INTERCHANGE) == [1]
    assert reserve(store, "acme", ControlLevel.INTERCHANGE) == [5]


def test_rolled_back_reservation_is_given_back(store: SqlStore) -> None:
    reserve(store, "acme", ControlLevel.TRANSACTION, 2)
    with store.uow() as uow:
        assert uow.edi.next_controls("acme", ControlLevel.TRANSACTION) == [3]
        # no commit: the numbers were never used
    assert reserve(store, "acme", ControlLevel.TRANSACTION) == [3]


def test_control_numbers_survive_reopening_the_store(tmp_path: Path) -> None:
    first = SqlStore(tmp_path)
    reserve(first, "acme", ControlLevel.GROUP, 7)
    first.engine.dispose()
    second = SqlStore(tmp_path)
    assert reserve(second, "acme", ControlLevel.GROUP) == [8]
    second.engine.dispose()


def test_control_numbers_wrap_after_nine_digits(store: SqlStore) -> None:
    from sqlalchemy import update

    from crossdock.adapters.sql.tables import x12_control_numbers

    reserve(store, "acme", ControlLevel.INTERCHANGE)
    with store.engine.begin() as conn:
        conn.execute(update(x12_control_numbers).values(next_value=CONTROL_MAX - 1))
    assert reserve(store, "acme", ControlLevel.INTERCHANGE, 3) == [CONTROL_MAX - 1, CONTROL_MAX, 1]
    assert reserve(store, "acme", ControlLevel.INTERCHANGE) == [2]


def test_concurrent_writers_never_share_a_number(tmp_path: Path) -> None:
    stores = [SqlStore(tmp_path) for _ in range(4)]
    got: list[int] = []
    lock = threading.Lock()

    def work(s: SqlStore) -> None:
        for _ in range(50):
            numbers = reserve(s, "acme", ControlLevel.TRANSACTION, 2)
            with lock:
                got.extend(numbers)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.engine.dispose()
    assert sorted(got) == list(range(1, 401))


def test_seen_interchange_is_found_and_unique(store: SqlStore) -> None:
    seen = SeenInterchange(
        sender="ZZ/ACME",
        control_number="905",
        partner="acme",
        received_at=datetime(2026, 11, 27, tzinfo=UTC),
        message_ids=["m1", "m2"],
        ack="ISA*...~",
    )
    with store.uow() as uow:
        assert uow.edi.find_interchange("ZZ/ACME", "905") is None
        uow.edi.add_interchange(seen)
        uow.commit()
    with store.uow() as uow:
        found = uow.edi.find_interchange("ZZ/ACME", "905")
    assert found == seen
    with store.uow() as uow, pytest.raises(IntegrityError):
        uow.edi.add_interchange(seen)


def test_outbound_documents_are_settled_by_transaction_or_group(store: SqlStore) -> None:
    def doc(group: int, transaction: int) -> OutboundDocument:
        return OutboundDocument(
            partner="acme",
            interchange_control=10,
            group_control=group,
            transaction_control=transaction,
            transaction_code="850",
            functional_id="PO",
            message_id=f"m{group}-{transaction}",
            delivery_id=f"d{group}-{transaction}",
            created_at=datetime.now(UTC),
        )

    with store.uow() as uow:
        uow.edi.add_outbound([doc(1, 1), doc(1, 2), doc(2, 3)])
        assert (
            uow.edi.settle_outbound("acme", 1, 2, OutboundStatus.REJECTED, "AK3 PO1 bad", "ack1")
            == 1
        )
        assert uow.edi.settle_outbound("acme", 2, None, OutboundStatus.ACCEPTED, None, "ack2") == 1
        assert uow.edi.settle_outbound("globex", 1, None, OutboundStatus.ACCEPTED, None, "x") == 0
        uow.commit()
    with store.uow() as uow:
        rows = {d.message_id: d for d in uow.edi.outbound(partner="acme")}
    assert rows["m1-1"].status is OutboundStatus.SENT
    assert rows["m1-2"].status is OutboundStatus.REJECTED
    assert rows["m1-2"].reason == "AK3 PO1 bad"
    assert rows["m1-2"].ack_message_id == "ack1"
    assert rows["m2-3"].status is OutboundStatus.ACCEPTED

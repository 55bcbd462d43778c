"""Contract of the EdiLedger port (`uow.edi`), on every backend (`backends`): control
numbers that never repeat (across restarts, rollbacks and concurrent writers), interchanges
seen once, outbound documents settled by their 997/999."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from crossdock.adapters.sql.tables import x12_control_numbers
from crossdock.hub.edi_records import (
    CONTROL_MAX,
    ControlLevel,
    OutboundDocument,
    OutboundStatus,
    SeenInterchange,
)
from tests.contract.backends import ContractStore, concurrently

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def reserve(store: ContractStore, partner: str, level: ControlLevel, count: int = 1) -> list[int]:
    with store.uow() as uow:
        numbers = uow.edi.next_controls(partner, level, count)
        uow.commit()
    return numbers


def test_control_numbers_increase_per_partner_and_level(store: ContractStore) -> None:
    assert reserve(store, "acme", ControlLevel.INTERCHANGE) == [1]
    assert reserve(store, "acme", ControlLevel.INTERCHANGE, 3) == [2, 3, 4]
    assert reserve(store, "acme", ControlLevel.GROUP) == [1]
    assert reserve(store, "globex", ControlLevel.INTERCHANGE) == [1]
    assert reserve(store, "Acme ✓", ControlLevel.INTERCHANGE) == [1]  # names are exact
    assert reserve(store, "acme", ControlLevel.INTERCHANGE) == [5]
    assert reserve(store, "acme", ControlLevel.TRANSACTION, 0) == []


def test_several_reservations_in_one_unit_of_work_follow_each_other(
    store: ContractStore,
) -> None:
    with store.uow() as uow:
        assert uow.edi.next_controls("acme", ControlLevel.GROUP, 2) == [1, 2]
        assert uow.edi.next_controls("acme", ControlLevel.GROUP) == [3]
        uow.commit()
    assert reserve(store, "acme", ControlLevel.GROUP) == [4]


def test_rolled_back_reservation_is_given_back(store: ContractStore) -> None:
    reserve(store, "acme", ControlLevel.TRANSACTION, 2)
    with store.uow() as uow:
        assert uow.edi.next_controls("acme", ControlLevel.TRANSACTION) == [3]
        # no commit: the numbers were never used
    with store.uow() as uow:
        assert uow.edi.next_controls("new", ControlLevel.TRANSACTION) == [1]
        # nor was the counter created
    assert reserve(store, "acme", ControlLevel.TRANSACTION) == [3]
    assert reserve(store, "new", ControlLevel.TRANSACTION) == [1]


def test_control_numbers_survive_reopening_the_store(store: ContractStore) -> None:
    reserve(store, "acme", ControlLevel.GROUP, 7)
    store.engine.dispose()
    assert reserve(store.open_again(), "acme", ControlLevel.GROUP) == [8]


def test_control_numbers_wrap_after_nine_digits(store: ContractStore) -> None:
    reserve(store, "acme", ControlLevel.INTERCHANGE)
    with store.engine.begin() as conn:
        conn.execute(update(x12_control_numbers).values(next_value=CONTROL_MAX - 1))
    assert reserve(store, "acme", ControlLevel.INTERCHANGE, 3) == [CONTROL_MAX - 1, CONTROL_MAX, 1]
    assert reserve(store, "acme", ControlLevel.INTERCHANGE) == [2]


def test_concurrent_writers_never_share_a_number(store: ContractStore) -> None:
    """Four writers, each through an engine of its own (processes, on PostgreSQL), all
    starting on a counter nobody created yet."""

    def work(_n: int, s: ContractStore) -> list[int]:
        return [
            number for _ in range(25) for number in reserve(s, "acme", ControlLevel.TRANSACTION, 2)
        ]

    got = concurrently([store.open_again() for _ in range(4)], work)
    assert sorted(n for numbers in got for n in numbers) == list(range(1, 201))
    assert all(numbers == sorted(numbers) for numbers in got)  # each writer's keep rising


def seen(control: str = "905", sender: str = "ZZ/ACME") -> SeenInterchange:
    return SeenInterchange(
        sender=sender,
        control_number=control,
        partner="acme",
        received_at=datetime(2026, 11, 27, 9, 0, 0, 500000, tzinfo=UTC),
        message_ids=["m1", "m2"],
        ack="ISA*00*          *00*ü~" + "AK2*850*0001~" * 5000,
    )


def test_seen_interchange_is_found_and_unique(store: ContractStore) -> None:
    with store.uow() as uow:
        assert uow.edi.find_interchange("ZZ/ACME", "905") is None
        uow.edi.add_interchange(seen())
        uow.edi.add_interchange(seen(sender="ZZ/GLOBEX"))  # same number, other sender
        nameless = seen("906")
        nameless.partner, nameless.ack, nameless.message_ids = None, None, []
        uow.edi.add_interchange(nameless)
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.edi.find_interchange("ZZ/ACME", "905") == seen()
        assert uow.edi.find_interchange("ZZ/ACME", "906") == nameless
        assert uow.edi.find_interchange("ZZ/ACME", "0905") is None  # numbers are exact
    with store.uow() as uow, pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        uow.edi.add_interchange(seen())


def doc(group: int, transaction: int, partner: str = "acme", minutes: int = 0) -> OutboundDocument:
    return OutboundDocument(
        partner=partner,
        interchange_control=CONTROL_MAX,
        group_control=group,
        transaction_control=transaction,
        transaction_code="850",
        functional_id="PO",
        message_id=f"m{group}-{transaction}",
        delivery_id=f"d{group}-{transaction}",
        created_at=T0 + timedelta(minutes=minutes),
    )


def test_outbound_documents_are_settled_by_transaction_or_group(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.edi.add_outbound([doc(1, 1), doc(1, 2), doc(2, 3), doc(1, 1, partner="globex")])
        uow.edi.add_outbound([])
        assert (
            uow.edi.settle_outbound("acme", 1, 2, OutboundStatus.REJECTED, "AK3 PO1 ✗ bad", "ack1")
            == 1
        )
        assert uow.edi.settle_outbound("acme", 2, None, OutboundStatus.ACCEPTED, None, "ack2") == 1
        assert uow.edi.settle_outbound("acme", 9, None, OutboundStatus.ACCEPTED, None, "x") == 0
        assert uow.edi.settle_outbound("acme", 1, 9, OutboundStatus.ACCEPTED, None, "x") == 0
        uow.commit()
    with store.uow.reader() as uow:
        rows = {d.message_id: d for d in uow.edi.outbound(partner="acme")}
        [other] = uow.edi.outbound(partner="globex")
    assert rows["m1-1"].status is OutboundStatus.SENT and rows["m1-1"].ack_message_id is None
    assert (rows["m1-2"].status, rows["m1-2"].reason, rows["m1-2"].ack_message_id) == (
        OutboundStatus.REJECTED,
        "AK3 PO1 ✗ bad",
        "ack1",
    )
    assert rows["m2-3"].status is OutboundStatus.ACCEPTED
    assert other == doc(1, 1, partner="globex")  # every field, the other partner untouched


def test_a_whole_group_is_settled_at_once(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.edi.add_outbound([doc(5, n) for n in range(1, 4)])
        assert (
            uow.edi.settle_outbound(
                "acme", 5, None, OutboundStatus.ACCEPTED_WITH_ERRORS, "AK9*E", "a"
            )
            == 3
        )
        uow.commit()
    with store.uow.reader() as uow:
        statuses = {d.status for d in uow.edi.outbound(partner="acme")}
    assert statuses == {OutboundStatus.ACCEPTED_WITH_ERRORS}


def test_outbound_lists_newest_first_filtered_and_limited(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.edi.add_outbound([doc(1, n, minutes=n) for n in range(1, 6)])
        uow.edi.add_outbound([doc(1, 1, partner="globex", minutes=10)])
        uow.commit()
    with store.uow.reader() as uow:
        assert [d.transaction_control for d in uow.edi.outbound(partner="acme")] == [5, 4, 3, 2, 1]
        assert [d.partner for d in uow.edi.outbound(limit=2)] == ["globex", "acme"]
        assert [d.partner for d in uow.edi.outbound(message_id="m1-1")] == ["globex", "acme"]
        assert [d.partner for d in uow.edi.outbound(partner="acme", message_id="m1-1")] == ["acme"]
        assert uow.edi.outbound(partner="nobody") == []


def test_a_partners_rejection_reason_with_nul_is_kept_readable(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.edi.add_outbound([doc(1, 1)])
        uow.edi.settle_outbound("acme", 1, 1, OutboundStatus.REJECTED, "AK3*N1\x00*5", "ack")
        uow.commit()
    with store.uow.reader() as uow:
        [got] = uow.edi.outbound(partner="acme")
    assert got.reason == "AK3*N1\ufffd*5"

"""Contract of the InventoryStore port (`uow.inventory`), on every backend (`backends`):
drift episodes with exact quantities, the run log, the schedule lease (one holder at a time,
across engines), and the stock movements' delivery facts read from the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crossdock.hub.inventory.model import DriftRow, ReconciliationRun
from crossdock.hub.records import (
    Delivery,
    DeliveryAttempt,
    InboundMessage,
    MessageStatus,
)
from tests.contract.backends import ContractStore, concurrently

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
#: The extremes of NUMERIC(24,6), the quantities' declared range.
BIG = Decimal("999999999999999999.999999")
TINY = Decimal("0.000001")


def drift(n: int, site: str = "DC1", item: str | None = None, **changes: object) -> DriftRow:
    row = DriftRow(
        id=f"01D{n:023d}",
        site=site,
        item=item or f"ITEM-{n}",
        unit="EA",
        erp_on_hand=Decimal("10.5"),
        wms_on_hand=Decimal("9"),
        difference=Decimal("1.5"),
        first_seen_at=T0 + timedelta(minutes=n),
        last_checked_at=T0 + timedelta(minutes=n),
    )
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def test_drift_rows_read_back_exactly(store: ContractStore) -> None:
    exact = drift(
        1,
        site="Lager Süd ✓",
        item="Schraube M8x40 \u00e9",
        erp_on_hand=BIG,
        wms_on_hand=-BIG,
        erp_available=TINY,
        wms_available=Decimal("1.500000"),
        difference=Decimal("-1999999999999999999.999998"),
        evidence=["M1", "M2"],
        exception_id="01EXC",
        runs=3,
    )
    unknown = drift(2, erp_on_hand=None, wms_on_hand=Decimal("0E-6"), difference=Decimal("0"))
    with store.inventory_uow() as uow:
        uow.inventory.save_drift([exact, unknown])
        uow.inventory.save_drift([])
        uow.commit()
    with store.inventory_uow.reader() as uow:
        got = {r.id: r for r in uow.inventory.open_drift()}
    assert got == {exact.id: exact, unknown.id: unknown}
    # not only equal: the same digits (trailing zeros, exponent) as written
    assert str(got[exact.id].wms_available) == "1.500000"
    assert str(got[exact.id].difference) == "-1999999999999999999.999998"
    assert str(got[unknown.id].wms_on_hand) == "0.000000"


def test_saving_known_rows_updates_them_and_resolved_ones_leave_the_open_list(
    store: ContractStore,
) -> None:
    with store.inventory_uow() as uow:
        uow.inventory.save_drift([drift(1), drift(2), drift(3)])
        uow.commit()
    later = T0 + timedelta(hours=1)
    with store.inventory_uow() as uow:
        uow.inventory.save_drift(
            [
                drift(1, difference=Decimal("2"), runs=2, last_checked_at=later),
                drift(2, resolved_at=later, runs=2),
                drift(4),
            ]
        )
        uow.commit()
    with store.inventory_uow.reader() as uow:
        open_ = {r.id: r for r in uow.inventory.open_drift()}
        everything = uow.inventory.find_drift(include_resolved=True)
    assert set(open_) == {drift(n).id for n in (1, 3, 4)}
    assert (open_[drift(1).id].difference, open_[drift(1).id].runs) == (Decimal("2"), 2)
    assert open_[drift(1).id].last_checked_at == later
    assert open_[drift(1).id].first_seen_at == drift(1).first_seen_at
    [resolved] = [r for r in everything if r.id == drift(2).id]
    assert resolved.resolved_at == later and not resolved.open


def test_find_drift_longest_first_filtered_and_limited(store: ContractStore) -> None:
    with store.inventory_uow() as uow:
        uow.inventory.save_drift(
            [
                drift(3, site="DC1", item="B"),
                drift(1, site="DC2", item="A"),
                drift(2, site="DC1", item="A", resolved_at=T0 + timedelta(hours=1)),
                drift(4, site="DC1", item="A"),
                # first seen at the same moment: by site, then item
                drift(5, site="DC2", item="B", first_seen_at=T0),
                drift(6, site="DC1", item="C", first_seen_at=T0),
            ]
        )
        uow.commit()

    def ids(**kwargs: object) -> list[int]:
        with store.inventory_uow.reader() as uow:
            return [int(r.id[3:]) for r in uow.inventory.find_drift(**kwargs)]  # type: ignore[arg-type]

    assert ids() == [6, 5, 1, 3, 4]
    assert ids(include_resolved=True) == [6, 5, 1, 2, 3, 4]
    assert ids(site="DC1") == [6, 3, 4]
    assert ids(site="DC1", item="A") == [4]
    assert ids(site="DC1", item="A", include_resolved=True) == [2, 4]
    assert ids(limit=2) == [6, 5]
    assert ids(site="DC9") == []


def run(n: int, started: datetime, **changes: object) -> ReconciliationRun:
    result = ReconciliationRun(
        id=f"01R{n:023d}",
        started_at=started,
        finished_at=started + timedelta(seconds=2),
        status="ok",
        items_compared=12_000,
        drifting=3,
        new_drift=1,
        resolved=1,
        raised=1,
        in_flight=2,
        erp_positions=12_000,
        wms_positions=11_999,
    )
    for name, value in changes.items():
        setattr(result, name, value)
    return result


def test_the_last_run_is_the_latest_started_with_its_problems_capped(
    store: ContractStore,
) -> None:
    with store.inventory_uow.reader() as uow:
        assert uow.inventory.last_run() is None
    problems = [{"line": n, "reason": f"bad quantity ✗ {n}"} for n in range(250)]
    failed = run(
        2, T0 + timedelta(hours=1), status="failed", error="WMS: HTTP 503", problems=problems
    )
    with store.inventory_uow() as uow:
        uow.inventory.add_run(failed)
        uow.inventory.add_run(run(1, T0))  # added later, started earlier
        uow.commit()
    with store.inventory_uow.reader() as uow:
        last = uow.inventory.last_run()
    assert last is not None
    assert last.problems == problems[:100]
    last.problems = failed.problems
    assert last == failed
    with store.inventory_uow() as uow:
        uow.inventory.add_run(run(3, T0 + timedelta(hours=1)))  # same start: the higher id
        uow.commit()
    with store.inventory_uow.reader() as uow:
        last = uow.inventory.last_run()
    assert last is not None and last.id == run(3, T0).id


def test_the_schedule_lease_is_taken_when_due_and_held_until_it_ends(
    store: ContractStore,
) -> None:
    name = "inventory.reconcile"

    def lease(owner: str, at: datetime, *, force: bool = False, minutes: int = 10) -> bool:
        with store.inventory_uow() as uow:
            won = uow.inventory.lease_schedule(
                name, at, at + timedelta(minutes=minutes), owner, force=force
            )
            uow.commit()
        return won

    with store.inventory_uow.reader() as uow:
        assert uow.inventory.next_due(name) is None
    assert lease("a", T0)  # a schedule nobody ran yet is due
    assert not lease("b", T0 + timedelta(minutes=5))  # a's lease is live
    assert not lease("b", T0 + timedelta(minutes=5), force=True)  # even forced
    with store.inventory_uow() as uow:
        uow.inventory.finish_schedule(name, "b", T0 + timedelta(hours=1))  # not b's lease
        uow.commit()
    assert not lease("b", T0 + timedelta(minutes=5), force=True)
    with store.inventory_uow() as uow:
        uow.inventory.finish_schedule(name, "a", T0 + timedelta(hours=1))
        uow.commit()
    with store.inventory_uow.reader() as uow:
        assert uow.inventory.next_due(name) == T0 + timedelta(hours=1)
    assert not lease("b", T0 + timedelta(minutes=30))  # free, but not due
    assert lease("b", T0 + timedelta(minutes=30), force=True)  # forced: free is enough
    assert not lease("c", T0 + timedelta(minutes=41))  # b's lease ended, but not due
    assert lease("c", T0 + timedelta(minutes=61))  # due again, nobody holds it
    with store.inventory_uow() as uow:
        assert uow.inventory.lease_schedule(
            name, T0 + timedelta(hours=9), T0 + timedelta(hours=10), "d", force=False
        )
        # rolled back: the lease was never taken
    assert lease("e", T0 + timedelta(hours=9))


def test_two_engines_never_hold_the_schedule_at_once(store: ContractStore) -> None:
    def take(n: int, s: ContractStore) -> bool:
        with s.inventory_uow() as uow:
            won = uow.inventory.lease_schedule(
                "job", T0, T0 + timedelta(minutes=5), f"p{n}", force=False
            )
            uow.commit()
        return won

    assert sorted(concurrently([store.open_again() for _ in range(4)], take)) == [
        False,
        False,
        False,
        True,
    ]


def movement(
    n: int, status: MessageStatus, *, source: str = "wms", minutes: int = 0, occurred: str = ""
) -> InboundMessage:
    canonical = f'{{"occurred_at": "{occurred}"}}'.encode() if occurred else b"not json"
    return InboundMessage(
        id=f"01M{n:023d}",
        document_type="stock_movement",
        schema_version=1,
        source=source,
        channel="http",
        received_at=T0 + timedelta(minutes=minutes),
        content_type="application/json",
        raw=b"{}",
        body_sha256="0" * 64,
        status=status,
        lane="bulk",
        correlation_key=f"DC1/ITEM-{n % 3}",
        canonical=canonical,
    )


def record_movements(store: ContractStore) -> None:
    messages = [
        movement(1, MessageStatus.DELIVERED, minutes=1, occurred="2026-11-27T08:59:00+00:00"),
        movement(2, MessageStatus.ROUTED, minutes=2),
        movement(3, MessageStatus.ACCEPTED, minutes=3),
        movement(4, MessageStatus.FAILED, minutes=4),
        movement(5, MessageStatus.UNROUTED, minutes=5),
        movement(6, MessageStatus.ACCEPTED, minutes=6, source="erp"),
        movement(7, MessageStatus.REJECTED, minutes=7),
        movement(8, MessageStatus.ACCEPTED, minutes=-60),  # before the window
    ]
    with store.uow() as uow:
        uow.messages.add_many(messages)
        uow.deliveries.add(delivery(1, messages[0].id))
        uow.deliveries.add(delivery(2, messages[0].id))
        uow.deliveries.add(delivery(3, messages[1].id))
        uow.deliveries.record_attempts(
            [
                DeliveryAttempt(f"D{1:025d}", 1, T0 + timedelta(minutes=2), 100.0, "error", 503),
                DeliveryAttempt(f"D{1:025d}", 2, T0 + timedelta(minutes=3), 250.0, "ok", 200),
                DeliveryAttempt(f"D{2:025d}", 1, T0 + timedelta(minutes=4), 0.0, "ok", 200),
                DeliveryAttempt(f"D{3:025d}", 1, T0 + timedelta(minutes=3), 5.0, "error", 500),
            ]
        )
        uow.commit()


def delivery(n: int, message_id: str) -> Delivery:
    return Delivery(
        id=f"D{n:025d}",
        message_id=message_id,
        route="to-erp",
        endpoint="erp",
        lane="bulk",
        idempotency_key=f"k{n}",
        correlation_key="DC1/ITEM-1",
        content_type="application/json",
        body=b"",
    )


def test_movements_in_flight_delivered_and_undelivered(store: ContractStore) -> None:
    record_movements(store)
    with store.inventory_uow.reader() as uow:
        in_flight = uow.inventory.movements_in_flight("wms", T0)
        facts = uow.inventory.movement_deliveries("wms", T0)
        limited = uow.inventory.movement_deliveries("wms", T0, limit=2)
        undelivered = uow.inventory.undelivered_movements("wms")
        nothing = uow.inventory.undelivered_movements("tms")
    # routed (2) and accepted (3) are in flight: keys ITEM-2 and ITEM-0
    assert in_flight == {"DC1/ITEM-2", "DC1/ITEM-0"}
    assert [f.message_id[3:] for f in facts] == [f"{n:023d}" for n in (1, 2, 3, 4, 5, 7)]
    assert [f.message_id for f in limited] == [facts[0].message_id, facts[1].message_id]
    first = facts[0]
    # the first successful attempt's end: started + duration
    assert first.delivered_at == T0 + timedelta(minutes=3, milliseconds=250)
    assert first.occurred_at == datetime(2026, 11, 27, 8, 59, tzinfo=UTC)
    assert (first.status, first.received_at) == ("delivered", T0 + timedelta(minutes=1))
    assert facts[1].delivered_at is None and facts[1].occurred_at is None  # only failed attempts
    # accepted (3, 8), routed (2), failed (4), unrouted (5); not delivered, not rejected
    assert undelivered == (5, T0 - timedelta(minutes=60))
    assert nothing == (0, None)


def test_a_failed_runs_error_with_nul_is_kept_readable(store: ContractStore) -> None:
    with store.inventory_uow() as uow:
        uow.inventory.add_run(run(1, T0, status="failed", error="WMS: HTTP 500: a\x00b"))
        uow.commit()
    with store.inventory_uow.reader() as uow:
        last = uow.inventory.last_run()
    assert last is not None and last.error == "WMS: HTTP 500: a\ufffdb"

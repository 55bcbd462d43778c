"""The pure comparison: drift appears, persists (since-when kept), raises once after the
grace and the confirming runs, clears; a movement in flight is not drift."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crossdock.hub.flows.exceptions import ExceptionCategory
from crossdock.hub.inventory.compare import DriftPolicy, compare
from crossdock.hub.inventory.lag import lag_report, percentile
from crossdock.hub.inventory.model import DriftRow, MovementDelivery, Position

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
POLICY = DriftPolicy(grace=timedelta(minutes=10), confirm_runs=2)
_ids = (f"D{n:03d}" for n in itertools.count())


def pos(
    qty: str, *, site: str = "DC-ATL", item: str = "HP-1", mid: str = ""
) -> dict[str, Position]:
    p = Position(site, item, Decimal(qty), Decimal(qty), "EA", mid)
    return {p.key: p}


def run(
    erp: dict[str, Position],
    wms: dict[str, Position],
    rows: list[DriftRow],
    at: datetime,
    in_flight: set[str] | None = None,
    policy: DriftPolicy = POLICY,
):  # type: ignore[no-untyped-def]
    return compare(erp, wms, [r for r in rows if r.open], in_flight or set(), at, policy,
                   lambda: next(_ids))  # fmt: skip


def test_equal_positions_are_not_drift() -> None:
    result = run(pos("5"), pos("5"), [], T0)
    assert (result.compared, result.drifting, result.save) == (1, 0, [])


def test_drift_appears_persists_with_its_first_seen_time_raises_once_and_clears() -> None:
    first = run(pos("5", mid="e1"), pos("7", mid="w1"), [], T0)
    (row,) = first.save
    assert (first.drifting, first.new_drift, first.raise_for) == (1, 1, [])
    assert (row.erp_on_hand, row.wms_on_hand, row.difference) == (
        Decimal(5),
        Decimal(7),
        Decimal(2),
    )
    assert row.first_seen_at == T0 and row.runs == 1 and row.evidence == ["e1", "w1"]

    # second run inside the grace: confirmed by two runs, but not old enough
    second = run(pos("5"), pos("8"), [row], T0 + timedelta(minutes=5))
    assert second.new_drift == 0 and second.raise_for == []
    assert row.first_seen_at == T0 and row.runs == 2 and row.wms_on_hand == Decimal(8)

    third = run(pos("5", mid="e3"), pos("8", mid="w3"), [row], T0 + timedelta(minutes=11))
    ((raised_row, raised),) = third.raise_for
    assert raised_row is row and raised.category is ExceptionCategory.INVENTORY_DRIFT
    assert raised.owner_role == "inventory_control" and raised.correlation_key == "DC-ATL/HP-1"
    assert list(raised.evidence) == ["e3", "w3"]
    assert raised.data["erp_on_hand"] == "5" and raised.data["wms_on_hand"] == "8"
    assert raised.data["first_seen_at"] == T0.isoformat()
    row.exception_id = "X1"

    fourth = run(pos("5"), pos("8"), [row], T0 + timedelta(minutes=20))
    assert fourth.raise_for == [] and row.runs == 4  # once per episode

    cleared = run(pos("8"), pos("8"), [row], T0 + timedelta(minutes=25))
    assert cleared.resolve == [row] and row.resolved_at == T0 + timedelta(minutes=25)
    assert cleared.drifting == 0


def test_a_single_run_of_drift_never_raises_even_without_grace() -> None:
    policy = DriftPolicy(grace=timedelta(0), confirm_runs=2)
    result = run(pos("5"), pos("6"), [], T0, policy=policy)
    assert result.raise_for == []
    (row,) = result.save
    again = run(pos("5"), pos("6"), [row], T0 + timedelta(seconds=1), policy=policy)
    assert len(again.raise_for) == 1


def test_a_movement_in_flight_is_not_drift_and_leaves_an_open_episode_alone() -> None:
    result = run(pos("5"), pos("4"), [], T0, in_flight={"DC-ATL/HP-1"})
    assert (result.drifting, result.in_flight, result.save) == (0, 1, [])
    (row,) = run(pos("5"), pos("4"), [], T0).save
    later = run(pos("5"), pos("3"), [row], T0 + timedelta(minutes=30), in_flight={"DC-ATL/HP-1"})
    assert later.save == [] and row.runs == 1 and row.resolved_at is None


def test_an_item_only_one_system_lists_drifts_against_zero() -> None:
    result = run({}, pos("3", item="NEW-1"), [], T0)
    (row,) = result.save
    assert row.erp_on_hand is None and row.wms_on_hand == Decimal(3) and row.difference == 3


def test_an_episode_whose_item_is_no_longer_listed_is_resolved() -> None:
    (row,) = run(pos("1"), pos("2"), [], T0).save
    row.exception_id = "X9"
    result = run({}, {}, [row], T0 + timedelta(hours=1))
    assert result.resolve == [row] and row.resolved_at is not None


def test_tolerance_available_and_units() -> None:
    loose = DriftPolicy(tolerance=Decimal("0.5"))
    assert run(pos("5"), pos("5.4"), [], T0, policy=loose).drifting == 0
    erp = {"DC-ATL/HP-1": Position("DC-ATL", "HP-1", Decimal(5), Decimal(5), "EA")}
    wms = {"DC-ATL/HP-1": Position("DC-ATL", "HP-1", Decimal(5), Decimal(3), "EA")}
    assert run(erp, wms, [], T0).drifting == 0  # on-hand only by default
    both = DriftPolicy(compare=("on_hand", "available"))
    assert run(erp, wms, [], T0, policy=both).drifting == 1
    cases = {"DC-ATL/HP-1": Position("DC-ATL", "HP-1", Decimal(5), Decimal(5), "CS")}
    assert run(erp, cases, [], T0).drifting == 1


def test_lag_report_percentiles_and_the_oldest_undelivered() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    movements = [
        MovementDelivery(f"m{i}", "DC-ATL/HP-1", T0 + timedelta(seconds=i), "delivered",
                         occurred_at=T0, delivered_at=T0 + timedelta(seconds=2 * i))
        for i in range(1, 21)
    ] + [MovementDelivery("late", None, T0, "routed")]  # fmt: skip
    report = lag_report(movements, 1, T0, T0 + timedelta(minutes=1), 24)
    assert report["movements"] == 21 and report["lag_seconds"]["n"] == 20
    assert report["lag_seconds"]["median"] == 20.0 and report["lag_seconds"]["max"] == 40.0
    assert report["lag_seconds"]["p95"] == 38.0
    assert report["hub_lag_seconds"]["median"] == 10.0
    assert report["undelivered"] == 1 and report["oldest_undelivered_age_seconds"] == 60.0
    empty = lag_report([], 0, None, T0, 24)
    assert empty["lag_seconds"] == {"n": 0, "median": None, "p95": None, "max": None}

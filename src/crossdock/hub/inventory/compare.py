"""The comparison, as a pure function: positions of both systems and the open drift episodes
in, the episodes to save and the exceptions to raise or resolve out.

Rules, per (site, item) listed by either system (a side that does not list it holds 0):

- equal (within the tolerance, on every compared quantity): not drifting; an open episode is
  resolved now, with its exception if one was raised;
- different, but a stock movement for it is still on its way to the ERP: in flight, not drift;
  an open episode is left as it is (neither confirmed nor resolved by a moving target);
- different otherwise: drifting; an open episode is updated (quantities, last checked, one
  more run) and keeps its first-seen time, else one starts now. It raises one exception once
  it has been seen in `confirm_runs` consecutive runs and is `grace` old.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException
from crossdock.hub.inventory.model import DriftRow, Position

FLOW_NAME = "inventory_reconciliation"


@dataclass(slots=True, frozen=True)
class DriftPolicy:
    """How strict the comparison is and when drift becomes an exception."""

    grace: timedelta = timedelta(minutes=10)
    confirm_runs: int = 2
    compare: tuple[str, ...] = ("on_hand",)
    tolerance: Decimal = Decimal(0)
    owner_role: str = "inventory_control"


@dataclass(slots=True)
class Comparison:
    """What one run changes: rows to save, exceptions to raise (per row) and to resolve."""

    save: list[DriftRow] = field(default_factory=list)
    raise_for: list[tuple[DriftRow, RaisedException]] = field(default_factory=list)
    resolve: list[DriftRow] = field(default_factory=list)
    compared: int = 0
    drifting: int = 0
    new_drift: int = 0
    in_flight: int = 0


def compare(
    erp: Mapping[str, Position],
    wms: Mapping[str, Position],
    open_rows: Sequence[DriftRow],
    in_flight: Collection[str],
    now: datetime,
    policy: DriftPolicy,
    new_id: Callable[[], str],
) -> Comparison:
    """Compare both systems' positions (keyed ``site/item``) against the open episodes."""
    result = Comparison()
    episodes = {row.key: row for row in open_rows}
    for key in sorted(set(erp) | set(wms)):
        ours, theirs = erp.get(key), wms.get(key)
        result.compared += 1
        row = episodes.get(key)
        if not _differs(ours, theirs, policy):
            if row is not None:
                row.resolved_at = now
                row.last_checked_at = now
                _set_quantities(row, ours, theirs)
                result.save.append(row)
                if row.exception_id is not None:
                    result.resolve.append(row)
            continue
        if key in in_flight:
            result.in_flight += 1
            continue
        result.drifting += 1
        if row is None:
            sample = ours or theirs
            assert sample is not None
            row = DriftRow(
                id=new_id(),
                site=sample.site,
                item=sample.item,
                unit=sample.unit,
                erp_on_hand=None,
                wms_on_hand=None,
                difference=Decimal(0),
                first_seen_at=now,
                last_checked_at=now,
            )
            result.new_drift += 1
        else:
            row.runs += 1
            row.last_checked_at = now
        _set_quantities(row, ours, theirs)
        result.save.append(row)
        if (
            row.exception_id is None
            and row.runs >= policy.confirm_runs
            and now - row.first_seen_at >= policy.grace
        ):
            result.raise_for.append((row, drift_exception(row, policy)))
    listed = set(erp) | set(wms)
    for key, row in episodes.items():
        if key not in listed:  # neither system lists it any more: both hold none of it
            row.resolved_at = row.last_checked_at = now
            _set_quantities(row, None, None)
            result.save.append(row)
            if row.exception_id is not None:
                result.resolve.append(row)
    return result


def _quantity(position: Position | None, name: str) -> Decimal:
    if position is None:
        return Decimal(0)
    value: Decimal = getattr(position, name)
    return value


def _differs(erp: Position | None, wms: Position | None, policy: DriftPolicy) -> bool:
    if erp is not None and wms is not None and erp.unit != wms.unit:
        return True  # 12 EA and 12 CS are not the same stock; a unit mix-up is drift too
    return any(
        abs(_quantity(erp, name) - _quantity(wms, name)) > policy.tolerance
        for name in policy.compare
    )


def _set_quantities(row: DriftRow, erp: Position | None, wms: Position | None) -> None:
    row.erp_on_hand = None if erp is None else erp.on_hand
    row.wms_on_hand = None if wms is None else wms.on_hand
    row.erp_available = None if erp is None else erp.available
    row.wms_available = None if wms is None else wms.available
    row.difference = _quantity(wms, "on_hand") - _quantity(erp, "on_hand")
    row.unit = (wms or erp or row).unit
    row.evidence = [p.message_id for p in (erp, wms) if p is not None and p.message_id]


def drift_exception(row: DriftRow, policy: DriftPolicy) -> RaisedException:
    """The exception for a confirmed drift: both quantities, since when, the snapshots."""
    erp = "not listed" if row.erp_on_hand is None else f"{row.erp_on_hand} {row.unit}"
    wms = "not listed" if row.wms_on_hand is None else f"{row.wms_on_hand} {row.unit}"
    return RaisedException(
        category=ExceptionCategory.INVENTORY_DRIFT,
        detail=(
            f"{row.item} at {row.site}: ERP {erp}, WMS {wms} (difference {row.difference}), "
            f"drifting since {row.first_seen_at.isoformat()}"
        ),
        evidence=list(row.evidence),
        owner_role=policy.owner_role,
        correlation_key=row.key,
        data={
            "site": row.site,
            "item": row.item,
            "unit": row.unit,
            "erp_on_hand": _text(row.erp_on_hand),
            "wms_on_hand": _text(row.wms_on_hand),
            "difference": str(row.difference),
            "first_seen_at": row.first_seen_at.isoformat(),
            "drift_id": row.id,
        },
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)

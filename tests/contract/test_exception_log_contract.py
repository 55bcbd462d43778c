"""Contract of the ExceptionLog port (`uow.exceptions`), on every backend (`backends`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from crossdock.hub.flows.exceptions import (
    ExceptionAction,
    ExceptionCategory,
    ExceptionRecord,
    ExceptionStatus,
)
from tests.contract.backends import ContractStore

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def record(id: str, category: ExceptionCategory, key: str) -> ExceptionRecord:
    return ExceptionRecord(
        id=id,
        category=category,
        owner_role="buyer",
        detail=f"{category} on {key}",
        created_at=T0,
        evidence=["M1", "M2"],
        flow="p2p",
        correlation_key=key,
        data={"line": 2, "difference": "1.50"},
    )


def test_exceptions_are_filtered_resolved_once_and_keep_their_actions(store: ContractStore) -> None:
    late = record("01A", ExceptionCategory.LATE_ACKNOWLEDGMENT, "PO-1")
    price = record("01B", ExceptionCategory.PRICE_MISMATCH, "PO-2")
    with store.uow() as uow:
        uow.exceptions.add(late)
        uow.exceptions.add(price)
        uow.exceptions.note_action("01B", ExceptionAction("replay", T0, "1 to route.critical"))
        assert uow.exceptions.resolve("01A", "called the supplier", T0)
        assert not uow.exceptions.resolve("01A", "again", T0)
        with pytest.raises(LookupError):
            uow.exceptions.note_action("NOPE", ExceptionAction("retry", T0, ""))
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.exceptions.get("01B") == ExceptionRecord(
            **{
                **{f: getattr(price, f) for f in price.__dataclass_fields__},
                "actions": [ExceptionAction("replay", T0, "1 to route.critical")],
            }
        )
        resolved = uow.exceptions.get("01A")
        by_category = uow.exceptions.find(category=ExceptionCategory.PRICE_MISMATCH)
        open_ = uow.exceptions.find(status=ExceptionStatus.OPEN)
        by_key = uow.exceptions.find(correlation_key="PO-1")
        counts = uow.exceptions.counts()
    assert resolved is not None and resolved.status is ExceptionStatus.RESOLVED
    assert (resolved.resolution, resolved.resolved_at) == ("called the supplier", T0)
    assert [a.action for a in resolved.actions] == ["resolve"]
    assert [e.id for e in by_category] == [e.id for e in open_] == ["01B"]
    assert [e.id for e in by_key] == ["01A"]
    assert counts == {("late_acknowledgment", "resolved"): 1, ("price_mismatch", "open"): 1}


def test_an_exception_collects_evidence_and_data(store: ContractStore) -> None:
    unrouted = record("01C", ExceptionCategory.ROUTING, "unrouted:invoice:api")
    other = record("01D", ExceptionCategory.ROUTING, "unrouted:invoice:erp")
    with store.uow() as uow:
        uow.exceptions.add(unrouted)
        uow.exceptions.add(other)
        uow.exceptions.extend("01C", ["M1", "M2", "M3"], {"source": "api", "messages": 3})
        uow.commit()
    with store.uow.reader() as uow:
        extended = uow.exceptions.get("01C")
        untouched = uow.exceptions.get("01D")
    assert extended is not None and untouched is not None
    assert extended.evidence == ["M1", "M2", "M3"]
    assert extended.data == {"source": "api", "messages": 3}
    assert (untouched.evidence, untouched.data) == (other.evidence, other.data)


def test_find_is_newest_first_paged_and_filtered_by_flow(store: ContractStore) -> None:
    with store.uow() as uow:
        for n in range(1, 8):
            rec = record(f"01E{n:02d}", ExceptionCategory.PRICE_MISMATCH, f"PO-{n % 2}")
            rec.flow = "p2p" if n % 2 else "o2d"
            uow.exceptions.add(rec)
        uow.commit()

    def ids(**kwargs: object) -> list[str]:
        with store.uow.reader() as uow:
            return [e.id for e in uow.exceptions.find(**kwargs)]  # type: ignore[arg-type]

    assert ids() == [f"01E{n:02d}" for n in range(7, 0, -1)]
    assert ids(limit=2, offset=2) == ["01E05", "01E04"]
    assert ids(limit=3, offset=6) == ["01E01"]
    assert ids(flow="o2d") == ["01E06", "01E04", "01E02"]
    assert ids(flow="o2d", correlation_key="PO-1") == []
    assert ids(category=ExceptionCategory.ROUTING) == []


def test_text_unicode_decimals_and_times_read_back(store: ContractStore) -> None:
    rec = ExceptionRecord(
        id="01U",
        category=ExceptionCategory.QUANTITY_MISMATCH,
        owner_role="receiving",
        detail="Gelieferte Menge weicht ab: 数量 ✗ " + "x" * 50_000,
        created_at=datetime(2026, 11, 27, 9, 0, 0, 654321, tzinfo=UTC),
        evidence=[f"M{n}" for n in range(500)],
        flow=None,
        correlation_key=None,
        data={
            "ordered": Decimal("999999999999999999.999999"),
            "received": Decimal("-0.000001"),
            "lines": [{"n": 1, "note": "ü"}],
            "none": None,
        },
    )
    with store.uow() as uow:
        uow.exceptions.add(rec)
        uow.commit()
    with store.uow.reader() as uow:
        got = uow.exceptions.get("01U")
        assert uow.exceptions.get("01NOPE") is None
    assert got is not None
    assert (got.detail, got.evidence, got.flow, got.correlation_key) == (
        rec.detail,
        rec.evidence,
        None,
        None,
    )
    # decimals are kept exactly, as text
    assert got.data == {
        "ordered": "999999999999999999.999999",
        "received": "-0.000001",
        "lines": [{"n": 1, "note": "ü"}],
        "none": None,
    }
    assert got.created_at == rec.created_at and got.status is ExceptionStatus.OPEN


def test_resolution_and_actions_roll_back_with_their_unit_of_work(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.exceptions.add(record("01R", ExceptionCategory.ROUTING, "PO-1"))
        uow.commit()
    with store.uow() as uow:
        assert uow.exceptions.resolve("01R", "fixed", T0)
        uow.exceptions.note_action("01R", ExceptionAction("retry", T0, "1 delivery"))
        # no commit
    with store.uow() as uow:
        got = uow.exceptions.get("01R")
        assert got is not None and (got.status, got.actions) == (ExceptionStatus.OPEN, [])
        uow.exceptions.note_action("01R", ExceptionAction("retry", T0, "1"))
        uow.exceptions.note_action("01R", ExceptionAction("replay", T0 + timedelta(1), "2"))
        assert uow.exceptions.resolve("01R", "done", T0 + timedelta(2))
        uow.commit()
    with store.uow.reader() as uow:
        got = uow.exceptions.get("01R")
        assert uow.exceptions.counts() == {("routing", "resolved"): 1}
    assert got is not None
    assert [(a.action, a.detail) for a in got.actions] == [
        ("retry", "1"),
        ("replay", "2"),
        ("resolve", "done"),
    ]


def test_an_empty_log_counts_nothing(store: ContractStore) -> None:
    with store.uow.reader() as uow:
        assert uow.exceptions.counts() == {}
        assert uow.exceptions.find() == []
        with pytest.raises(LookupError):
            uow.exceptions.note_action("01X", ExceptionAction("retry", T0, ""))


def test_text_with_nul_characters_is_kept_readable(store: ContractStore) -> None:
    """A dead letter's error (a receiver's body) becomes an exception's detail: NUL, which
    PostgreSQL text cannot store, is kept as U+FFFD on every backend."""
    rec = record("01N", ExceptionCategory.ROUTING, "PO-1")
    rec.detail = "dead letter: HTTP 500: a\x00b"
    with store.uow() as uow:
        uow.exceptions.add(rec)
        assert uow.exceptions.resolve("01N", "receiver fixed \x00", T0)
        uow.commit()
    with store.uow.reader() as uow:
        got = uow.exceptions.get("01N")
    assert got is not None
    assert (got.detail, got.resolution) == (
        "dead letter: HTTP 500: a\ufffdb",
        "receiver fixed \ufffd",
    )
    assert got.actions[-1].detail == "receiver fixed \x00"  # JSON keeps it as an escape

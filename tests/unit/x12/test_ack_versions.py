"""Our 997/999 travels in the acknowledged group's version (GS08), not a fixed one."""

from __future__ import annotations

from datetime import datetime

import pytest

from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.acks import AckKind, ack_version
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome, TransactionOutcome

from .test_acks_helpers import group_header, interchange_header, texts

WHEN = datetime(2026, 12, 1, 9, 5)


def _reply_lines(gs08: str, isa12: str = "00401", kind: AckKind | None = None) -> list[str]:
    group = GroupOutcome(group_header(version=gs08), (TransactionOutcome("850", "0001"),), (), 1)
    outcome = InterchangeOutcome(interchange_header(version=isa12), (group,), ())
    reply = acknowledge(outcome, when=WHEN, interchange_control=1, group_control=1, kind=kind)
    return texts(reply.segments())


@pytest.mark.parametrize(
    ("gs08", "kind", "expected"),
    [
        ("004010", "997", "004010"),
        ("004030", "997", "004030"),
        ("004010VICS", "997", "004010"),
        ("005010", "997", "005010"),
        ("005010X222A1", "999", "005010X231A1"),
        ("005010", "999", "005010X231A1"),
        ("004030", "999", "005010X231A1"),  # no 999 before 5010
        ("006020", "999", "006020"),
        ("007030UCS", "999", "007030"),
    ],
)
def test_ack_version_is_the_acknowledged_groups_release(
    gs08: str, kind: AckKind, expected: str
) -> None:
    assert ack_version(kind, gs08) == expected


def test_a_004030_group_gets_a_997_in_a_004030_group() -> None:
    lines = _reply_lines("004030", "00403")
    assert lines[0].split("*")[12] == "00403"
    assert lines[1].endswith("*X*004030") and lines[2] == "ST*997*0001"


def test_a_5010_group_gets_its_999_under_x231a1() -> None:
    lines = _reply_lines("005010X222A1", "00501")
    assert lines[1].endswith("*X*005010X231A1")
    assert lines[2] == "ST*999*0001*005010X231A1"


def test_a_later_release_gets_a_999_in_that_release_without_the_5010_guide() -> None:
    lines = _reply_lines("006020", "00602")
    assert lines[0].split("*")[12] == "00602"
    assert lines[1].endswith("*X*006020")
    assert lines[2] == "ST*999*0001"  # no ST03: X231A1 is the 005010 guide


def test_a_997_forced_on_a_5010_group_stays_in_005010() -> None:
    lines = _reply_lines("005010", "00501", kind="997")
    assert lines[1].endswith("*X*005010") and lines[2] == "ST*997*0001"

"""An independent check: pyx12 (a dev dependency) validates our 997 and 999 replies.

pyx12 ships HIPAA maps only, so the inbound groups here are health-care claims (HC); the
ack shapes are the same for every functional group.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import pytest

from crossdock.x12.ack_interchange import acknowledge
from crossdock.x12.acks import AckKind
from crossdock.x12.model import Issue, IssueLevel
from crossdock.x12.outcome import GroupOutcome, InterchangeOutcome, TransactionOutcome

from .test_acks_helpers import group_header, interchange_header

pyx12_document = pytest.importorskip("pyx12.x12n_document", reason="pyx12 not installed")
pyx12_params = pytest.importorskip("pyx12.params", reason="pyx12 not installed")


def _claims(version: str, isa_version: str) -> InterchangeOutcome:
    issues = (
        Issue(
            IssueLevel.ELEMENT,
            "7",
            "code",
            segment_position=4,
            segment_id="NM1",
            loop_id="1000",
            element_position=1,
            element_reference="98",
            bad_value="ZZ",
        ),
        Issue(
            IssueLevel.SEGMENT,
            "2",
            "unexpected",
            segment_position=12,
            segment_id="REF",
            loop_id="2010",
        ),
        Issue(IssueLevel.TRANSACTION, "4", "SE01"),
    )
    group = GroupOutcome(
        replace(group_header(version=version, functional_id="HC"), control_number="17456"),
        (
            TransactionOutcome("837", "0001", version, issues),
            TransactionOutcome("837", "0002", version),
        ),
        (Issue(IssueLevel.GROUP, "5", "GE01"),),
        transaction_count_declared=3,
    )
    return InterchangeOutcome(interchange_header(version=isa_version), (group,))


@pytest.mark.parametrize(
    ("kind", "version", "isa_version"),
    [("999", "005010X222A1", "00501"), ("997", "004010X098A1", "00401")],
)
def test_pyx12_accepts_our_reply(kind: AckKind, version: str, isa_version: str) -> None:
    reply = acknowledge(
        _claims(version, isa_version),
        when=datetime(2026, 11, 27, 9, 0),
        interchange_control=5,
        group_control=6,
        kind=kind,
    )
    text = reply.to_text()
    assert f"ST*{kind}*0001" in text
    assert pyx12_document.x12n_document(pyx12_params.params(), io.StringIO(text), None, None)

"""Code-list policy through the hub's X12 intake: a valid code outside a list the hub carries
only in part is a warning (set accepted, canonical document made, 997 AK5 A without AK3/AK4
for it, the warning kept on the message's record); a partner with
``x12.strict`` gets it rejected (AK5 R, AK4 naming the element); a code the map needs the
meaning of and has none for is a mapping error naming element, code and partner. Fixtures:
tests/fixtures/x12/codes (see its README)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial
from typing import Any

import orjson
import pytest

from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.ids import new_id
from crossdock.hub.records import (
    FieldError,
    FieldWarning,
    InboundMessage,
    MessageStatus,
    StoredMessage,
)
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12 import reader
from crossdock.x12.acks import AckKind, acked, build_functional_ack
from crossdock.x12.findings import capped
from crossdock.x12.model import Issue, IssueLevel, Severity
from crossdock.x12.outcome import collect
from crossdock.x12.validator import validate
from tests.conftest import ROOT, SqlStore
from tests.unit.x12.test_acks_helpers import texts

FIXTURES = ROOT / "tests" / "fixtures" / "x12" / "codes"
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def partner(*, strict: bool = False) -> TradingPartner:
    return TradingPartner(
        name="catskill", qualifier="ZZ", id="CODESBUYER", gs_id="CODESBUYER", strict=strict
    )


def stored(store: SqlStore, message_id: str) -> StoredMessage:
    with store.uow() as uow:
        found = uow.messages.get(message_id)
    assert found is not None
    return found


def receive(store: SqlStore, data: bytes, who: TradingPartner) -> EdiReceipt:
    runner = StoreRunner(store.uow)
    mapper = X12Mapper()
    preparer = EdiPreparer(StaticPartnerDirectory([who]), lambda _t: "critical", lambda _p: mapper)
    service = EdiService(preparer, runner, ack_renderer(lambda: WHEN))
    try:
        return asyncio.run(service.receive(data, channel="t"))
    finally:
        runner.close()


def test_valid_codes_outside_partial_lists_are_warnings_and_the_po_is_made(
    store: SqlStore,
) -> None:
    [transaction] = reader.read_transactions(fixture("850_codes_outside_lists.edi"))
    result = validate(transaction)
    assert result.accepted
    noted = [
        (i.segment_id, i.element_position, i.element_reference, i.bad_value)
        for i in result.issues
        if i.element_position is not None
    ]
    assert noted == [("REF", 1, "128", "F8"), ("N1", 3, "66", "A")]
    assert {i.severity for i in result.issues} == {Severity.WARNING}

    [interchange] = receive(store, fixture("850_codes_outside_lists.edi"), partner()).interchanges
    [outcome] = interchange.messages
    message = stored(store, outcome.message_id)
    summary = message.summary
    assert (summary.status, summary.document_type) == ("accepted", "purchase_order")
    assert message.canonical is not None
    po = orjson.loads(message.canonical)
    assert po["po_number"] == "CL-PO-7781"
    assert interchange.ack is not None
    # Accepted, and the partner is not told that a code we cannot judge is invalid: no
    # AK3/AK4 for them, AK5 A, AK9 A.
    body = interchange.ack.text.split("ST*997*0001~\n")[1].split("SE*")[0]
    assert body == "AK1*PO*301~\nAK2*850*0001~\nAK5*A~\nAK9*A*1*1*1~\n"
    # ... but the hub's own users see them on the accepted message's record
    assert message.errors == []
    assert [(w["element"], w["code"], w["type"]) for w in message.warnings] == [
        ("REF01", "F8", "x12.element.7"),
        ("N103", "A", "x12.element.7"),
    ]
    assert all("not in the hub's partial code list" in w["reason"] for w in message.warnings)
    assert message.warnings[0]["path"].endswith("segment 4 REF / element 01")


def test_a_strict_partner_gets_the_same_codes_rejected(store: SqlStore) -> None:
    who = partner(strict=True)
    [interchange] = receive(store, fixture("850_codes_outside_lists.edi"), who).interchanges
    [outcome] = interchange.messages
    message = stored(store, outcome.message_id)
    assert message.summary.status == "rejected" and message.canonical is None
    assert interchange.ack is not None
    assert "AK3*REF*4**8~\nAK4*1*128*7*F8~" in interchange.ack.text
    assert "AK4*3*66*7*A~\nAK5*R*5~" in interchange.ack.text
    assert "AK9*R*1*1*0~" in interchange.ack.text
    reasons = [e["reason"] for e in message.errors]
    assert any("'F8'" in r and "x12.strict" in r for r in reasons), reasons


def test_a_code_the_map_needs_is_a_mapping_error_naming_element_code_and_partner(
    store: SqlStore,
) -> None:
    # BEG01 '02' (Add) is a valid purpose code, outside the validator's partial list (a
    # warning) and outside the 850 map's purpose table: the map cannot say what it means.
    [interchange] = receive(store, fixture("850_purpose_not_in_map.edi"), partner()).interchanges
    [outcome] = interchange.messages
    message = stored(store, outcome.message_id)
    assert message.summary.status == "rejected"
    # The syntax is fine and BEG01 '02' is not judged, so the partner's 997 accepts the set:
    # mapping is the hub's own business (the record says why, and names the partner).
    assert interchange.ack is not None and "AK5*A~" in interchange.ack.text
    assert "AK3" not in interchange.ack.text
    [error] = [e for e in message.errors if e["type"] == "x12.mapping"]
    assert error["reason"].startswith("BEG01 unknown code '02'")
    assert "partner catskill" in error["reason"]
    assert error["path"] == "segment 2 BEG / element 01 -> purpose"


@pytest.mark.parametrize(
    "name", ["850_004030_later_additions.edi", "850_004050_later_additions.edi"]
)
def test_a_0040x0_document_may_use_what_later_releases_added(name: str) -> None:
    [transaction] = reader.read_transactions(fixture(name))
    result = validate(transaction)
    assert result.accepted, [str(i) for i in result.issues]
    assert result.spec_version == transaction.group.version[:6]
    # only the note that this release is validated by an overlay
    [note] = result.issues
    assert note.severity is Severity.WARNING and "plus what later releases added" in note.message


def test_a_004010_document_is_still_held_to_004010() -> None:
    [transaction] = reader.read_transactions(fixture("850_004010_later_additions.edi"))
    result = validate(transaction)
    assert not result.accepted
    errors = [
        (i.segment_id, i.element_position, i.code)
        for i in result.issues
        if i.element_position is not None
    ]
    assert errors == [("ST", 3, "3"), ("REF", 2, "5")]  # ST03 unknown; REF02 over 30


def ack_lines(data: bytes, *, kind: AckKind | None = None, **validate_options: Any) -> list[str]:
    """The 997/999 body (AK1..AK9 or its IK lines) our reply to ``data`` carries."""
    check = partial(validate, **validate_options)
    [outcome] = collect(reader.read(data), check)
    [group] = outcome.groups
    return texts(build_functional_ack(group, kind=kind).segments)


@pytest.mark.parametrize("kind", ["997", "999"])
def test_the_ack_leaves_out_codes_it_cannot_judge_whatever_its_kind(kind: AckKind) -> None:
    data = fixture("850_codes_outside_lists.edi")
    ik = "AK" if kind == "997" else "IK"
    lines = ack_lines(data, kind=kind)
    assert [line for line in lines if line[:3] in ("AK3", "AK4", "IK3", "IK4")] == []
    assert f"{ik}5*A" in lines and lines[-1] == "AK9*A*1*1*1"
    strict = ack_lines(data, kind=kind, strict=True)
    assert f"{ik}4*1*128*7*F8" in strict and f"{ik}5*R*5" in strict


def test_other_warnings_keep_their_e_without_the_codes_beside_them() -> None:
    # The same order in a 004030 group: validated by the 004010 overlay, which the ack notes
    # (AK5 E, code 1) as before; the two codes outside partial lists still are not mentioned.
    data = fixture("850_codes_outside_lists.edi").replace(b"*X*004010~", b"*X*004030~")
    lines = ack_lines(data)
    assert lines[1:] == ["AK2*850*0001", "AK5*E*1", "AK9*E*1*1*1"]


def test_a_summary_of_unjudged_codes_past_the_listing_limit_stays_out_of_the_ack() -> None:
    # At most 2 findings listed: the REF segment and REF01; N1 and N103 go into a summary,
    # which stands only for warnings the ack leaves out, so it is left out too.
    [transaction] = reader.read_transactions(fixture("850_codes_outside_lists.edi"))
    result = validate(transaction, max_findings=2)
    assert result.accepted
    summary = result.issues[-1]
    assert summary.omitted == 2 and not summary.in_ack
    assert summary.severity is Severity.WARNING
    assert acked(result.issues) == []
    # Trimmed again where findings meet (reader + validator, an interchange's budget): a
    # summary keeps the ack out only when everything it stands for is kept out ...
    recut = capped(result.issues, 1, "test")
    assert not recut[-1].in_ack and recut[-1].omitted == 3
    # ... and a real error among them puts it (and the rejection) back into the ack.
    error = Issue(IssueLevel.TRANSACTION, "3", "SE02 differs from ST02")
    mixed = capped([*result.issues, error], 1, "test")
    assert mixed[-1].in_ack and mixed[-1].severity is Severity.ERROR


def test_warnings_and_errors_share_the_errors_column_and_come_back_apart(store: SqlStore) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def message(**findings: Any) -> InboundMessage:
        raw = b"ST*850*0001~"
        return InboundMessage(
            new_id(), "purchase_order", 1, "catskill", "t", now, "application/edi-x12", raw,
            "0" * 64, MessageStatus.ACCEPTED, "critical", **findings,
        )  # fmt: skip

    where = "segment 4 REF / element 01"
    warned = message(warnings=[FieldWarning(where, "why", "x12.element.7", "REF01", "F8")])
    both = message(
        errors=[FieldError("segment 2 BEG / element 01 -> purpose", "unknown", "x12.mapping")],
        warnings=[FieldWarning("ST 850 0001", "version", "x12.transaction.1")],
    )
    clean = message()
    with store.uow() as uow:
        uow.messages.add_many([warned, both, clean])
        uow.commit()
    assert stored(store, warned.id).errors == []
    assert stored(store, warned.id).warnings == [
        {
            "path": where,
            "reason": "why",
            "type": "x12.element.7",
            "element": "REF01",
            "code": "F8",
        }
    ]
    back = stored(store, both.id)
    assert [e["type"] for e in back.errors] == ["x12.mapping"]
    assert back.warnings == [
        {"path": "ST 850 0001", "reason": "version", "type": "x12.transaction.1"}
    ]
    assert (stored(store, clean.id).errors, stored(store, clean.id).warnings) == ([], [])

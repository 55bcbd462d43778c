"""Code-list policy through the hub's X12 intake: a valid code outside a list the hub carries
only in part is a warning (set accepted, canonical document made, 997 AK5 E); a partner with
``x12.strict`` gets it rejected (AK5 R, AK4 naming the element); a code the map needs the
meaning of and has none for is a mapping error naming element, code and partner. Fixtures:
tests/fixtures/x12/codes (see its README)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import orjson
import pytest

from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.records import StoredMessage
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12 import reader
from crossdock.x12.model import Severity
from crossdock.x12.validator import validate
from tests.conftest import ROOT, SqlStore

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
    assert noted == [("REF", 1, "128", "TJ"), ("N1", 3, "66", "A")]
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
    # noted, not rejected: the partner sees which codes were not judged
    assert "AK4*1*128*7*TJ~\nAK3*N1*11*N1*8~\nAK4*3*66*7*A~\nAK5*E*5~" in interchange.ack.text
    assert "AK9*E*1*1*1~" in interchange.ack.text


def test_a_strict_partner_gets_the_same_codes_rejected(store: SqlStore) -> None:
    who = partner(strict=True)
    [interchange] = receive(store, fixture("850_codes_outside_lists.edi"), who).interchanges
    [outcome] = interchange.messages
    message = stored(store, outcome.message_id)
    assert message.summary.status == "rejected" and message.canonical is None
    assert interchange.ack is not None
    assert "AK3*REF*4**8~\nAK4*1*128*7*TJ~" in interchange.ack.text
    assert "AK4*3*66*7*A~\nAK5*R*5~" in interchange.ack.text
    assert "AK9*R*1*1*0~" in interchange.ack.text
    reasons = [e["reason"] for e in message.errors]
    assert any("'TJ'" in r and "x12.strict" in r for r in reasons), reasons


def test_a_code_the_map_needs_is_a_mapping_error_naming_element_code_and_partner(
    store: SqlStore,
) -> None:
    # BEG01 '02' (Add) is a valid purpose code, outside the validator's partial list (a
    # warning) and outside the 850 map's purpose table: the map cannot say what it means.
    [interchange] = receive(store, fixture("850_purpose_not_in_map.edi"), partner()).interchanges
    [outcome] = interchange.messages
    message = stored(store, outcome.message_id)
    assert message.summary.status == "rejected"
    assert interchange.ack is not None and "AK5*E*5~" in interchange.ack.text  # syntax is fine
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

"""Sets the hub has no map for: envelope-checked, recorded as ``x12_transaction``, acknowledged
per the partner's ``unknown_sets``, and sent on re-enveloped by ``transform: x12``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import orjson
import pytest

from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.outbound import X12Encoder
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.records import Delivery, MessageFilter
from crossdock.hub.routing import Route
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.transforms import EnvelopeInfo
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12 import reader
from crossdock.x12.model import Delimiters, Transaction
from crossdock.x12.validator import validate
from tests.conftest import ROOT, SqlStore

FIXTURES = ROOT / "tests" / "fixtures" / "x12" / "envelope"
PO_850 = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_bytes()
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def partner(unknown_sets: str = "accept", **extra: object) -> TradingPartner:
    return TradingPartner(
        name="acme",
        qualifier="ZZ",
        id="CROSSDOCKTEST",
        gs_id="CROSSDOCKTEST",
        unknown_sets=unknown_sets,
        **extra,  # type: ignore[arg-type]
    )


def receive(
    store: SqlStore, data: bytes, partners: list[TradingPartner], mapper: X12Mapper | None = None
) -> EdiReceipt:
    runner = StoreRunner(store.uow)
    used = mapper or X12Mapper()
    preparer = EdiPreparer(StaticPartnerDirectory(partners), lambda _t: "critical", lambda _p: used)
    service = EdiService(preparer, runner, ack_renderer(lambda: WHEN))
    try:
        return asyncio.run(service.receive(data, channel="t"))
    finally:
        runner.close()


@pytest.fixture
def forecast() -> bytes:
    return (FIXTURES / "830_forecast.edi").read_bytes()


def test_an_unmapped_set_is_recorded_as_x12_transaction_and_accepted(
    store: SqlStore, forecast: bytes
) -> None:
    [interchange] = receive(store, forecast, [partner("accept")]).interchanges
    assert [m.status for m in interchange.messages] == ["accepted", "accepted"]
    ack = interchange.ack
    assert ack is not None and ack.kind == "997"
    assert "AK2*830*0001~\nAK5*A~\nAK2*830*0002~\nAK5*A~\nAK9*A*2*2*2~" in ack.text
    with store.uow() as uow:
        rows = uow.messages.find(MessageFilter(document_type="x12_transaction"), 10, 0)
        stored = [uow.messages.get(r.id) for r in rows]
    documents = sorted(
        (orjson.loads(m.canonical) for m in stored if m and m.canonical),
        key=lambda d: d["transaction_control"],
    )
    assert [d["transaction_control"] for d in documents] == ["0001", "0002"]
    first = documents[0]
    assert (first["set_id"], first["version"], first["functional_id"]) == ("830", "004010", "PS")
    assert first["sender"] == {"qualifier": "ZZ", "id": "CROSSDOCKTEST"}
    assert (first["interchange_control"], first["group_control"]) == ("000000830", "830")
    assert first["raw"].startswith("ST*830*0001~") and first["raw"].rstrip().endswith("SE*9*0001~")


def test_reject_records_it_rejected_with_why_and_answers_ak5_r_1(
    store: SqlStore, forecast: bytes
) -> None:
    [interchange] = receive(store, forecast, [partner("reject")]).interchanges
    assert [m.status for m in interchange.messages] == ["rejected", "rejected"]
    assert interchange.ack is not None
    assert "AK2*830*0001~\nAK5*R*1~" in interchange.ack.text
    assert "AK9*R*2*2*0~" in interchange.ack.text
    with store.uow() as uow:
        rows = uow.messages.find(MessageFilter(document_type="x12_transaction"), 10, 0)
        message = uow.messages.get(rows[0].id)
    assert message is not None and message.raw.startswith(b"ST*830*")  # nothing dropped
    [error] = message.errors
    assert error["type"] == "x12.transaction.1"
    assert "no map" in error["reason"] and "acme has unknown_sets: reject" in error["reason"]


def test_a_sender_that_is_no_partner_gets_the_default_accept(
    store: SqlStore, forecast: bytes
) -> None:
    [interchange] = receive(store, forecast, []).interchanges
    assert [m.status for m in interchange.messages] == ["accepted", "accepted"]
    assert interchange.ack is not None and "AK9*A*2*2*2~" in interchange.ack.text


def test_the_envelope_is_still_checked(store: SqlStore) -> None:
    data = (FIXTURES / "830_bad_se_count.edi").read_bytes()
    [interchange] = receive(store, data, [partner("accept")]).interchanges
    [message] = interchange.messages
    assert message.status == "rejected"
    assert interchange.ack is not None and "AK5*R*4*3~" in interchange.ack.text


def test_known_means_the_mapper_has_a_map_not_a_list_of_sets(store: SqlStore) -> None:
    """The same 850 is a purchase order with the built-in maps and an x12_transaction for a
    mapper without maps: nothing is keyed on set codes."""
    [mapped] = receive(store, PO_850, [partner("reject")]).interchanges
    assert [m.status for m in mapped.messages] == ["accepted"]
    again = PO_850.replace(b"*000000001*", b"*000000002*")
    [unmapped] = receive(store, again, [partner("accept")], X12Mapper(maps={})).interchanges
    assert [m.status for m in unmapped.messages] == ["accepted"]
    with store.uow() as uow:
        kinds = {r.document_type for r in uow.messages.find(MessageFilter(), 20, 0)}
    assert {"purchase_order", "x12_transaction"} <= kinds


def test_an_unmapped_set_with_a_spec_is_still_validated_against_it(store: SqlStore) -> None:
    # BEG01 'XXX' cannot be a purpose code (element 353 is ID 2/2): an error, not a warning
    bad = PO_850.replace(b"BEG*00*", b"BEG*XXX*")
    [interchange] = receive(store, bad, [partner("accept")], X12Mapper(maps={})).interchanges
    [message] = interchange.messages
    assert message.status == "rejected"
    assert interchange.ack is not None and "AK5*R*5~" in interchange.ack.text


def test_transform_x12_re_envelopes_the_raw_set_for_the_receiver(
    store: SqlStore, forecast: bytes
) -> None:
    receive(store, forecast, [partner("accept")])
    with store.uow() as uow:
        rows = uow.messages.find(MessageFilter(document_type="x12_transaction"), 10, 0)
        message = uow.messages.get(sorted(rows, key=lambda r: r.correlation_key or "")[0].id)
    assert message is not None and message.canonical is not None
    receiver = TradingPartner(
        name="mill",
        qualifier="01",
        id="MILL",
        gs_id="MILLGS",
        version="00501",
        delimiters=Delimiters(element="|", component="^", repetition="{", segment="\n", suffix=""),
    )
    directory = StaticPartnerDirectory([receiver])
    encoder = X12Encoder(directory, lambda _p: X12Mapper(), clock=lambda: WHEN)
    route = Route("fwd", "x12_transaction", "mill-sftp", transform="x12", partner="mill")
    info = EnvelopeInfo(message.summary.id, "x12_transaction", 1, "acme", "k", WHEN.isoformat())
    finish = encoder.prepare(route, message.canonical, info)
    delivery = Delivery(
        id="d1",
        message_id=message.summary.id,
        route="fwd",
        endpoint="mill-sftp",
        lane="critical",
        idempotency_key="k",
        correlation_key="k",
        content_type="application/edi-x12",
        body=b"",
    )
    with store.uow() as uow:
        text = finish(uow, delivery).decode()
        uow.commit()
    lines = text.split("\n")
    assert lines[1] == "GS|PS|CROSSDOCK|MILLGS|20261201|0930|1|X|004010"
    assert lines[2:4] == ["ST|830|0001", "BFR|05||FC-2026-12|DL|A|20261201|20270301|20261201"]
    [transaction] = [e for e in reader.read(text.encode()) if isinstance(e, Transaction)]
    assert transaction.issues == [] and transaction.code == "830"
    assert transaction.interchange.receiver_id.strip() == "MILL"
    assert len(transaction.segments) == 9  # the same set, counted again
    assert validate(transaction).spec_version is None  # no spec: only the envelope is ours

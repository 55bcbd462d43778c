"""The EDI service on a real SQLite store: every transaction set recorded, huge interchanges
recorded in chunks, duplicates refused, our acks numbered, partner 997s settling documents."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from crossdock.hub.edi import prepare as prepare_module
from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.edi_records import OutboundDocument, OutboundStatus
from crossdock.hub.records import MessageFilter
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.x12 import X12Mapper
from tests.conftest import ROOT, SqlStore

FIXTURE = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_text()
PARTNER = TradingPartner(name="acme", qualifier="ZZ", id="CROSSDOCKTEST", gs_id="CROSSDOCKTEST")
MAPPER = X12Mapper()


def many_transactions(count: int, isa13: int = 42) -> str:
    """One interchange with `count` copies of the fixture's 850, numbered 0001..count."""
    lines = FIXTURE.splitlines(keepends=True)
    isa, gs = lines[0], lines[1]
    body = [line for line in lines if not line.startswith(("ISA", "GS", "GE", "IEA"))]
    isa = re.sub(r"\*\d{9}\*", f"*{isa13:09d}*", isa, count=1)
    sets = []
    for n in range(1, count + 1):
        text = "".join(body).replace("*0001~", f"*{n:04d}~")
        sets.append(text.replace("HP-PO-2024-018734", f"PO-{n}"))
    return isa + gs + "".join(sets) + f"GE*{count}*1~\nIEA*1*{isa13:09d}~\n"


@pytest.fixture
def service(store: SqlStore) -> Iterator[EdiService]:
    runner = StoreRunner(store.uow)
    preparer = EdiPreparer(
        StaticPartnerDirectory([PARTNER]), lambda _t: "critical", lambda _p: MAPPER
    )
    yield EdiService(preparer, runner, ack_renderer(lambda: datetime(2026, 11, 27, tzinfo=UTC)))
    runner.close()


def receive(service: EdiService, data: bytes | str) -> EdiReceipt:
    async def run() -> EdiReceipt:
        return await service.receive(data.encode() if isinstance(data, str) else data, channel="t")

    return asyncio.run(run())


def test_every_transaction_set_becomes_a_message_and_the_group_is_acknowledged(
    service: EdiService, store: SqlStore
) -> None:
    receipt = receive(service, many_transactions(3))
    [interchange] = receipt.interchanges
    assert [m.status for m in interchange.messages] == ["accepted"] * 3
    assert interchange.source == "acme" and not interchange.duplicate
    assert interchange.ack is not None and interchange.ack.kind == "997"
    assert "AK9*A*3*3*3~" in interchange.ack.text
    with store.uow() as uow:
        rows = uow.messages.find(MessageFilter(document_type="purchase_order"), 10, 0)
        assert sorted(r.correlation_key or "" for r in rows) == ["PO-1", "PO-2", "PO-3"]
        ack = uow.messages.get(interchange.ack_message_id or "")
    assert ack is not None and ack.raw.decode() == interchange.ack.text


def test_a_huge_interchange_is_recorded_in_chunks(
    service: EdiService, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare_module, "CHUNK_TRANSACTIONS", 4)
    commits: list[int] = []
    original = service._write

    def counting(uow, **kwargs):  # type: ignore[no-untyped-def]
        commits.append(len(kwargs["prepared"].messages))
        return original(uow, **kwargs)

    monkeypatch.setattr(service, "_write", counting)
    receipt = receive(service, many_transactions(10))
    assert commits == [4, 4, 2]  # three units of work, the last one with the ack
    [interchange] = receipt.interchanges
    assert len(interchange.messages) == 10
    assert interchange.ack is not None and "AK9*A*10*10*10~" in interchange.ack.text
    with store.uow() as uow:
        seen = uow.edi.find_interchange("ZZ/CROSSDOCKTEST", "42")
    assert seen is not None and len(seen.message_ids) == 10


def test_a_duplicate_interchange_is_not_processed_twice(
    service: EdiService, store: SqlStore
) -> None:
    first = receive(service, many_transactions(2, isa13=7)).interchanges[0]
    again = receive(service, many_transactions(2, isa13=7)).interchanges[0]
    assert again.duplicate and again.ack is not None and first.ack is not None
    assert again.ack.text == first.ack.text
    assert [m.message_id for m in again.messages] == [m.message_id for m in first.messages]
    with store.uow() as uow:
        assert len(uow.messages.find(MessageFilter(document_type="purchase_order"), 10, 0)) == 2
    # the same content under a new ISA13 is a new interchange: X12 says so, partners resend so
    other = receive(service, many_transactions(2, isa13=8)).interchanges[0]
    assert not other.duplicate
    assert not any(m.duplicate for m in other.messages)


def test_our_acknowledgments_get_increasing_control_numbers(service: EdiService) -> None:
    numbers = []
    for isa13 in (100, 101, 102):
        ack = receive(service, many_transactions(1, isa13)).interchanges[0].ack
        assert ack is not None
        numbers.append(int(ack.text.split("*")[13]))
    assert numbers == [1, 2, 3]


def test_a_partner_997_settles_the_documents_it_answers(
    service: EdiService, store: SqlStore
) -> None:
    with store.uow() as uow:
        uow.edi.add_outbound(
            [
                OutboundDocument("acme", 5, 31, n, "850", "PO", f"m{n}", f"d{n}", datetime.now(UTC))
                for n in (1, 2)
            ]
        )
        uow.commit()
    ack = (
        "ISA*00*          *00*          *ZZ*CROSSDOCKTEST  *ZZ*PARTNERTEST    "
        "*261127*1200*U*00401*000000555*0*P*>~"
        "GS*FA*CROSSDOCKTEST*PARTNERTEST*20261127*1200*555*X*004010~ST*997*0001~"
        "AK1*PO*31~AK2*850*0001~AK5*A~AK2*850*0002~AK3*PO1*3**8~AK4*2**7*ZZ~AK5*R*5~"
        "AK9*P*2*2*1~SE*10*0001~GE*1*555~IEA*1*000000555~"
    )
    receipt = receive(service, ack)
    [interchange] = receipt.interchanges
    assert interchange.settled_outbound == 2
    assert interchange.ack is None  # acknowledgments are never acknowledged
    with store.uow() as uow:
        rows = {d.transaction_control: d for d in uow.edi.outbound(partner="acme")}
    assert rows[1].status is OutboundStatus.ACCEPTED
    assert rows[2].status is OutboundStatus.REJECTED and "PO1" in (rows[2].reason or "")


def test_garbage_is_kept_as_a_rejected_message(service: EdiService, store: SqlStore) -> None:
    receipt = receive(service, b"\x00\x01binary junk\xff")
    assert receipt.unreadable
    [message] = receipt.interchanges[0].messages
    with store.uow() as uow:
        stored = uow.messages.get(message.message_id)
    assert stored is not None and stored.summary.status == "rejected"
    assert stored.raw == b"\x00\x01binary junk\xff"


def test_a_set_with_thousands_of_errors_stores_the_first_hundred_and_a_count(
    service: EdiService, store: SqlStore
) -> None:
    isa, gs = FIXTURE.splitlines(keepends=True)[:2]
    junk = 3000
    body = "ST*850*0001~BEG*00*SA*PO1**20240101~" + "MSG*x~" * junk + f"SE*{junk + 3}*0001~"
    receipt = receive(service, isa + gs + body + "GE*1*1~IEA*1*000000001~")
    [interchange] = receipt.interchanges
    [message] = interchange.messages
    assert message.status == "rejected"
    with store.uow() as uow:
        stored = uow.messages.get(message.message_id)
    assert stored is not None and len(stored.errors) == 101
    assert all(e["type"].startswith("x12.segment.") for e in stored.errors[:100])
    rest = stored.errors[-1]
    assert rest["type"] == "x12.omitted"
    assert rest["reason"].startswith(f"{junk + 1 - 100:,} more findings not listed")
    assert interchange.ack is not None and interchange.ack.text.count("AK3*") == 100


def test_garbage_with_countless_findings_is_kept_with_a_bounded_error_list(
    service: EdiService, store: SqlStore
) -> None:
    [interchange] = receive(service, b"ISA*" * 20_000).interchanges
    assert interchange.unreadable and len(interchange.errors) == 101
    [message] = interchange.messages
    with store.uow() as uow:
        stored = uow.messages.get(message.message_id)
    assert stored is not None and len(stored.errors) == 101
    assert stored.errors[-1]["type"] == "x12.omitted"
    assert stored.errors[-1]["reason"].startswith("19,901 more findings not listed")

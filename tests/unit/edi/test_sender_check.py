"""The X12 sender check on a real SQLite store: a partner may send only interchanges that
carry its own sender ids; a spoofed one is recorded rejected (with why), answered with a TA1
(ISA sender) or a 997 rejecting the group (GS02), and never touches the claimed partner's
duplicate ledger, acks or counters. Operators (no confinement) may send for anyone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.adapters.channels.folder_drop import FolderDrop
from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.folder_intake import FolderIntake
from crossdock.hub.edi.partners import StaticPartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.sender_check import SENDER_MISMATCH
from crossdock.hub.edi.service import EdiReceipt, EdiService
from crossdock.hub.intake_pipeline import NOBODY, Sender
from crossdock.hub.records import MessageFilter
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.x12 import X12Mapper
from tests.conftest import ROOT, SqlStore

FIXTURE = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_text()
ACME = TradingPartner(name="acme", qualifier="ZZ", id="CROSSDOCKTEST", gs_id="CROSSDOCKTEST")
GLOBEX = TradingPartner(name="globex", qualifier="ZZ", id="GLOBEXEDI", gs_id="GLOBEXEDI")
AS_GLOBEX = Sender("partner:globex", "globex")


@pytest.fixture
def service(store: SqlStore) -> Iterator[EdiService]:
    runner = StoreRunner(store.uow)
    preparer = EdiPreparer(
        StaticPartnerDirectory([ACME, GLOBEX]), lambda _t: "critical", lambda _p: X12Mapper()
    )
    yield EdiService(preparer, runner, ack_renderer(lambda: datetime(2026, 11, 27, tzinfo=UTC)))
    runner.close()


def receive(
    service: EdiService, text: str, sender: Sender = NOBODY, confine: str | None = None
) -> EdiReceipt:
    return asyncio.run(
        service.receive(text.encode(), channel="edi-http", sender=sender, confine=confine)
    )


def test_an_interchange_claiming_another_partners_sender_is_refused_recorded_and_ta1d(
    service: EdiService, store: SqlStore
) -> None:
    # globex posts acme's interchange (ISA06 CROSSDOCKTEST is acme's)
    receipt = receive(service, FIXTURE, AS_GLOBEX, confine="globex")
    [interchange] = receipt.interchanges
    assert interchange.refused and "not a sender id of partner 'globex'" in interchange.refused
    assert receipt.refused == [interchange.refused]
    assert [m.status for m in interchange.messages] == ["rejected"]
    assert interchange.ack is not None and interchange.ack.kind == "TA1"
    assert "TA1*000000001*" in interchange.ack.text and "*R*006~" in interchange.ack.text
    assert "AK1" not in interchange.ack.text  # the groups were never taken: no 997
    with store.uow() as uow:
        stored = uow.messages.get(interchange.messages[0].message_id)
        # nothing of the claimed partner's: not its duplicate ledger, not its source
        assert uow.edi.find_interchange(interchange.sender, interchange.control_number) is None
    assert stored is not None and stored.canonical is None
    assert stored.errors[0]["type"] == SENDER_MISMATCH and stored.errors[0]["path"] == "ISA06"
    assert stored.summary.source == "globex"
    assert (stored.summary.sender, stored.summary.partner) == ("partner:globex", "globex")
    # acme's own interchange with the same control number still goes through
    real = receive(service, FIXTURE, Sender("partner:acme", "acme"), confine="acme")
    [taken] = real.interchanges
    assert not taken.duplicate and not taken.refused
    assert [m.status for m in taken.messages] == ["accepted"]


def test_a_group_with_another_partners_gs02_is_rejected_in_the_997(
    service: EdiService, store: SqlStore
) -> None:
    spoofed = FIXTURE.replace("GS*PO*CROSSDOCKTEST*", "GS*PO*GLOBEXEDI*", 1)
    assert spoofed != FIXTURE
    receipt = receive(service, spoofed, Sender("partner:acme", "acme"), confine="acme")
    [interchange] = receipt.interchanges
    assert interchange.refused is None
    assert interchange.refused_groups and "GS02 'GLOBEXEDI'" in interchange.refused_groups[0]
    assert receipt.refused == interchange.refused_groups
    assert [m.status for m in interchange.messages] == ["rejected"]
    assert interchange.ack is not None and "997" in interchange.ack.kind
    assert "AK5*R*1~" in interchange.ack.text and "AK9*R*1*1*0*1~" in interchange.ack.text
    with store.uow() as uow:
        [row] = uow.messages.find(MessageFilter(document_type="purchase_order"), 10, 0)
        stored = uow.messages.get(row.id)
    assert stored is not None and stored.errors[0]["path"] == "GS02"


def test_operators_and_the_rightful_partner_are_not_checked(service: EdiService) -> None:
    as_operator = receive(service, FIXTURE, Sender("operator:ops", None), confine=None)
    assert not as_operator.refused
    assert [m.status for m in as_operator.interchanges[0].messages] == ["accepted"]


def test_a_partner_whose_sender_id_nobody_owns_is_refused(service: EdiService) -> None:
    unknown = FIXTURE.replace("*ZZ*CROSSDOCKTEST  *", "*ZZ*NOBODYSID      *", 1)
    assert unknown != FIXTURE
    receipt = receive(service, unknown, AS_GLOBEX, confine="globex")
    assert receipt.refused and [m.status for m in receipt.interchanges[0].messages] == ["rejected"]


def _drop(tmp_path: Path, partner: str) -> FolderDrop:
    return FolderDrop(
        partner,
        tmp_path / partner / "in",
        tmp_path / partner / "archive",
        tmp_path / partner / "error",
        settle_seconds=0,
    )


def test_a_drop_folder_is_its_partners_identity_and_checks_the_sender(
    tmp_path: Path, service: EdiService, store: SqlStore
) -> None:
    """acme's interchange in acme's folder is acme's (sender folder:acme); the same file in
    globex's folder claims acme's sender id: refused, set aside with the report saying why."""
    drops = [_drop(tmp_path, "acme"), _drop(tmp_path, "globex")]
    for drop in drops:
        (tmp_path / drop.name / "in" / "po.edi").write_text(FIXTURE)
    folders = FolderIntake(drops, service, checked=["acme", "globex"])
    assert asyncio.run(folders.poll_folders()) == 2
    assert list((tmp_path / "acme" / "archive").glob("*po.edi"))
    [report] = (tmp_path / "globex" / "error").glob("*.report.json")
    [interchange] = json.loads(report.read_text())["interchanges"]
    assert any("not a sender id of partner 'globex'" in e for e in interchange["errors"])
    with store.uow() as uow:
        rows = uow.messages.find(MessageFilter(document_type="purchase_order"), 10, 0)
    by_sender = {r.sender: (r.partner, r.status) for r in rows}
    assert by_sender == {
        "folder:acme": ("acme", "accepted"),
        "folder:globex": ("globex", "rejected"),
    }

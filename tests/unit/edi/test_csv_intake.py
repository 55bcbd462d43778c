"""Flat-file intake on a real SQLite store: one message per document of a partner's file,
good documents accepted while bad ones are recorded rejected with their rows and columns
(nothing lost), all-or-nothing partners, duplicates on a re-sent file, and the folder
channel picking CSV files up for partners with maps."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.adapters.channels.folder_drop import FolderDrop
from crossdock.hub.csv_intake import CsvCall, CsvIntake, CsvReceipt
from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.folder_intake import FolderIntake
from crossdock.hub.edi.partners import StaticPartnerDirectory
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiService
from crossdock.hub.intake_pipeline import folder_sender
from crossdock.hub.records import MessageFilter, StoredMessage
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.csv import CsvMap, PartnerCsvConfig
from crossdock.mapping.x12 import X12Mapper
from crossdock.observability.tracing import trace_id_of, use_traceparent
from tests.conftest import SqlStore
from tests.unit.mapping.csv.support import fixture_map, fixture_path

CALL = CsvCall(folder_sender("smallco"), "smallco", "csv-folder")


@pytest.fixture
def runner(store: SqlStore) -> Iterator[StoreRunner]:
    runner = StoreRunner(store.uow)
    yield runner
    runner.close()


def receive(
    runner: StoreRunner, data: bytes, csv_map: CsvMap, *, all_or_nothing: bool = False
) -> CsvReceipt:
    intake = CsvIntake(
        runner, lambda _t: "critical", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC)
    )
    return asyncio.run(
        intake.receive(io.BytesIO(data), csv_map, CALL, all_or_nothing=all_or_nothing)
    )


def stored(store: SqlStore) -> list[StoredMessage]:
    with store.uow() as uow:
        rows = uow.messages.find(MessageFilter(document_type="purchase_order"), 100, 0)
        found = [uow.messages.get(r.id) for r in rows]
    return sorted((m for m in found if m is not None), key=lambda m: m.raw)


BAD_ROWS = fixture_path("po_bad_rows.csv").read_bytes()


def test_good_documents_are_accepted_and_bad_ones_recorded_with_row_and_column(
    runner: StoreRunner, store: SqlStore
) -> None:
    receipt = receive(runner, BAD_ROWS, fixture_map("po_grouped"))
    assert (receipt.accepted, receipt.rejected) == (2, 4)
    by_key = {d.key: d for d in receipt.documents}
    assert by_key["BAD-QTY"].errors[0].as_dict() == {
        "row": 3,
        "column": "qty",
        "field": "lines[].quantity.value",
        "reason": "'lots' is not a number",
    }
    messages = {
        json.loads(m.canonical)["po_number"] if m.canonical else m.raw: m for m in stored(store)
    }
    good = messages["GOOD-1"]
    assert good.summary.status == "accepted" and good.summary.correlation_key == "GOOD-1"
    assert (good.summary.sender, good.summary.partner, good.summary.source) == (
        "folder:smallco",
        "smallco",
        "smallco",
    )
    assert good.content_type.startswith("text/csv")
    assert (
        good.raw.decode().splitlines()[1] == "GOOD-1,2024-11-04,Harbor,Cascade,DC,1,SKU-1,1,EA,1.00"
    )
    rejected = [m for m in messages.values() if m.summary.status == "rejected"]
    assert len(rejected) == 4 and all(m.canonical is None for m in rejected)
    qty = next(m for m in rejected if b"BAD-QTY" in m.raw)
    assert qty.errors == [
        {"path": "row 3, column 'qty'", "reason": "'lots' is not a number", "type": "csv"}
    ]


def test_the_same_file_again_records_duplicates_not_new_orders(
    runner: StoreRunner, store: SqlStore
) -> None:
    receive(runner, BAD_ROWS, fixture_map("po_grouped"))
    again = receive(runner, BAD_ROWS, fixture_map("po_grouped"))
    assert all(d.duplicate for d in again.documents)
    assert len(stored(store)) == 6


def test_all_or_nothing_rejects_every_document_and_a_fixed_file_then_passes(
    runner: StoreRunner, store: SqlStore
) -> None:
    receipt = receive(runner, BAD_ROWS, fixture_map("po_grouped"), all_or_nothing=True)
    assert (receipt.accepted, receipt.rejected) == (0, 6)
    good = next(d for d in receipt.documents if d.key == "GOOD-1")
    assert "another document of the file has errors" in good.errors[0].reason
    [held] = [m for m in stored(store) if b"GOOD-1" in m.raw]
    assert held.summary.status == "rejected"
    assert held.errors[0]["type"] == "all_or_nothing"
    assert "the file has 4 error(s)" in held.errors[0]["reason"]
    assert "row 3, column 'qty': 'lots' is not a number" in held.errors[0]["reason"]
    fixed = b"\n".join(line for line in BAD_ROWS.split(b"\n") if b"BAD" not in line)
    after = receive(runner, fixed, fixture_map("po_grouped"), all_or_nothing=True)
    assert [(d.key, d.status, d.duplicate) for d in after.documents] == [
        ("GOOD-1", "accepted", False),
        ("GOOD-2", "accepted", False),
    ]


def test_the_folder_channel_reads_csv_files_of_partners_with_maps(
    tmp_path: Path, runner: StoreRunner, store: SqlStore
) -> None:
    drop = FolderDrop(
        "smallco", tmp_path / "in", tmp_path / "archive", tmp_path / "error", settle_seconds=0
    )
    edi = EdiService(
        EdiPreparer(StaticPartnerDirectory([]), lambda _t: "critical", lambda _p: X12Mapper()),
        runner,
        ack_renderer(),
    )
    csv = PartnerCsvConfig.model_validate(
        {"maps": {"purchase_order": fixture_map("po_grouped").model_dump(exclude_unset=True)}}
    )
    woken: list[bool] = []
    intake = CsvIntake(runner, lambda _t: "critical", lambda: woken.append(True))
    folders = FolderIntake([drop], edi, csv={"smallco": csv}, csv_intake=intake)
    (tmp_path / "in" / "orders.csv").write_bytes(fixture_path("po_grouped.csv").read_bytes())
    (tmp_path / "in" / "mixed.CSV").write_bytes(BAD_ROWS)
    assert asyncio.run(folders.poll_folders()) == 2
    assert woken
    [archived] = (tmp_path / "archive").glob("*orders.csv")
    [report_path] = (tmp_path / "error").glob("*.report.json")
    report = json.loads(report_path.read_text())
    assert (report["csv"]["accepted"], report["csv"]["rejected"]) == (2, 4)
    bad = [r for r in report["csv"]["results"] if r["status"] == "rejected"]
    assert bad[0]["errors"][0]["row"] == 3 and bad[0]["errors"][0]["column"] == "qty"
    assert len([m for m in stored(store) if m.summary.status == "accepted"]) == 4
    assert archived.read_bytes() == fixture_path("po_grouped.csv").read_bytes()


def test_a_files_documents_continue_the_senders_trace(store: SqlStore, runner: StoreRunner) -> None:
    inbound = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with use_traceparent(inbound):  # as the HTTP layer sets it for a request's work
        receive(runner, BAD_ROWS, fixture_map("po_grouped"))
    messages = stored(store)
    assert len(messages) > 1
    for message in messages:
        assert message.trace_context == inbound  # not recording: the context passes through


def test_a_file_from_nowhere_starts_new_traces(store: SqlStore, runner: StoreRunner) -> None:
    receive(runner, BAD_ROWS, fixture_map("po_grouped"))
    trace_ids = {trace_id_of(m.trace_context) for m in stored(store)}
    assert None not in trace_ids and len(trace_ids) == len(stored(store))

"""Control characters in business keys and out-of-bounds numbers, on every channel but JSON
intake (tests/integration/test_intake_bounds.py): refused with the field path and recorded as
rejected, on a real SQLite store."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import orjson
import pytest

from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.partners import StaticPartnerDirectory
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiService
from crossdock.hub.intake import fitted_key
from crossdock.hub.store_runner import StoreRunner
from tests.conftest import SqlStore
from tests.unit import test_inbound_systems as systems
from tests.unit import test_webhooks as webhooks
from tests.unit.edi import test_edi_service as edi
from tests.unit.mapping.carrier_support import FIXTURES as CARRIER_FIXTURES

BAD = ["\x00", "\r\nX-Injected: 1", "\x1f", "\x7f"]


@pytest.fixture
def runner(store: SqlStore) -> StoreRunner:
    r = StoreRunner(store.uow, store.uow.reader)
    yield r  # type: ignore[misc]
    r.close()


def stored_rejected(store: SqlStore, source: str) -> list[object]:
    return [m for m in systems.stored(store, source) if m.summary.status == "rejected"]


@pytest.mark.parametrize("bad", BAD)
def test_inbound_system_refuses_a_control_character_in_the_po_number(
    runner: StoreRunner, store: SqlStore, bad: str
) -> None:
    body, headers = systems.event("erp_purchaseOrder_released")
    payload = orjson.loads(body)
    payload["docNo"] = f"PO{bad}7"
    receipt = systems.receive(runner, "erp", orjson.dumps(payload), headers)
    [doc] = receipt.rejected
    assert [e.path for e in doc.errors] == ["canonical.po_number"]
    [message] = stored_rejected(store, "erp")
    assert message.raw == orjson.dumps(payload)  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", BAD)
def test_inbound_system_refuses_a_control_character_in_the_idempotency_key(
    runner: StoreRunner, store: SqlStore, bad: str
) -> None:
    body, headers = systems.event("erp_purchaseOrder_released")
    headers = {**headers, "idempotency-key": f"erp-po{bad}7"}
    [doc] = systems.receive(runner, "erp", body, headers).rejected
    assert [(e.path, e.reason) for e in doc.errors] == [
        ("Idempotency-Key", "contains control characters")
    ]
    [message] = stored_rejected(store, "erp")
    assert not any(ord(c) < 32 for c in message.idempotency_key)  # type: ignore[attr-defined]


AMOUNT = "canonical.lines[0].unit_price.amount"
PLACES = "should have no more than 6 decimal places"


@pytest.mark.parametrize(
    ("number", "path", "reason"),
    [
        (b"1e-7", AMOUNT, PLACES),
        (b"1.00000000000000000001", AMOUNT, PLACES),
        (b'"0.0000001"', AMOUNT, PLACES),
        (b"1" + b"0" * 18, AMOUNT, "should have no more than 18 digits before the decimal point"),
        # beyond what any conversion may touch: refused by the map, naming the system's field
        (b"1e-400", "[0]", "@unitCost: Decimal('1E-400') is out of range"),
        (b"1E+999999999", "[0]", "@unitCost: Decimal('1E+999999999') is out of range"),
        (b'"-1E+999999999"', "[0]", "@unitCost: '-1E+999999999' is out of range"),
    ],
)
def test_inbound_system_refuses_amounts_a_float_would_change(
    runner: StoreRunner, number: bytes, path: str, reason: str
) -> None:
    body, headers = systems.event("erp_purchaseOrder_released")
    assert b'"unitCost":2.5' in body
    bent = body.replace(b'"unitCost":2.5', b'"unitCost":' + number, 1)
    [doc] = systems.receive(runner, "erp", bent, headers).rejected
    assert [(e.path, e.reason) for e in doc.errors] == [(path, reason)]


def test_inbound_system_keeps_every_digit_of_an_accepted_amount(
    runner: StoreRunner, store: SqlStore
) -> None:
    body, headers = systems.event("erp_purchaseOrder_released")
    bent = body.replace(b'"unitCost":2.5', b'"unitCost":123456789012.123456', 1)
    receipt = systems.receive(runner, "erp", bent, headers)
    assert not receipt.rejected
    [message] = systems.stored(store, "erp")
    canonical = orjson.loads(message.canonical)
    assert canonical["lines"][0]["unit_price"]["amount"] == "123456789012.123456"


@pytest.mark.parametrize("bad", BAD)
def test_carrier_webhook_refuses_a_control_character_in_the_event_id(
    runner: StoreRunner, store: SqlStore, bad: str
) -> None:
    payload = json.loads((CARRIER_FIXTURES / "flat_events_shipment.json").read_text())
    payload["events"][0]["id"] = f"EV{bad}1"
    receipt = webhooks.receive(runner, "northline", json.dumps(payload).encode())
    [event] = receipt.rejected
    assert [(e.path, e.reason.split(":")[0]) for e in event.errors] == [("events[0]", "event_id")]
    rejected = stored_rejected(store, "northline")
    assert len(rejected) == 1
    # the key derived from the payload is digested, so the log (and PostgreSQL) never holds
    # the control character
    assert rejected[0].idempotency_key.startswith("sha256:")  # type: ignore[attr-defined]


@pytest.fixture
def edi_service(store: SqlStore) -> EdiService:
    runner = StoreRunner(store.uow)
    preparer = EdiPreparer(
        StaticPartnerDirectory([edi.PARTNER]), lambda _t: "critical", lambda _p: edi.MAPPER
    )
    yield EdiService(  # type: ignore[misc]
        preparer, runner, ack_renderer(lambda: datetime(2026, 11, 27, tzinfo=UTC))
    )
    runner.close()


@pytest.mark.parametrize("bad", ["\x00", "\x1f", "\x7f", "\x85"])
def test_x12_element_with_a_control_character_is_an_invalid_character_error(
    edi_service: EdiService, bad: str
) -> None:
    text = edi.FIXTURE.replace("HP-PO-2024-018734", f"HP-PO{bad}1")
    [interchange] = edi.receive(edi_service, text).interchanges
    [message] = interchange.messages
    assert message.status == "rejected"
    assert interchange.ack is not None
    # BEG03, code 6: invalid character; the copy of the bad value leaves the character out
    assert "AK4*3*324*6*HP-PO1~" in interchange.ack.text
    assert "AK9*R*1*1*0~" in interchange.ack.text


def test_x12_line_breaks_inside_a_segment_are_unwrapped_never_kept(
    edi_service: EdiService, store: SqlStore
) -> None:
    """CR/LF between parts of a segment is line wrapping (reported, note 024): the value that
    reaches the canonical document holds no line break."""
    text = edi.FIXTURE.replace("HP-PO-2024-018734", "HP-PO\r\nX-Injected: 1")
    [interchange] = edi.receive(edi_service, text).interchanges
    [message] = interchange.messages
    assert "\r" not in (message.correlation_key or "") and "\n" not in (
        message.correlation_key or ""
    )


def test_a_system_number_beyond_range_is_refused_before_any_arithmetic() -> None:
    """int(Decimal("1E+999999999")) would build a billion-digit integer: run under a time and
    memory limit so a regression fails instead of taking the machine."""
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from crossdock.mapping.systems.convert import ConversionError, to_int, to_number\n"
        "for convert in (to_int, to_number):\n"
        "    for value in ('1E+999999999', '-9e999999999'):\n"
        "        try:\n"
        "            convert(value)\n"
        "        except ConversionError as exc:\n"
        "            assert 'out of range' in str(exc), exc\n"
        "        else:\n"
        "            raise SystemExit('accepted ' + value)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_derived_key_with_control_characters_is_digested() -> None:
    assert fitted_key("event:EV-1") == "event:EV-1"
    assert fitted_key("event:EV-\u00a01") == "event:EV-\u00a01"  # printable enough: kept
    digested = fitted_key("event:EV\x00-1")
    assert digested.startswith("sha256:") and digested == fitted_key("event:EV\x00-1")


@pytest.mark.parametrize(
    ("element", "value", "field"),
    [
        (2, "0.0000001", "lines.0.quantity.value"),  # PO102, an R element
        (4, "24.8500001", "lines.0.unit_price.amount"),  # PO104, an R element
    ],
)
def test_x12_numbers_beyond_the_canonical_scale_are_mapping_errors_at_the_element(
    edi_service: EdiService, element: int, value: str, field: str
) -> None:
    [po1] = [line for line in edi.FIXTURE.splitlines() if line.startswith("PO1*1*")]
    parts = po1.split("*")
    parts[element] = value
    text = edi.FIXTURE.replace(po1, "*".join(parts))
    [interchange] = edi.receive(edi_service, text).interchanges
    [message] = interchange.messages
    assert message.status == "rejected"
    [error] = message.errors
    assert error.path.endswith(f"PO1 / element {element:02d} -> {field}")
    assert error.reason == "should have no more than 6 decimal places"

"""Real X12 samples from public projects (../shared/corpus/x12), read in place.

Some map as they are; others carry real-world quirks (invalid check digits, a status that
contradicts its lines, qualifiers the partner chose) and are asserted twice: the precise
errors without configuration, and the document once the partner override is in place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from crossdock.mapping.x12 import MappingResult, X12Mapper
from crossdock.mapping.x12.maps.common import item_ids
from tests.unit.mapping.x12_support import CORPUS_X12, transactions

pytestmark = pytest.mark.skipif(
    not CORPUS_X12.is_dir(), reason=f"corpus not present at {CORPUS_X12}"
)


def _map(name: str, overrides: dict[str, Any] | None = None) -> list[MappingResult]:
    path = CORPUS_X12 / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    mapper = X12Mapper(overrides)
    return [mapper.to_canonical(transaction) for transaction in transactions(path)]


def _dump(result: MappingResult) -> dict[str, Any]:
    assert result.errors == (), [str(e) for e in result.errors]
    assert result.document is not None
    return result.document.model_dump(mode="json", exclude_none=True)


def test_850_x12types() -> None:
    (result,) = _map("850_x12types_4010.edi")
    po = _dump(result)
    assert po["po_number"] == "A99999-01"
    assert po["issued_at"] == "1997-02-14T00:00:00Z"
    assert po["currency"] == "USD"  # no CUR: the map's default
    assert po["buyer"]["x12"] == {"qualifier": "ZZ", "identifier": "SENDERISA"}  # from ISA
    assert po["ship_to"]["name"] == "BUYSNACKS PORT"
    assert po["ship_to"]["address"]["city"] == "ATHENS"
    assert po["bill_to"]["x12"] == {"qualifier": "9", "identifier": "1223334444"}
    assert po["requested_delivery_date"] == "1997-12-19"
    assert len(po["lines"]) == 7
    assert [line["line_number"] for line in po["lines"]] == [1, 2, 3, 4, 5, 6, 7]  # PO101 empty
    first = po["lines"][0]
    assert first["item"] == {"sku": "000111111", "description": "CRUNCHY CHIPS LSS"}
    assert first["quantity"] == {"value": "16", "unit": "CA"}
    assert first["unit_price"] == {"amount": "12.34", "currency": "USD"}


def test_850_vics() -> None:
    (result,) = _map("850_nodex12_vics.edi")
    po = _dump(result)
    assert po["po_number"] == "08292233294"
    assert po["ship_to"]["x12"] == {"qualifier": "9", "identifier": "0003947268292"}
    assert len(po["lines"]) == 6
    assert po["lines"][0]["item"]["supplier_sku"] == "AB3542"
    assert po["lines"][5]["quantity"]["value"] == "696"
    assert Decimal(po["lines"][5]["unit_price"]["amount"]) == Decimal("9.55")


def test_855_status_contradicting_lines_then_partner_code_table() -> None:
    (plain,) = _map("855_nodex12.edi")
    assert plain.document is None
    assert any("use accepted_with_changes" in e.reason for e in plain.errors)

    (result,) = _map(
        "855_nodex12.edi", {"855": {"codes": {"status": {"AD": "accepted_with_changes"}}}}
    )
    ack = _dump(result)
    assert ack["po_number"] == "POTEST1112"
    assert ack["currency"] == "USD"
    assert [line["status"] for line in ack["lines"]] == [
        "accepted",
        "rejected",
        "rejected",
        "accepted",
    ]
    assert ack["lines"][0]["item"]["gtin"] == "9780446360265"
    assert ack["lines"][0]["promised_quantity"] == {"value": "3", "unit": "UN"}


def test_856_crossdock_reports_real_data_errors_precisely() -> None:
    (result,) = _map("856_edieng_crossdock.edi")
    assert result.document_type == "advance_ship_notice"
    assert result.document is None
    located = {(e.segment_position, e.segment_id, e.element, e.field) for e in result.errors}
    # MAN*GM carries AI 00 + 18 digits; the prefix is dropped, the sample's check digit is bad.
    assert (24, "MAN", 2, "orders.0.packs.0.sscc") in located
    # LIN01 (the PO line) is empty in the sample: reported at the item's HL.
    assert (25, "HL", None, "orders.0.packs.0.items.0.po_line_number") in located
    # The second HL*O starts a second order: errors are located in it.
    assert any(e.field.startswith("orders.1.packs.0") for e in result.errors)


def test_940_ok_with_partner_override_for_n4_only_warehouse() -> None:
    (plain,) = _map("940_edieng_ok.edi")
    assert [(e.segment_position, e.segment_id, e.field) for e in plain.errors] == [
        (9, "N1", "ship_from.address.lines")
    ]
    overrides = {
        "940": {
            "rules": {"ship_from.N4": {"elements": {"1": None, "2": None, "3": None, "4": None}}}
        }
    }
    (result,) = _map("940_edieng_ok.edi", overrides)
    order = _dump(result)
    assert order["order_number"] == "538686"
    assert order["ship_from"]["code"] == "0000000000140"
    assert order["customer"]["name"] == "ST COMPANY"  # no N1*BY: the consignee
    assert order["requested_ship_date"] == "2000-02-04"
    assert order["requested_delivery_date"] == "2000-02-07"
    assert order["released_at"] == "2000-01-28T05:57:00Z"  # GS date/time
    assert order["notes"] == ["SHIP ON CHEP PALLETS"]
    assert [line["item"]["supplier_sku"] for line in order["lines"]] == [
        "000100",
        "000200",
        "000300",
    ]
    assert order["lines"][1]["quantity"] == {"value": "32", "unit": "CA"}
    assert order["lines"][2]["item"]["description"] == "11.500 STRUDEL RASPBRY"


def test_846_with_partner_qualifiers() -> None:
    (plain,) = _map("846_oop_tilde_brace.txt")
    assert {e.field for e in plain.errors} >= {"site", "on_hand"}

    overrides = {
        "846": {
            "parties": {"site": {"qualifier": "ST"}},
            "rules": {"on_hand": {"when": {"1": "34"}}, "allocated": {"when": {"1": "QH"}}},
        }
    }
    (result,) = _map("846_oop_tilde_brace.txt", overrides)
    position = _dump(result)
    assert position["site"]["code"] == "SAN003"
    assert position["item"]["sku"] == "46L5055"
    assert position["source_system"] == "322341109"  # ISA sender
    assert position["as_of"] == "2004-08-11T23:00:00Z"
    assert position["on_hand"] == {"value": "5250", "unit": "EA"}  # unit from UIT
    assert position["allocated"] == {"value": "100", "unit": "EA"}
    assert position["available"] == {"value": "5150", "unit": "EA"}  # derived


def test_214_delivered() -> None:
    (result,) = _map("214_indice_mgctlyst.edi")
    milestone = _dump(result)
    assert milestone["shipment_id"] == "75027674"
    assert milestone["tracking_number"] == "1751807"
    assert milestone["milestone"] == "delivered"
    assert milestone["carrier_status_code"] == "D1"
    assert "exception_code" not in milestone  # AT702 NS = normal
    assert milestone["occurred_at"] == "2016-07-26T12:30:00Z"
    assert milestone["carrier"]["x12"] == {"qualifier": "2", "identifier": "SCAC"}
    assert milestone["location"] == {"city": "BRATTLEBORO", "region": "VT"}


def test_810_mixed_file_with_partner_product_qualifier() -> None:
    results = _map("810_staedi_mixed_810x2_850_2gs.edi")
    assert [r.document_type for r in results] == ["invoice", "invoice", "purchase_order"]
    assert all(e.field.endswith(".item") for e in results[0].errors)

    pairs = item_ids(6, 10, PO="po_number", PL="po_line_number", UA="item.sku")
    invoice_result, _, _ = _map(
        "810_staedi_mixed_810x2_850_2gs.edi", {"810": {"rules": {"lines": {"pairs": pairs}}}}
    )
    invoice = _dump(invoice_result)
    assert invoice["invoice_number"] == "00001"
    assert invoice["issue_date"] == "1997-12-11"
    assert invoice["po_numbers"] == ["A99999-01"]
    assert invoice["remit_to"]["name"] == "FOODSELLER"
    assert invoice["payment_terms"]["description"] == "1/15 NET 30"
    assert len(invoice["lines"]) == 7
    assert invoice["lines"][0]["item"]["sku"] == "002840022222"
    assert invoice["totals"]["payable_amount"] == {"amount": "2554.38", "currency": "USD"}
    assert invoice["totals"]["line_extension_amount"]["amount"] == "2554.38"

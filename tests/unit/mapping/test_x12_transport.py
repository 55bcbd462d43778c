"""The transport sets (210, 204, 990, 753, 754): golden files both ways, the rules that keep
a 210 line together, stop windows by stop kind, and the real samples of the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.canonical import document_model
from crossdock.mapping.x12 import X12Mapper
from tests.unit.mapping.x12_support import (
    CORPUS_X12,
    FIXTURES,
    interchange,
    only,
    transaction_of,
    transactions,
)

GOLDEN = FIXTURES / "transport"
SETS = {
    "204": "load_tender",
    "990": "load_tender_response",
    "210": "freight_invoice",
    "753": "routing_request",
    "754": "routing_instructions",
}


@pytest.fixture(scope="module")
def mapper() -> X12Mapper:
    return X12Mapper()


def _expected(code: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((GOLDEN / f"{code}.json").read_text())
    return loaded


def _read(mapper: X12Mapper, code: str, body: str) -> dict[str, object]:
    result = mapper.to_canonical(transaction_of(code, body))
    assert result.errors == ()
    assert result.document is not None
    return result.document.model_dump(mode="json", exclude_none=True)


@pytest.mark.parametrize("code", sorted(SETS))
def test_inbound_golden(mapper: X12Mapper, code: str) -> None:
    result = mapper.to_canonical(only(GOLDEN / f"{code}.edi"))

    assert result.errors == ()
    assert result.document_type == SETS[code]
    assert result.document is not None
    assert result.document.model_dump(mode="json", exclude_none=True) == _expected(code)


@pytest.mark.parametrize("code", sorted(SETS))
def test_outbound_golden(mapper: X12Mapper, code: str) -> None:
    model = document_model(SETS[code])
    assert model is not None

    body = mapper.from_canonical(model.model_validate(_expected(code)))

    assert body.code == code
    assert interchange(body) == (GOLDEN / f"{code}.edi").read_text()


@pytest.mark.parametrize(("code", "document_type"), sorted(SETS.items()))
def test_lookups_both_ways(mapper: X12Mapper, code: str, document_type: str) -> None:
    assert mapper.document_type_for(code) == document_type
    assert mapper.code_for(document_type) == code


def test_tender_and_response_share_the_shipment_id(mapper: X12Mapper) -> None:
    tender = mapper.to_canonical(only(GOLDEN / "204.edi")).document
    response = mapper.to_canonical(only(GOLDEN / "990.edi")).document
    assert tender is not None and response is not None
    assert tender.correlation_key() == response.correlation_key() == "HP-SHP-2024-310077"


def test_routing_instructions_join_their_request(mapper: X12Mapper) -> None:
    request = mapper.to_canonical(only(GOLDEN / "753.edi")).document
    instructions = mapper.to_canonical(only(GOLDEN / "754.edi")).document
    assert request is not None and instructions is not None
    assert request.correlation_key() == instructions.correlation_key() == "HP-RR-2024-00912"


def test_a_declined_tender_keeps_its_reason_over_several_k1(mapper: X12Mapper) -> None:
    response = _read(
        mapper,
        "990",
        """
        B1*BRFX*HP-SHP-2024-310078*20241113*D~
        K1*No tractor available in Atlanta~
        K1*for the Nov 14 pick-up window~
        """,
    )
    assert response["decision"] == "declined"
    assert response["reason"] == "No tractor available in Atlanta for the Nov 14 pick-up window"


def test_an_unknown_reservation_code_is_a_mapping_error(mapper: X12Mapper) -> None:
    result = mapper.to_canonical(transaction_of("990", "B1*BRFX*S1*20241113*Q~"))
    assert result.document is None
    assert [(e.field, e.segment_id) for e in result.errors] == [("decision", "B1")]


def test_a_delivery_window_goes_out_with_delivery_qualifiers(mapper: X12Mapper) -> None:
    """One canonical window per stop; G62 37/38 at a pick-up, 53/54 at a delivery."""
    tender = _read(
        mapper,
        "204",
        """
        B2**BRFX**S1**PP~
        B2A*04~
        S5*1*LD~
        G62*37*20241114*I*0800~
        S5*2*UL~
        G62*53*20241115*G*0900~
        G62*54*20241115*L*1100~
        """,
    )
    assert tender["purpose"] == "change"
    first, second = tender["stops"]  # type: ignore[misc]
    assert first["earliest_at"] == "2024-11-14T08:00:00Z" and "latest_at" not in first
    assert second["earliest_at"] == "2024-11-15T09:00:00Z"
    assert second["latest_at"] == "2024-11-15T11:00:00Z"
    model = document_model("load_tender")
    assert model is not None
    written = mapper.from_canonical(model.model_validate(tender))
    windows = [s.elements[0] for s in written.segments if s.tag == "G62"]
    assert windows == ["37", "53", "54"]


def test_line_references_and_parties_do_not_end_a_210_line(mapper: X12Mapper) -> None:
    """N9*CN and N1*SH inside an LX loop belong to the line, not to the heading rules."""
    invoice = _read(
        mapper,
        "210",
        """
        B3**INV1*S1*CC**20241118*15000****BRFX~
        N9*CN*PRO-HEAD~
        N1*SH*Heading shipper~
        LX*1~
        N9*CN*1Z999~
        L0*1*******1*PCS~
        L1*1***10000****400~
        N1*SH*Line shipper~
        N9*CR*REF-9~
        G62*35*20241101~
        L1*1***5000****FUE~
        L3*****15000~
        """,
    )
    assert invoice["pro_number"] == "PRO-HEAD"
    assert invoice["ship_from"]["name"] == "Heading shipper"  # type: ignore[index]
    assert "delivered_on" not in invoice
    [line] = invoice["lines"]  # type: ignore[misc]
    assert [c["amount"]["amount"] for c in line["charges"]] == ["100.00", "50.00"]
    assert invoice["total_charges"] == {"amount": "150.00", "currency": "USD"}
    assert invoice["payment_method"] == "CC"


def test_a_210_without_total_charges_still_writes_the_mandatory_l3(mapper: X12Mapper) -> None:
    model = document_model("freight_invoice")
    assert model is not None
    data = _expected("210")
    data.pop("total_charges")
    data.pop("total_weight")
    body = mapper.from_canonical(model.model_validate(data))
    [l3] = [s for s in body.segments if s.tag == "L3"]
    assert l3.elements == ["", "", "", "", "41236"]


_SKIP = pytest.mark.skipif(not CORPUS_X12.is_dir(), reason=f"corpus not present at {CORPUS_X12}")


@_SKIP
def test_corpus_ups_210_lines_and_charges(mapper: X12Mapper) -> None:
    """UPS bills parcel by parcel: N9/N1/CD3 inside each LX, negative charges (credits)."""
    results = [
        mapper.to_canonical(t)
        for t in transactions(CORPUS_X12 / "210_omniparser_ups_pipe_term_5st.txt")
    ]
    assert [r.errors for r in results] == [()] * 5
    first = results[0].document
    assert first is not None
    invoice = first.model_dump(mode="json", exclude_none=True)
    assert invoice["invoice_number"] == "0000001808WW308"
    assert invoice["carrier"]["x12"] == {"qualifier": "2", "identifier": "UPSN"}
    assert invoice["amount_due"] == {"amount": "17.00", "currency": "USD"}
    assert invoice["ship_from"]["x12"] == {"qualifier": "25", "identifier": "00001808WW"}
    assert [line["line_number"] for line in invoice["lines"]] == [1, 2, 3]
    assert [c["amount"]["amount"] for c in invoice["lines"][1]["charges"]] == [
        "127.40",
        "15.00",
        "25.48",
        "-12.74",
    ]


@_SKIP
def test_corpus_204_stops(mapper: X12Mapper) -> None:
    [result] = [
        mapper.to_canonical(t)
        for t in transactions(CORPUS_X12 / "204_indice_mgctlyst_SE01_INVALID.edi")
    ]
    assert result.errors == ()
    assert result.document is not None
    tender = result.document.model_dump(mode="json", exclude_none=True)
    assert tender["shipment_id"] == "75027674"
    assert [(s["sequence"], s["reason"], s["party"]["role"]) for s in tender["stops"]] == [
        (1, "complete_load", "ship_from"),
        (2, "complete_unload", "consignee"),
    ]
    assert tender["stops"][0]["earliest_at"] == "2016-07-26T10:09:00Z"
    assert tender["stops"][1]["latest_at"] == "2016-07-29T23:59:00Z"
    assert tender["stops"][0]["weight"] == {"value": "5472.0", "unit": "LB"}
    assert tender["total_weight"] == {"value": "5472", "unit": "LB"}


@_SKIP
def test_corpus_990_without_its_date_still_maps(mapper: X12Mapper) -> None:
    """The validator rejects the empty B103; the map itself needs only the id and answer."""
    [result] = [
        mapper.to_canonical(t) for t in transactions(CORPUS_X12 / "990_indice_mgctlyst.edi")
    ]
    assert result.errors == ()
    assert result.document is not None
    response = result.document.model_dump(mode="json", exclude_none=True)
    assert (response["shipment_id"], response["decision"]) == ("75027674", "accepted")


def test_golden_files_are_the_examples(mapper: X12Mapper) -> None:
    """The golden JSON and examples/<type>.json are one document, so both stay real."""
    examples = Path(__file__).resolve().parents[3] / "examples"
    for code, document_type in SETS.items():
        model = document_model(document_type)
        assert model is not None
        example = model.model_validate_json((examples / f"{document_type}.json").read_bytes())
        assert example == model.model_validate(_expected(code)), code


def test_a_stop_party_takes_its_role_from_n101(mapper: X12Mapper) -> None:
    tender = _read(
        mapper,
        "204",
        """
        B2**BRFX**S1**PP~
        B2A*00~
        S5*1*LD~
        N1*PW*Pick-up dock~
        S5*2*UL~
        N1*DA*Delivery dock~
        """,
    )
    roles = [stop["party"]["role"] for stop in tender["stops"]]  # type: ignore[index,union-attr]
    assert roles == ["ship_from", "ship_to"]
    unknown = mapper.to_canonical(
        transaction_of("204", "B2**BRFX**S1**PP~\nB2A*00~\nS5*1*LD~\nN1*QQ*Somewhere~")
    )
    assert unknown.document is None
    assert [e.segment_id for e in unknown.errors] == ["N1"]

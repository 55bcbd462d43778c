"""Certification runs the production preparation (intake's JSON validation, the EDI
channel's X12 reading, spec validation and mapping) and reports per document, locating each
error; it records nothing in the message log (the samples are only returned)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crossdock.bootstrap.channels import mapper_factory
from crossdock.hub.edi.partners import StaticPartnerDirectory
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.intake import UnknownDocumentType
from crossdock.hub.partners.certification import certify_json, certify_x12
from crossdock.hub.partners.directory import RegistryPartnerDirectory
from crossdock.hub.partners.model import Partner
from crossdock.hub.partners.ports import NotInTesting
from tests.conftest import EXAMPLES, ROOT

AT = datetime(2026, 12, 1, tzinfo=UTC)
PO = (EXAMPLES / "purchase_order.json").read_bytes()
ACK = (EXAMPLES / "purchase_order_acknowledgment.json").read_bytes()
X12_855 = (ROOT / "tests" / "fixtures" / "x12" / "855.edi").read_bytes()
X12_850 = (EXAMPLES / "purchase_order_850.x12").read_bytes()
X12_850_BAD = (EXAMPLES / "purchase_order_850_invalid.x12").read_bytes()


def partner(state: str = "testing", x12_id: str = "CROSSDOCKTEST") -> Partner:
    return Partner.model_validate(
        {"name": "cascade", "kind": "supplier", "state": state, "x12": {"id": x12_id},
         "created_at": AT, "updated_at": AT, "state_changed_at": AT}
    )  # fmt: skip


def preparer(*registered: Partner) -> EdiPreparer:
    directory = RegistryPartnerDirectory(StaticPartnerDirectory([]), [], lambda: registered)
    return EdiPreparer(directory, lambda _t: "critical", mapper_factory(directory))


def _broken_ack() -> bytes:
    doc = json.loads(ACK)
    del doc["po_number"]
    doc["lines"][1]["quantity"] = "lots"
    return json.dumps(doc).encode()


@pytest.mark.parametrize(("document_type", "raw"), [("purchase_order", PO),
                                                    ("purchase_order_acknowledgment", ACK)])  # fmt: skip
def test_a_good_json_sample_passes(document_type: str, raw: bytes) -> None:
    report, messages = certify_json(partner(), document_type, raw, "application/json", AT,
                                    lambda _t: "critical")  # fmt: skip
    assert report.passed
    (result,) = report.results
    assert (result.document_type, result.format, result.errors) == (document_type, "json", [])
    assert messages[0].raw == raw


def test_a_bad_json_sample_fails_with_every_error_located() -> None:
    report, _ = certify_json(partner(), "purchase_order_acknowledgment", _broken_ack(),
                             "application/json", AT, lambda _t: "critical")  # fmt: skip
    assert not report.passed
    paths = {e["path"] for e in report.results[0].errors}
    assert "po_number" in paths
    assert any(p.startswith("lines[1].") for p in paths), paths


def test_json_that_is_not_json_fails_and_an_unknown_type_is_refused() -> None:
    report, _ = certify_json(partner(), "purchase_order", b"{nope", "application/json", AT,
                             lambda _t: "critical")  # fmt: skip
    assert not report.passed and report.results[0].errors[0]["type"] == "json_invalid"
    with pytest.raises(UnknownDocumentType):
        certify_json(partner(), "purchase_order_855", PO, "application/json", AT, str)


def test_a_good_x12_855_passes_per_transaction_set() -> None:
    who = partner()
    report, messages = certify_x12(who, X12_855, preparer(who), AT)
    assert report.passed, report.as_dict()
    (result,) = report.results
    assert result.document_type == "purchase_order_acknowledgment"
    assert result.format == "x12" and result.reference == "1:1:0001"
    assert messages[0].raw.startswith(b"ST*855*0001")


def test_a_bad_x12_850_fails_with_the_segment_and_element_located() -> None:
    who = partner(x12_id="GRANITERIDGE")
    good, _ = certify_x12(who, X12_850, preparer(who), AT)
    bad, _ = certify_x12(who, X12_850_BAD, preparer(who), AT)
    assert good.passed, good.as_dict()
    assert not bad.passed
    (result,) = bad.results
    assert result.document_type == "purchase_order"
    assert result.errors and all(e["type"].startswith("x12.") for e in result.errors)
    assert all(e["path"] != "$" for e in result.errors), result.errors  # located


def test_an_interchange_from_another_sender_fails() -> None:
    who = partner(x12_id="SOMEONEELSE")
    report, _ = certify_x12(who, X12_855, preparer(who), AT)
    assert not report.passed
    (error,) = report.results[0].errors
    assert error["path"] == "ISA06" and "ZZ/CROSSDOCKTEST" in error["reason"]


def test_not_x12_at_all_is_one_failed_result() -> None:
    who = partner()
    report, _ = certify_x12(who, b"hello, world", preparer(who), AT)
    assert not report.passed and report.results[0].document_type == "x12_interchange"


@pytest.mark.parametrize("state", ["draft", "live", "suspended"])
def test_certification_is_open_in_testing_only(state: str) -> None:
    with pytest.raises(NotInTesting):
        certify_json(partner(state), "purchase_order", PO, "application/json", AT, str)
    with pytest.raises(NotInTesting):
        certify_x12(partner(state), X12_855, preparer(), AT)


def test_a_bad_x12_855_fails_with_the_segment_located() -> None:
    who = partner()
    broken = X12_855.replace(b"BAK*00*AC*HP-PO-2024-018734*20241104", b"BAK*00*AC**20241104")
    report, _ = certify_x12(who, broken, preparer(who), AT)
    assert not report.passed
    (result,) = report.results
    assert result.document_type == "purchase_order_acknowledgment"
    assert any("BAK" in e["path"] for e in result.errors), result.errors


def test_a_strict_partner_fails_certification_for_codes_others_get_noted() -> None:
    """x12.strict reaches certification: the sample's valid codes outside the hub's partial
    code lists (REF01 'F8', N103 'A') pass for a default partner and fail for a strict one."""
    sample = ROOT / "tests" / "fixtures" / "x12" / "codes" / "850_codes_outside_lists.edi"
    lenient = partner(x12_id="CODESBUYER")
    report, _ = certify_x12(lenient, sample.read_bytes(), preparer(lenient), AT)
    assert report.passed, report.as_dict()
    strict = lenient.model_copy(
        update={"x12": lenient.x12.model_copy(update={"strict": True})}  # type: ignore[union-attr]
    )
    report, _ = certify_x12(strict, sample.read_bytes(), preparer(strict), AT)
    assert not report.passed
    (result,) = report.results
    reasons = [e["reason"] for e in result.errors]
    assert any("'F8'" in r and "x12.strict" in r for r in reasons), reasons
    assert any("'A'" in r and "x12.strict" in r for r in reasons), reasons

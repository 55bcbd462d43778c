"""What crossdock renders as X12 passes crossdock's own validator, with zero errors.

A strict partner translator rejects a transaction set with a syntax error, so outbound X12
must be standard. Three guarantees:

* every golden file (tests/fixtures/x12/<set>.edi, rendered from <set>.json) validates clean;
* for every set with a document strategy, a generated canonical document rendered by the
  writer and read back by the reader (as the partner would receive it) validates clean;
* free text longer than its X12 element (K1 30, N903 45, NTE02 80, ...) is cut to fit at a
  word boundary (G69 descriptions are spread over up to five G69s) rather than sent
  over-long, and inbound-only spellings the maps still read are not written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.canonical import (
    AdvanceShipNotice,
    CanonicalDocument,
    FulfillmentOrder,
    Invoice,
    PurchaseOrder,
    PurchaseOrderAcknowledgment,
    document_model,
)
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12.model import Issue, Severity, Transaction
from crossdock.x12.validator import validate
from tests.unit.mapping import x12_documents as strategies
from tests.unit.mapping.test_x12_golden import SETS
from tests.unit.mapping.x12_support import FIXTURES, interchange, only, transaction_of

MAPPER = X12Mapper()
GOLDEN = sorted(FIXTURES.glob("*.edi"))
CASES: list[tuple[type[CanonicalDocument], st.SearchStrategy[dict[str, Any]]]] = [
    (PurchaseOrder, strategies.purchase_orders()),
    (PurchaseOrderAcknowledgment, strategies.acknowledgments()),
    (AdvanceShipNotice, strategies.ship_notices()),
    (Invoice, strategies.invoices()),
    (FulfillmentOrder, strategies.fulfillment_orders()),
]


def _findings(transaction: Transaction) -> list[Issue]:
    """Reader and validator findings together (the validator does not repeat the reader's)."""
    return [*transaction.issues, *validate(transaction).issues]


def _errors(transaction: Transaction) -> list[Issue]:
    return [issue for issue in _findings(transaction) if issue.severity is Severity.ERROR]


def _rendered(document: CanonicalDocument) -> tuple[str, Transaction]:
    text = interchange(MAPPER.from_canonical(document))
    return text, only(text)


def _golden_document(code: str) -> CanonicalDocument:
    model = document_model(SETS[code])
    assert model is not None
    return model.model_validate(json.loads((FIXTURES / f"{code}.json").read_text()))


def test_every_set_has_a_golden_file() -> None:
    assert sorted(path.stem for path in GOLDEN) == sorted(SETS)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_file_validates_clean(path: Path) -> None:
    findings = _findings(only(path))

    assert findings == [], "\n".join(map(str, findings))


@pytest.mark.parametrize("code", sorted(SETS))
def test_golden_document_renders_valid_x12(code: str) -> None:
    text, transaction = _rendered(_golden_document(code))

    findings = _findings(transaction)
    assert findings == [], "\n".join(map(str, findings)) + "\n" + text


@pytest.mark.parametrize(("model", "strategy"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_generated_documents_render_valid_x12(
    model: type[CanonicalDocument], strategy: st.SearchStrategy[dict[str, Any]]
) -> None:
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def check(data: dict[str, Any]) -> None:
        text, transaction = _rendered(model.model_validate(data))

        errors = _errors(transaction)
        assert errors == [], "\n".join(map(str, errors)) + "\n" + text

    check()


# Free text longer than X12 allows: cut at a word boundary, and the set still validates.

_LONG = "Keep upright; stack no more than two high; deliver to the rear dock before noon " * 4


def _segment(transaction: Transaction, tag: str, first: str | None = None) -> list[str]:
    for segment in transaction.segments:
        if segment.tag == tag and (first is None or segment.elements[:1] == [first]):
            return list(segment.elements)
    raise AssertionError(f"no {tag} segment")


def _with_long_text(code: str, edit: Any) -> tuple[CanonicalDocument, Transaction]:
    data = _golden_document(code).model_dump(mode="json", exclude_none=True)
    edit(data)
    model = document_model(SETS[code])
    assert model is not None
    document = model.model_validate(data)
    text, transaction = _rendered(document)
    findings = _findings(transaction)
    assert findings == [], "\n".join(map(str, findings)) + "\n" + text
    return document, transaction


def test_940_long_item_description_is_spread_over_g69s_and_read_back_whole() -> None:
    description = " ".join(_LONG.split()[:30])  # about 150 characters: four G69s

    def edit(data: dict[str, Any]) -> None:
        data["lines"][0]["item"]["description"] = description
        data["lines"][0]["note"] = _LONG.strip()
        data["notes"] = [_LONG.strip()]

    _, transaction = _with_long_text("940", edit)

    g69 = [s.elements[0] for s in transaction.segments if s.tag == "G69"]
    assert len(g69) == 1 + 4  # line 2's description fits one
    assert all(len(piece) <= 45 for piece in g69)
    assert " ".join(g69[:4]) == description
    assert len(_segment(transaction, "NTE", "WHI")[1]) <= 80
    assert len(_segment(transaction, "NTE", "LIN")[1]) <= 80
    back = MAPPER.to_canonical(transaction)
    assert back.document is not None
    assert back.document.model_dump(mode="json")["lines"][0]["item"]["description"] == description


def test_940_description_beyond_five_g69s_is_cut() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["lines"][0]["item"]["description"] = _LONG.strip()

    _, transaction = _with_long_text("940", edit)

    g69 = [s.elements[0] for s in transaction.segments if s.tag == "G69"]
    assert len(g69) == 5 + 1
    assert _LONG.startswith(" ".join(g69[:5]) + " ")


def test_944_long_line_note_is_cut_to_n903_length() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["lines"][1]["note"] = _LONG.strip()

    _, transaction = _with_long_text("944", edit)

    note = _segment(transaction, "N9", "L1")[2]
    assert 0 < len(note) <= 45
    assert _LONG.startswith(note + " ")


def test_214_long_description_is_cut_to_k1_length() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["description"] = _LONG.strip()

    _, transaction = _with_long_text("214", edit)

    remark = _segment(transaction, "K1")[0]
    assert 0 < len(remark) <= 30
    assert _LONG.startswith(remark + " ")


def test_text_without_spaces_is_cut_hard() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["description"] = "X" * 60

    _, transaction = _with_long_text("214", edit)

    assert _segment(transaction, "K1")[0] == "X" * 30


# Outbound spellings changed for the standard; what partners send the old way is still read.


def test_855_bare_msg_still_read_but_written_in_n9_loops() -> None:
    transaction = transaction_of(
        "855",
        """
        BAK*00*AC*PO-1*20241104
        DTM*097*20241105*1200*UT
        MSG*Heading note sent without N9
        PO1*1*10*EA*1.00**BP*SKU-1
        ACK*IA*10*EA
        MSG*Line note sent without N9
        CTT*1
        """,
    )

    result = MAPPER.to_canonical(transaction)

    assert result.errors == ()
    assert result.document is not None
    dumped = result.document.model_dump(mode="json")
    assert dumped["notes"] == ["Heading note sent without N9"]
    assert dumped["lines"][0]["reason"] == "Line note sent without N9"
    _, rendered = _rendered(result.document)
    tags = [segment.tag for segment in rendered.segments]
    assert tags.count("N9") == 2 and tags.count("MSG") == 2
    assert _errors(rendered) == []


def test_945_mea_weight_still_read_but_written_as_pal() -> None:
    document = _golden_document("945")
    _, rendered = _rendered(document)
    edited = [
        f"MEA*WT*G*{s.elements[6]}*{s.elements[7]}"
        if s.tag == "PAL"
        else "*".join((s.tag, *s.elements))
        for s in rendered.segments
        if s.tag not in ("ST", "SE")
    ]
    assert any(line.startswith("MEA*WT*G*") for line in edited)

    result = MAPPER.to_canonical(transaction_of("945", "\n".join(edited)))

    assert result.document is not None
    assert result.document.model_dump() == document.model_dump()


def test_944_nte_line_note_still_read() -> None:
    document = _golden_document("944")
    _, rendered = _rendered(document)
    edited = [
        f"NTE*LIN*{s.elements[2]}"
        if s.tag == "N9" and s.elements[0] == "L1"
        else "*".join((s.tag, *s.elements))
        for s in rendered.segments
        if s.tag not in ("ST", "SE")
    ]
    assert any(line.startswith("NTE*LIN*") for line in edited)

    result = MAPPER.to_canonical(transaction_of("944", "\n".join(edited)))

    assert result.document is not None
    assert result.document.model_dump() == document.model_dump()


@pytest.mark.parametrize(
    ("canonical", "td101"), [("PX", "PLT"), ("CT", "CTN"), ("BX", "BOX"), ("PLT94", "PLT94")]
)
def test_856_package_type_is_an_x12_packaging_code(canonical: str, td101: str) -> None:
    data = _golden_document("856").model_dump(mode="json", exclude_none=True)
    for order in data["orders"]:
        for pack in order["packs"]:
            pack["package_type"] = canonical
    document = AdvanceShipNotice.model_validate(data)

    text, transaction = _rendered(document)

    td1 = [s.elements for s in transaction.segments if s.tag == "TD1" and s.elements[0]]
    assert td1 and all(elements[:2] == [td101, "1"] for elements in td1)
    assert _findings(transaction) == [], text
    back = MAPPER.to_canonical(transaction)
    assert back.document is not None
    assert back.document.model_dump() == document.model_dump()

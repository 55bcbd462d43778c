"""The ``csv`` transform's rendering: a canonical document written with the partner's map
(header fields repeated on each line row), read back by the same map to the same document."""

from __future__ import annotations

import json

import pytest

from crossdock.mapping.csv import render_csv
from crossdock.mapping.transforms import TransformError
from tests.conftest import EXAMPLES
from tests.unit.mapping.csv.support import fixture_map, read_bytes, read_file


def _dump(document: object) -> dict[str, object]:
    return json.loads(document.model_dump_json(exclude_none=True))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("map_name", "file"),
    [
        ("po_grouped", "po_grouped.csv"),
        ("po_grouped", "po_quoted.csv"),
        ("po_semicolon", "po_semicolon_cp1252.csv"),
        ("po_noheader", "po_noheader.csv"),
        ("po_fixed", "po_fixed.txt"),
    ],
)
def test_render_then_read_gives_the_same_document(map_name: str, file: str) -> None:
    csv_map = fixture_map(map_name)
    for document in read_file(file, csv_map):
        assert document.document is not None, document.errors
        body = render_csv(_dump(document.document), csv_map)
        [again] = read_bytes(body, csv_map)
        assert again.errors == []
        assert _dump(again.document) == _dump(document.document)


def test_the_partners_dialect_is_written() -> None:
    csv_map = fixture_map("po_semicolon")
    [document] = read_file("po_semicolon_cp1252.csv", csv_map)
    body = render_csv(_dump(document.document), csv_map)
    lines = body.decode("cp1252").splitlines()
    assert (
        lines[0] == "Bestellnr;Datum;Kunde;Lieferant;Lager;Artikel;Bezeichnung;Menge;Einheit;Preis"
    )
    assert lines[1] == (
        "B-100;04.11.2024;Café Müller GmbH;Papierwerk Süd;Lager Köln;A-1;"
        "Servietten weiß \u2013 3-lagig;1250,5;ST;0,89"
    )
    assert lines[2].endswith(";12;KAR;14,90")  # value table reversed, decimal comma
    signed = fixture_map("po_grouped", encoding="utf-8-sig")
    [bom_document] = read_file("po_bom.csv", signed)
    bom = render_csv(_dump(bom_document.document), signed)
    assert bom.startswith(b"\xef\xbb\xbfpo_number,") and "PO-É1".encode() in bom


def test_the_example_purchase_order_renders_one_row_per_line() -> None:
    example = json.loads((EXAMPLES / "purchase_order.json").read_text())
    body = render_csv(example, fixture_map("po_grouped")).decode()
    rows = body.splitlines()
    assert len(rows) == 1 + len(example["lines"])
    assert all(
        r.startswith("HP-PO-2024-018734,2024-11-04,Harbor Point Distribution Co.") for r in rows[1:]
    )


def test_fixed_width_refuses_a_value_wider_than_its_column() -> None:
    csv_map = fixture_map("po_fixed")
    [document, _] = read_file("po_fixed.txt", csv_map)
    data = _dump(document.document)
    data["po_number"] = "MUCH-TOO-LONG-PO"
    with pytest.raises(TransformError, match="wider than 10 characters"):
        render_csv(data, csv_map)

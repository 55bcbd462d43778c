"""Reading partners' flat files with declarative maps: layouts, dialects, encodings,
grouping, code tables, and errors that name the row and the column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crossdock.canonical.purchase_order import PurchaseOrder
from tests.unit.mapping.csv.support import errors_of, fixture_map, read_bytes, read_file

HEADER = b"po_number,issued,buyer,supplier,ship_to,line,sku,qty,uom,price\n"


def orders(documents: list) -> list[PurchaseOrder]:
    assert errors_of(documents) == []
    found = [d.document for d in documents]
    assert all(isinstance(d, PurchaseOrder) for d in found)
    return found


def test_a_header_file_groups_repeated_po_headers_into_one_order_per_key() -> None:
    documents = read_file("po_grouped.csv", fixture_map("po_grouped"))
    first, second = orders(documents)
    assert (first.po_number, second.po_number) == ("PO-1", "PO-2")
    assert [d.rows for d in documents] == [[2, 3], [4]]
    assert [line.item.sku for line in first.lines] == ["SKU-1", "SKU-2"]
    assert first.lines[1].quantity.value == Decimal(1000)  # "1,000", thousands ','
    assert first.buyer.name == "Harbor Point" and first.buyer.role == "buyer"
    assert first.issued_at.isoformat() == "2024-11-04T00:00:00+00:00"
    # the raw text kept for the log: the header and the group's own rows
    assert documents[1].text == (
        "po_number,issued,buyer,supplier,ship_to,line,sku,qty,uom,price\r\n"
        "PO-2,2024-11-05,Harbor Point,Cascade Paper,DC Atlanta,1,SKU-3,5,EA,1.25\r\n"
    )


def test_semicolons_decimal_commas_and_cp1252_with_a_value_table() -> None:
    [order] = orders(read_file("po_semicolon_cp1252.csv", fixture_map("po_semicolon")))
    assert order.buyer.name == "Café Müller GmbH"
    assert order.lines[0].item.description == "Servietten weiß \u2013 3-lagig"
    assert order.lines[1].item.description == "Becher „to go“ €-Aktion"
    assert order.lines[0].quantity.value == Decimal("1250.5")  # "1.250,5"
    assert order.lines[0].unit_price.amount == Decimal("0.89")  # "0,89"
    assert [line.quantity.unit for line in order.lines] == ["EA", "CS"]  # ST, KAR translated
    assert [line.line_number for line in order.lines] == [1, 2]  # numbered by the map
    assert order.issued_at.isoformat() == "2024-11-04T00:00:00+01:00"  # Europe/Berlin


def test_a_code_outside_the_value_table_is_the_rows_error() -> None:
    csv_map = fixture_map("po_semicolon", encoding="utf-8")
    data = (
        b"Bestellnr;Datum;Kunde;Lieferant;Lager;Artikel;Menge;Einheit;Preis\n"
        b"B-1;04.11.2024;K;L;W;A-1;1;XYZ;1,00\n"
    )
    [document] = read_bytes(data, csv_map)
    assert document.document is None
    [error] = document.errors
    assert (error.row, error.column, error.field) == (2, "Einheit", "lines[].quantity.unit")
    assert "code 'XYZ' is not in value table 'units' (KAR, PAL, ST)" in error.reason


def test_a_byte_order_mark_is_skipped_and_text_is_read_as_utf8() -> None:
    [order] = orders(read_file("po_bom.csv", fixture_map("po_grouped")))
    assert order.po_number == "PO-É1" and order.ship_to.name == "DC Åtlanta"
    [sig] = orders(read_file("po_bom.csv", fixture_map("po_grouped", encoding="utf-8-sig")))
    assert sig.po_number == "PO-É1"


def test_a_file_without_header_is_read_by_position_one_document_per_row() -> None:
    first, second = orders(read_file("po_noheader.csv", fixture_map("po_noheader")))
    assert (first.po_number, second.po_number) == ("PO-7", "PO-8")
    assert first.lines[0].item.sku == "SKU-9" and first.lines[0].line_number == 1
    assert second.lines[0].unit_price.amount == Decimal("7.00")


def test_fixed_width_positions_skip_rows_and_implied_decimals() -> None:
    documents = read_file("po_fixed.txt", fixture_map("po_fixed"))
    first, second = orders(documents)
    assert [d.rows for d in documents] == [[2, 3], [4]]  # the banner line is skipped
    assert first.po_number == "FW-1" and [x.item.sku for x in first.lines] == ["SKU-A", "SKU-B"]
    assert [x.unit_price.amount for x in first.lines] == [Decimal("2.50"), Decimal("120.00")]
    assert second.lines[0].unit_price.amount == Decimal("0.99")


def test_quoted_fields_hold_delimiters_quotes_and_line_breaks() -> None:
    documents = read_file("po_quoted.csv", fixture_map("po_grouped"))
    [order] = orders(documents)
    assert order.buyer.name == "Harbor, Point & Co."
    assert order.ship_to.name == 'DC "North"'
    assert order.lines[0].note == "first line\r\nsecond line, with comma"
    assert documents[0].rows == [2, 4]  # the first record spans lines 2 and 3


def test_bad_rows_are_reported_with_row_and_column_while_good_documents_pass() -> None:
    documents = read_file("po_bad_rows.csv", fixture_map("po_grouped"))
    assert [(d.key, d.ok) for d in documents] == [
        ("GOOD-1", True),
        ("BAD-QTY", False),
        ("BAD-HDR", False),
        ("BAD-DATE", False),
        ("BAD-PRICE", False),
        ("GOOD-2", True),
    ]
    found = {d.key: [(e.row, e.column) for e in d.errors] for d in documents if not d.ok}
    assert found == {
        "BAD-QTY": [(3, "qty")],
        "BAD-HDR": [(5, "supplier")],  # a header value that changes within the group
        "BAD-DATE": [(6, "issued")],
        "BAD-PRICE": [(7, "price")],  # the canonical rule, traced back to its cell
    }
    [qty] = documents[1].errors
    assert qty.reason == "'lots' is not a number"
    assert "'Other Supplier' here but 'Cascade' on row 4" in documents[2].errors[0].reason
    assert "lines[0].unit_price.amount: a unit price cannot be negative" in (
        documents[4].errors[0].reason
    )


def test_a_required_column_missing_from_the_header_stops_the_file_with_its_name() -> None:
    [document] = read_bytes(b"po_number,issued\nPO-1,2024-11-04\n", fixture_map("po_grouped"))
    [error] = document.errors
    assert error.row == 1 and error.column == "buyer"
    assert "required columns missing from the header: buyer, supplier" in error.reason


def test_an_empty_required_cell_and_a_canonical_error_name_row_and_column() -> None:
    data = HEADER + b"P1,2024-11-04,B,S,T,1,,1,EA,1\nP2,2024-11-04,B,S,T,1,SKU,1,EACH-OF-THEM,1\n"
    first, second = read_bytes(data, fixture_map("po_grouped"))
    assert [(e.row, e.column, e.reason) for e in first.errors] == [
        (2, "sku", "a value is required")
    ]
    [error] = second.errors
    assert (error.row, error.column) == (3, "uom") and error.reason.startswith(
        "lines[0].quantity.unit:"
    )


def test_rows_of_a_key_that_are_not_together_are_an_error() -> None:
    data = (
        HEADER
        + b"P1,2024-11-04,B,S,T,1,A,1,EA,1\n"
        + b"P2,2024-11-04,B,S,T,1,A,1,EA,1\n"
        + b"P1,2024-11-04,B,S,T,2,B,1,EA,1\n"
    )
    documents = read_bytes(data, fixture_map("po_grouped"))
    assert [d.ok for d in documents] == [True, True, False]
    assert "rows of document 'P1' are not together" in documents[2].errors[0].reason


def test_an_unreadable_row_rejects_the_document_it_sits_in_not_just_itself() -> None:
    data = HEADER + b"P1,2024-11-04,B,S,T,1,A,1,EA,1\n" + b"P1,\xff\xfe,B\n"
    [document] = read_bytes(data, fixture_map("po_grouped"))
    assert not document.ok and document.rows == [2, 3]
    [error] = document.errors
    assert error.row == 3 and "byte 0xff at character 4 is not utf-8" in error.reason


@pytest.mark.parametrize(
    ("number", "text", "expected"),
    [
        ({"decimal": ",", "thousands": "."}, "1.234.567,89", "1234567.89"),
        ({"decimal": ",", "thousands": " "}, "1 234,5", "1234.5"),
        ({"thousands": ","}, "1,234.5", "1234.5"),
        ({"implied_decimals": 3}, "12345", "12.345"),
    ],
)
def test_number_formats(number: dict[str, object], text: str, expected: str) -> None:
    from crossdock.mapping.csv import CsvColumn
    from crossdock.mapping.csv.values import parse_cell

    column = CsvColumn.model_validate(
        {"column": "x", "field": "x", "type": "decimal", "number": number}
    )
    assert parse_cell(text, column, fixture_map("po_grouped")) == expected


def test_a_malformed_row_of_an_ungrouped_file_is_its_own_rejected_document() -> None:
    csv_map = fixture_map("po_grouped", group_by=None)
    data = (
        HEADER
        + b"P1,2024-11-04,B,S,T,1,A,1,EA,1\n"
        + b'P2,2024-11-04,"B"x,S,T,1,A,1,EA,1\n'
        + b"P3,2024-11-04,B,S,T,1,A,1,EA,1\n"
    )
    documents = read_bytes(data, csv_map)
    assert [(d.ok, d.rows) for d in documents] == [(True, [2]), (False, [3]), (True, [4])]
    [error] = documents[1].errors
    assert error.row == 3 and error.reason.startswith("not readable as CSV:")
    assert documents[1].text.endswith('P2,2024-11-04,"B"x,S,T,1,A,1,EA,1\n')

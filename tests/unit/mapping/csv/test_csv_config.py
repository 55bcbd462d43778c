"""CSV maps in ``crossdock.yaml``: a mistake in a map fails `config check` with its path,
not the partner's first file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from crossdock.config import load_settings
from crossdock.mapping.csv import CsvMap
from tests.unit.test_config import problems_of, write


def test_a_partner_with_csv_maps_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints:
          out: {type: folder, path: out}
        partners:
          smallco:
            csv:
              all_or_nothing: true
              maps:
                purchase_order:
                  delimiter: ";"
                  group_by: po
                  columns:
                    - {column: po, field: po_number}
                    - {column: sku, field: "lines[].item.sku"}
        routes:
          - name: back
            when: {document_type: purchase_order}
            deliver: {endpoint: out, transform: csv, partner: smallco}
        """,
    )
    settings = load_settings(path, env={})
    csv = settings.partners["smallco"].csv
    assert csv is not None and csv.all_or_nothing
    assert csv.maps["purchase_order"].document_type == "purchase_order"  # from its key
    assert csv.maps["purchase_order"].key_column is not None
    assert csv.reads("orders.CSV") and not csv.reads("orders.x12")


def test_unknown_fields_types_and_routes_without_a_map_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints:
          out: {type: folder, path: out}
        partners:
          smallco:
            csv:
              maps:
                purchase_order:
                  columns:
                    - {column: po, field: po_numbr}
                    - {column: sku, field: "lines[].item.skew"}
                  constants: {currency: USD}
                purchase_ordr:
                  columns:
                    - {column: po, field: po_number}
        routes:
          - name: back
            when: {document_type: ship_notice}
            deliver: {endpoint: out, transform: csv, partner: smallco}
          - name: nobody
            when: {document_type: purchase_order}
            deliver: {endpoint: out, transform: csv}
        """,
    )
    problems = {p.path: p.message for p in problems_of(path)}
    at = "partners.smallco.csv.maps"
    assert "did you mean 'po_number'" in problems[f"{at}.purchase_order.columns[0].field"]
    assert "has no field 'skew'" in problems[f"{at}.purchase_order.columns[1].field"]
    assert "unknown document type 'purchase_ordr'" in problems[f"{at}.purchase_ordr"]
    assert "has no csv map for ship_notice" in problems["routes[0].deliver.partner"]
    assert "needs deliver.partner" in problems["routes[1].deliver.transform"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"columns": [{"column": "a", "field": "lines[].sub[].x"}]}, "only one list level"),
        ({"columns": [{"column": "a", "field": "x", "values": "nope"}]}, "unknown value table"),
        ({"columns": [{"column": "a", "field": "x"}, {"column": "b", "field": "x"}]}, "twice"),
        ({"columns": [{"column": "a", "field": "x", "start": 1, "width": 2}]}, "not both"),
        ({"layout": "fixed", "columns": [{"column": "a", "field": "x"}]}, "start/width"),
        ({"header": False, "columns": [{"column": "a", "field": "x"}]}, "by position"),
        ({"group_by": "zz", "columns": [{"column": "a", "field": "x"}]}, "not one of the columns"),
        ({"number": {"decimal": ",", "thousands": ","}, "columns": [{"column": "a", "field": "x"}]},
         "must differ"),
        ({"columns": [{"column": "a", "field": "Lines.x"}]}, "not a field path"),
        ({"timezone": "Mars/Olympus", "columns": [{"column": "a", "field": "x"}]},
         "unknown time zone"),
    ],
)  # fmt: skip
def test_a_map_that_cannot_work_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CsvMap.model_validate({"document_type": "purchase_order", **change})

"""`config check`: every problem in one run, canonical paths in routes, and warnings about
documents no route takes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from crossdock.bootstrap.unrouted import coverage_warnings, unrouted_policy
from crossdock.config import Settings, load_settings
from crossdock.entrypoints import cli
from tests.unit.test_config import problems_of, write


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    """A broken section (hub, an invalid route, an endpoint) does not hide the cross-reference
    problems of the rest, and each problem keeps its file:line:col."""
    path = write(
        tmp_path,
        """
        hub: {port: many}
        endpoints:
          erp: {type: http, url: "http://erp.example/in"}
          broken: {type: ftp}
        routes:
          - name: a
            when: {document_type: purchase_order, where: {buyer.fax: "1"}}
            deliver: {endpoint: erpp}
          - name: b
            when: {document_type: purchase_order}
            deliver: {endpoint: erp, transform: fields, fields: {sku: "lines[].item.sku"}}
            lane: sideways
          - name: c
            when: {document_type: purchase_order}
            deliver: {endpoint: broken, transform: fields, fields: {sku: "lines[0].item.skux"}}
        """,
    )

    problems = {p.path: p for p in problems_of(path)}

    assert set(problems) == {
        "hub.port",
        "endpoints.broken.type",
        "routes[1].lane",
        'routes[0].when.where["buyer.fax"]',
        "routes[0].deliver.endpoint",
        "routes[2].deliver.fields.sku",
    }
    assert problems["hub.port"].line == 1
    where = problems['routes[0].when.where["buyer.fax"]']
    assert (where.line, where.column) == (7, 62)  # at the value
    assert "buyer has no field 'fax'" in where.message
    assert str(problems["routes[0].deliver.endpoint"]) == (
        f"{path}:8:25: routes[0].deliver.endpoint: unknown endpoint 'erpp' (known: broken, erp)"
    )
    field = problems["routes[2].deliver.fields.sku"]
    assert field.line == 15
    assert "lines[0].item has no field 'skux' (did you mean 'sku'?)" in field.message


def test_fields_and_where_paths_are_checked_against_the_canonical_schema(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints: {erp: {type: folder, path: out}}
        routes:
          - name: flat
            when: {document_type: purchase_order, where: {ship_to.address.city: Atlanta}}
            deliver:
              endpoint: erp
              transform: fields
              fields:
                order: po_number
                sku: lines[0].item.sku
                city: ship_to.address.city
                each: lines[].item.sku
                digits: po_number.digits
          - name: asn
            when: {document_type: advance_ship_notice, where: {po_number: X}}
            deliver: {endpoint: erp}
        """,
    )

    problems = {p.path: p.message for p in problems_of(path)}

    assert set(problems) == {
        "routes[0].deliver.fields.each",
        "routes[0].deliver.fields.digits",
        "routes[1].when.where.po_number",
    }
    assert (
        "lines is a list, 'item' is not an index (write lines[0])"
        in problems["routes[0].deliver.fields.each"]
    )
    assert "po_number is a single value" in problems["routes[0].deliver.fields.digits"]
    assert (
        "AdvanceShipNotice has no field 'po_number'" in problems["routes[1].when.where.po_number"]
    )


SENDERS = {
    "systems": {"wms": {"format": "sandbox_wms"}},
    "carriers": {"ridgeline": {"format": "flat_214", "scac": "RDGL"}},
    "endpoints": {"erp": {"type": "folder", "path": "out"}},
}


def test_warnings_name_senders_whose_documents_no_route_takes() -> None:
    settings = Settings.model_validate(
        {
            **SENDERS,
            "routes": [
                {
                    "name": "receipts",
                    "when": {"document_type": "goods_receipt", "source": "wms"},
                    "deliver": {"endpoint": "erp"},
                },
                {
                    "name": "milestones",
                    "when": {"document_type": "shipment_milestone"},
                    "deliver": {"endpoint": "erp"},
                },
            ],
        }
    )
    warnings = dict(coverage_warnings(settings, []))
    assert set(warnings) == {("systems", "wms"), ("routes",)}
    assert "inventory_position, shipment, stock_movement from 'wms'" in warnings[("systems", "wms")]
    assert "goods_receipt (from wms)" in warnings[("routes",)]
    assert "'api'" in warnings[("routes",)]


def test_declared_unrouted_and_other_consumers_silence_the_warnings() -> None:
    settings = Settings.model_validate(
        {
            **SENDERS,
            "routes": [
                {
                    "name": "receipts",
                    "when": {"document_type": "goods_receipt", "source": "wms"},
                    "deliver": {"endpoint": "erp"},
                }
            ],
            "unrouted": [
                {"document_type": "goods_receipt", "source": "api"},
                {"document_type": "shipment", "source": "wms"},
                {"document_type": "stock_movement"},
            ],
            "inventory_reconciliation": {
                "enabled": True,
                "erp": {"url": "http://erp.example/inv", "map": "sandbox_erp.inventory_positions"},
                "wms": {"url": "http://wms.example/inv", "map": "sandbox_wms.inventory_positions"},
            },
        }
    )
    # the carrier's milestones: nobody takes them; the WMS's documents are all accounted for
    assert [at for at, _ in coverage_warnings(settings, [])] == [("carriers", "ridgeline")]
    policy = unrouted_policy(settings, [])
    assert policy.is_taken("inventory_position")
    assert policy.is_declared("stock_movement", "anyone")
    assert policy.is_declared("shipment", "wms") and not policy.is_declared("shipment", "tms")


def test_config_check_prints_warnings_and_still_passes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        endpoints: {erp: {type: folder, path: out}}
        routes:
          - name: po
            when: {document_type: purchase_order, source: erp}
            deliver: {endpoint: erp}
        """,
    )
    load_settings(path, env={})  # valid
    result = CliRunner().invoke(
        cli.app, ["config", "check", str(path)], env={"COLUMNS": "400"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:3:3: routes: routed only from" in result.output
    assert "purchase_order (from erp)" in result.output
    assert "is valid (1 warning)" in result.output

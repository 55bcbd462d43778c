"""System formats and maps are registered through the ``crossdock.system_maps`` entry-point
group: the sandbox's the same way as a user's own package, and production mapping never
imports the sandbox."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crossdock.mapping.systems import format_names, outbound_maps, system_format
from crossdock.mapping.systems.model import SystemFormat, SystemMap
from crossdock.mapping.systems.positions import position_maps
from crossdock.mapping.systems.registry import DuplicateMap, SystemMaps, merge

ROOT = Path(__file__).resolve().parents[3]


def test_the_sandbox_maps_are_found_through_the_entry_point() -> None:
    assert {"sandbox_erp", "sandbox_wms", "sandbox_tms", "sandbox_supplier"} <= set(format_names())
    assert system_format("sandbox_erp").name == "sandbox_erp"
    assert "sandbox_erp.confirmation" in outbound_maps()
    assert set(position_maps()) == {
        "sandbox_erp.inventory_positions",
        "sandbox_wms.inventory_positions",
    }
    assert not list((ROOT / "src" / "crossdock" / "mapping" / "systems").glob("sandbox_*.py"))


def test_production_mapping_imports_no_sandbox_until_maps_are_asked_for() -> None:
    code = (
        "import sys, crossdock.mapping.systems as m, crossdock.config.systems\n"
        "assert not any(n.startswith('crossdock.sandbox') for n in sys.modules), 'early'\n"
        "m.format_names()\n"
        "assert 'crossdock.sandbox.maps' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_users_own_package_adds_a_system_format(tmp_path: Path) -> None:
    """What the configuration page documents: a module plus an entry point in its metadata."""
    (tmp_path / "acme_maps.py").write_text(
        textwrap.dedent(
            """
            from crossdock.mapping.systems import SystemFormat, SystemMap, SystemMaps

            ORDER = SystemMap(
                "acme_erp.order", {"po_number": "@no"}, document_type="purchase_order"
            )

            def system_maps():
                return SystemMaps(
                    formats=[SystemFormat("acme_erp", ("type",), None, {"order": ORDER}, {})]
                )
            """
        )
    )
    info = tmp_path / "acme_maps-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-maps\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[crossdock.system_maps]\nacme = acme_maps:system_maps\n"
    )
    config = tmp_path / "crossdock.yaml"
    config.write_text("systems:\n  acme:\n    format: acme_erp\n")
    code = (
        "from crossdock.mapping.systems import format_names\n"
        "from crossdock.config import Settings\n"
        "names = format_names()\n"
        "assert 'acme_erp' in names and 'sandbox_erp' in names, names\n"
        "Settings(systems={'acme': {'format': 'acme_erp'}})\n"
        "try:\n"
        "    Settings(systems={'acme': {'format': 'nope'}})\n"
        "except Exception as exc:\n"
        "    assert 'unknown system format' in str(exc) and 'acme_erp' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('an unregistered format was taken')\n"
    )
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=env)


def test_a_name_declared_by_two_packages_is_refused() -> None:
    one = SystemMap("x.order", {"po_number": "@no"}, document_type="purchase_order")
    fmt = SystemFormat("x", ("type",), None, {"order": one}, {})
    with pytest.raises(DuplicateMap, match="format 'x' is declared by a and b"):
        merge([("a", SystemMaps(formats=[fmt])), ("b", SystemMaps(formats=[fmt]))])
    with pytest.raises(DuplicateMap, match=r"outbound map 'x\.order'"):
        merge([("a", SystemMaps(outbound=[one, one]))])

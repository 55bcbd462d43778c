"""The ``inventory_reconciliation`` section: off by default, map names checked where they are
written, sources required when enabled, and the sandbox configuration's section valid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crossdock.config import ConfigError, Settings, check_config, load_settings

ROOT = Path(__file__).resolve().parents[3]
ERP = {"url": "http://127.0.0.1:9200/api/inventory", "map": "sandbox_erp.inventory_positions"}
WMS = {"url": "http://127.0.0.1:9201/wms/v1/inventory", "map": "sandbox_wms.inventory_positions"}


def test_off_by_default() -> None:
    section = Settings().inventory_reconciliation
    assert section.enabled is False and section.erp is None
    assert section.compare == ["on_hand"] and section.source_name("wms") == "wms"


def test_a_valid_section() -> None:
    section = Settings.model_validate(
        {
            "inventory_reconciliation": {
                "enabled": True,
                "every_seconds": 60,
                "sites": ["DC-ATL"],
                "erp": ERP,
                "wms": {**WMS, "source": "wms-atl"},
            }
        }
    ).inventory_reconciliation
    assert section.every_seconds == 60 and section.source_name("wms") == "wms-atl"
    assert str(section.erp.url) == ERP["url"]  # type: ignore[union-attr]


def test_config_check_names_bad_values(tmp_path: Path) -> None:
    bad_map = {"enabled": True, "erp": {**ERP, "map": "sandbox_erp.inventory"}, "wms": WMS}
    with pytest.raises(ConfigError) as caught:
        path = tmp_path / "a.yaml"
        path.write_text(yaml.safe_dump({"inventory_reconciliation": bad_map}))
        load_settings(path, env={})
    text = str(caught.value)
    assert "inventory_reconciliation.erp.map" in text
    assert "unknown position map 'sandbox_erp.inventory'" in text
    assert "did you mean 'sandbox_erp.inventory_positions'" in text

    outbound = {"enabled": True, "erp": {**ERP, "map": "sandbox_erp.goods_receipt"}, "wms": WMS}
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump({"inventory_reconciliation": outbound}))
    assert "unknown position map" in str(check_config(path)[0])

    for section, where in (
        ({"enabled": True, "erp": ERP}, "needs wms"),
        ({"every_seconds": 0}, "every_seconds"),
        ({"compare": ["on_order"]}, "compare"),
        ({"erp": {**ERP, "url": "not a url"}}, "erp.url"),
        ({"erp": {**ERP, "timeout": -1}}, "erp.timeout"),
    ):
        path.write_text(yaml.safe_dump({"inventory_reconciliation": section}))
        problems = " ".join(str(p) for p in check_config(path))
        assert where in problems, (section, problems)


def test_the_sandbox_configuration_enables_it() -> None:
    settings = load_settings(ROOT / "crossdock.sandbox.yaml", env={})
    section = settings.inventory_reconciliation
    assert section.enabled and section.erp is not None and section.wms is not None
    assert str(section.erp.url).startswith("http://127.0.0.1:9200/")
    assert str(section.wms.url).startswith("http://127.0.0.1:9201/")

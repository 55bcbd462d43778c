"""docs/configuration.md documents every settings key with its type and default, and its
examples are valid configuration: the reference cannot drift from `crossdock.config`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crossdock.config import check_config
from tests.unit.config_reference import DOC, documented, keys, row

TEXT = DOC.read_text("utf-8")


def test_every_settings_key_has_a_row_with_its_type_and_default() -> None:
    rows = documented(TEXT)
    missing = [k for k in keys() if k.path not in rows]
    assert not missing, (
        "docs/configuration.md lacks these keys; add the rows (and write their meaning):\n"
        + "\n".join(row(k) for k in missing)
    )
    wrong = [
        f"{k.path}: the page says {rows[k.path][:2]}, the settings say {(k.type, k.default)}"
        for k in keys()
        if rows[k.path][:2] != (k.type, k.default)
    ]
    assert not wrong, "\n".join(wrong)


def test_every_row_names_a_settings_key_and_says_what_it_means() -> None:
    known = {k.path for k in keys()}
    rows = documented(TEXT)
    assert set(rows) - known == set(), "rows for keys the settings do not have"
    assert [path for path, (_t, _d, meaning) in rows.items() if not meaning] == []


@pytest.mark.parametrize(
    "block", re.findall(r"```yaml\n(.*?)```", TEXT, re.S), ids=lambda b: b.split(":")[0]
)
def test_the_examples_are_valid_configuration(block: str, tmp_path: Path) -> None:
    config = yaml.safe_load(block)
    if "routes" in config and "endpoints" not in config:
        config["endpoints"] = {"erp": {"type": "http", "url": "http://127.0.0.1:9/in"}}
    path = tmp_path / "crossdock.yaml"
    path.write_text(yaml.safe_dump(config))
    assert [str(p) for p in check_config(path)] == []

"""`crossdock partners ...` offline against the store: each partner's origin listed, the
registry's refusals as precise messages with a non-zero exit, onboarding to live."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.entrypoints.cli import app
from crossdock.x12.reader import read_transactions
from tests.conftest import EXAMPLES

Run = Callable[..., tuple[int, str]]
CONFIG = """\
partners:
  acme:
    x12: {id: ACMEX12}
"""


@pytest.fixture
def run(tmp_path: Path) -> Run:
    config = tmp_path / "crossdock.yaml"
    config.write_text(CONFIG)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*args, "--config", str(config), "--data-dir", str(tmp_path)])
        return result.exit_code, result.output

    return invoke


def test_create_list_show_and_update(run: Run, tmp_path: Path) -> None:
    code, out = run("partners", "create", "bolt", "--kind", "supplier", "--x12-id", "BOLTX12",
                    "--gln", "0614141000005", "--channel", "edi",
                    "--contact", "Ann Lee,ann@bolt.example,edi")  # fmt: skip
    assert (code, out.strip()) == (0, "partner bolt registered (supplier, draft)")

    code, out = run("partners", "list", "--json")
    rows = {r["name"]: (r["origin"], r["state"], r["x12_sender"]) for r in json.loads(out)}
    assert rows == {
        "acme": ("file", "live", "ZZ/ACMEX12"),
        "bolt": ("store", "draft", "ZZ/BOLTX12"),
    }
    code, table = run("partners", "list")
    assert code == 0 and "file" in table and "store" in table

    settings = tmp_path / "bolt.yaml"
    settings.write_text("x12: {id: BOLTX12, version: '00501', mapping: {'855': {}}}\n")
    assert run("partners", "update", "bolt", "--settings", str(settings))[0] == 0
    assert run("partners", "update", "bolt", "--display-name", "Bolt Inc.")[0] == 0
    code, out = run("partners", "show", "bolt")
    shown = json.loads(out)
    assert shown["x12"]["version"] == "00501" and shown["display_name"] == "Bolt Inc."
    assert shown["contacts"] == [{"name": "Ann Lee", "email": "ann@bolt.example", "role": "edi"}]
    assert shown["checklist_status"]["complete"] is False
    assert json.loads(run("partners", "show", "acme")[1])["origin"] == "file"


def test_refusals_are_precise_messages(run: Run) -> None:
    code, out = run("partners", "create", "acme", "--kind", "supplier")
    assert code == 1 and "defined in crossdock.yaml" in out
    code, out = run("partners", "create", "copy", "--kind", "carrier", "--x12-id", "acmex12")
    assert code == 1 and "ZZ/ACMEX12 belongs to partner 'acme'" in out
    code, out = run("partners", "create", "x", "--kind", "supplier", "--contact", "Ann,nope")
    assert code == 2 and "contacts.0.email" in out
    code, out = run("partners", "create", "x", "--kind", "wizard")
    assert code == 2 and "kind" in out
    code, out = run("partners", "show", "ghost")
    assert code == 1 and "no partner named 'ghost'" in out
    code, out = run("partners", "state", "acme", "flying")
    assert code == 2 and "unknown state" in out


def test_onboarding_to_live_and_suspension(run: Run) -> None:
    assert run("partners", "create", "bolt", "--kind", "supplier")[0] == 0
    code, out = run("partners", "state", "bolt", "live")
    assert code == 1 and "cannot go from draft to live" in out
    assert run("partners", "state", "bolt", "testing") == (0, "partner bolt is testing\n")
    code, out = run("partners", "go-live", "bolt")
    assert code == 1 and "purchase_order_acknowledgment, advance_ship_notice, invoice" in out
    code, out = run("partners", "go-live", "bolt", "--force")
    assert code == 1 and "needs a reason" in out
    assert run("partners", "go-live", "bolt", "--force", "--reason", "pilot")[0] == 0
    assert run("partners", "state", "bolt", "suspended", "--reason", "late")[0] == 0
    code, out = run("kpis", "--json")
    assert json.loads(out)["onboarding_duration"]["n"] == 1


def test_edi_render_finds_a_registered_partner(run: Run, tmp_path: Path) -> None:
    document = str(EXAMPLES / "purchase_order.json")
    unknown = run("edi", "render", "purchase_order", document, "--partner", "bolt")
    assert unknown[0] == 2 and "unknown partner 'bolt' (known: acme)" in unknown[1]
    assert not (tmp_path / "crossdock.db").exists()  # no store is created to look there
    run("partners", "create", "bolt", "--kind", "supplier", "--x12-id", "BOLTX12")
    code, out = run("edi", "render", "purchase_order", document, "--partner", "bolt")
    assert code == 0, out
    [transaction] = list(read_transactions(out))
    assert transaction.code == "850" and transaction.interchange.receiver_id.strip() == "BOLTX12"

"""`crossdock edi ...` on files: parse, validate (exit codes), ack, render."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdock.entrypoints.cli import app
from crossdock.x12.reader import read_transactions
from tests.conftest import CORPUS, EXAMPLES, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "x12"
runner = CliRunner()


@pytest.fixture
def valid_850(tmp_path: Path) -> Path:
    text = (FIXTURES / "850.edi").read_text()
    path = tmp_path / "po.x12"
    path.write_text(text)
    return path


def test_parse_shows_the_tree_and_json(valid_850: Path) -> None:
    result = runner.invoke(app, ["edi", "parse", str(valid_850)])
    assert result.exit_code == 0, result.output
    assert "ST 850 0001" in result.output and "GS PO 1" in result.output
    as_json = runner.invoke(app, ["edi", "parse", str(valid_850), "--json"])
    tree = json.loads(as_json.stdout)
    [transaction] = tree["interchanges"][0]["groups"][0]["transactions"]
    assert transaction["segments"][1][:4] == ["BEG", "00", "SA", "HP-PO-2024-018734"]


def test_validate_exit_codes_and_located_errors(valid_850: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["edi", "validate", str(valid_850)])
    assert ok.exit_code == 0, ok.output
    assert "valid (1 transaction sets, 0 errors" in ok.output
    broken = tmp_path / "broken.x12"
    broken.write_text(valid_850.read_text().replace("BEG*00*SA", "BEG*00*XQ"))
    # BEG02's code list is partial: 'XQ' is a warning, an error with --strict
    noted = runner.invoke(app, ["edi", "validate", str(broken)])
    assert noted.exit_code == 0, noted.output
    assert "0 errors, 2 warnings" in noted.output
    bad = runner.invoke(app, ["edi", "validate", str(broken), "--json", "--strict"])
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    [error] = [i for i in report["issues"] if i["severity"] == "error" and i["level"] == "element"]
    assert error["segment_id"] == "BEG" and error["element_position"] == 2
    assert error["code"] == "7" and error["transaction_control"] == "0001"
    garbage = tmp_path / "junk.x12"
    garbage.write_bytes(b"\x00\xffnot edi")
    assert runner.invoke(app, ["edi", "validate", str(garbage)]).exit_code == 1


def test_ack_prints_a_997_for_004010(valid_850: Path) -> None:
    result = runner.invoke(app, ["edi", "ack", str(valid_850), "--control", "42"])
    assert result.exit_code == 0, result.output
    assert "ST*997*0001~" in result.stdout and "AK9*A*1*1*1~" in result.stdout
    assert "*000000042*" in result.stdout
    as_999 = runner.invoke(app, ["edi", "ack", str(valid_850), "--kind", "999"])
    assert "ST*999*" in as_999.stdout and "IK5*A" in as_999.stdout


def test_codes_outside_partial_lists_validate_prints_them_ack_accepts_strict_rejects() -> None:
    sample = str(FIXTURES / "codes" / "850_codes_outside_lists.edi")
    checked = runner.invoke(app, ["edi", "validate", sample])
    assert checked.exit_code == 0, checked.output
    assert "'F8'" in checked.output and "partial code list" in checked.output
    ack = runner.invoke(app, ["edi", "ack", sample])
    assert ack.exit_code == 0, ack.output
    assert "AK2*850*0001~\nAK5*A~\nAK9*A*1*1*1~" in ack.output and "AK4" not in ack.output
    strict = runner.invoke(app, ["edi", "ack", sample, "--strict"])
    assert "AK4*1*128*7*F8~" in strict.output and "AK5*R*5~" in strict.output


def test_render_writes_an_interchange_the_reader_maps_back(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text("partners:\n  acme:\n    x12: {qualifier: ZZ, id: ACMESUPPLY, usage: T}\n")
    result = runner.invoke(
        app,
        [
            "edi",
            "render",
            "purchase_order",
            str(EXAMPLES / "purchase_order.json"),
            "--partner",
            "acme",
            "--config",
            str(config),
            "--control",
            "7",
        ],
    )
    assert result.exit_code == 0, result.output
    [transaction] = list(read_transactions(result.stdout))
    assert transaction.code == "850" and transaction.interchange.receiver_id.strip() == "ACMESUPPLY"
    assert transaction.interchange.usage == "T" and transaction.control_number == "0007"
    unknown = runner.invoke(
        app,
        [
            "edi",
            "render",
            "purchase_order",
            str(EXAMPLES / "purchase_order.json"),
            "--partner",
            "x",
            "--config",
            str(config),
        ],
    )
    assert unknown.exit_code == 2 and "unknown partner" in unknown.output


@pytest.mark.skipif(not (CORPUS / "x12").is_dir(), reason="shared corpus not present")
def test_validate_reports_the_corpus_control_number_mismatches() -> None:
    result = runner.invoke(
        app, ["edi", "validate", str(CORPUS / "x12" / "940_edieng_control_mismatch_INVALID.edi")]
    )
    assert result.exit_code == 1
    assert "SE02" in result.output and "GE02" in result.output and "IEA02" in result.output


def test_validate_and_ack_list_the_first_hundred_findings_of_a_set_and_count_the_rest(
    valid_850: Path, tmp_path: Path
) -> None:
    isa, gs = valid_850.read_text().splitlines(keepends=True)[:2]
    body = "ST*850*0001~BEG*00*SA*PO1**20240101~" + "MSG*x~" * 3000 + "SE*3003*0001~"
    junk = tmp_path / "junk.x12"
    junk.write_text(isa + gs + body + "GE*1*1~IEA*1*000000001~")
    text = runner.invoke(app, ["edi", "validate", str(junk)])
    assert text.exit_code == 1 and "(1 transaction sets, 3001 errors, 0 warnings)" in text.output
    report = json.loads(runner.invoke(app, ["edi", "validate", str(junk), "--json"]).stdout)
    assert len(report["issues"]) == 101 and report["issues"][-1]["omitted"] == 2901
    ack = runner.invoke(app, ["edi", "ack", str(junk)])
    assert ack.exit_code == 0 and ack.stdout.count("AK3*") == 100 and "AK5*R*5~" in ack.stdout

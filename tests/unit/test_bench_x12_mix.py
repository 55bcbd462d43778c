"""The bench's generated file "with the new sets mixed in": every examples/*_NNN.x12 set the
generator does not write joins it by itself, numbered and counted like the others."""

from __future__ import annotations

from pathlib import Path

from bench.x12_generate import example_sets, generate

from crossdock.x12 import reader
from crossdock.x12.model import Transaction
from tests.conftest import ROOT

FORECAST = ROOT / "tests" / "fixtures" / "x12" / "envelope" / "830_forecast.edi"


def test_example_sets_not_generated_are_mixed_in(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "purchase_order_850.x12").write_text(
        (ROOT / "examples" / "purchase_order_850.x12").read_text()
    )
    (examples / "purchase_order_850_invalid.x12").write_text("not a set")
    # the example's own delimiters ('!' components, no newlines) are rewritten
    (examples / "forecast_830.x12").write_text(
        FORECAST.read_text().replace("\n", "").replace("*>~", "*!~")
    )
    assert [s.template.code for s in example_sets(examples)] == ["830"]
    manifest = generate(tmp_path / "mixed.x12", 0.5, examples=examples)
    assert manifest.mixed == ["forecast_830.x12"] and manifest.by_type["830"] > 0
    seen: dict[str, int] = {}
    for event in reader.read(tmp_path / "mixed.x12"):
        if isinstance(event, Transaction):
            assert event.issues == [], event.issues
            seen[event.code] = seen.get(event.code, 0) + 1
            if event.code == "830":
                assert event.group.functional_id == "PS" and event.group.version == "004010"
    assert seen == {k: v for k, v in manifest.by_type.items() if v}


def test_without_examples_the_file_is_the_one_it_always_was(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain.x12", 0.3)
    again = generate(tmp_path / "again.x12", 0.3, examples=tmp_path)  # no *_NNN.x12 there
    assert (tmp_path / "plain.x12").read_bytes() == (tmp_path / "again.x12").read_bytes()
    assert plain.mixed == again.mixed == []

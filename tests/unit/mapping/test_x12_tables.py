"""The complete segment tables meet the maps: the mapped mark, and unused segments left alone.

``STRUCTURE`` lines ending in ``*`` mark the segments a set's built-in map reads; the mark is
checked against the map data here so it cannot drift. The ``tables`` fixtures add standard
segments no map reads (tests/fixtures/x12/tables/README.md): mapping them must give the same
canonical document as the golden file without them, in 004010 and 005010.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from crossdock.mapping.x12 import X12Mapper
from crossdock.mapping.x12.maps import BUILTIN_MAPS
from crossdock.mapping.x12.read import read_segments
from crossdock.x12.specs import spec_for
from tests.unit.mapping.x12_support import FIXTURES, only

TABLES = FIXTURES / "tables"
SETS = ("850", "855", "856", "810", "940", "945", "944", "846", "214")


def map_tags(rules: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every segment tag the map data reads, children included."""
    found: set[str] = set()
    for rule in rules:
        found.add(str(rule["tag"]))
        found |= map_tags(rule.get("children", ()))
    return found


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize(
    "key", sorted(k for k in BUILTIN_MAPS if spec_for(k[0], "004010") is not None)
)
def test_marked_segments_are_the_ones_the_map_reads(key: tuple[str, str], version: str) -> None:
    spec = spec_for(key[0], version)
    assert spec is not None

    assert spec.mapped_segment_ids() == map_tags(BUILTIN_MAPS[key]["segments"])


def test_every_set_with_a_builtin_map_has_a_spec() -> None:
    """So the mark test above covers every built-in map."""
    assert all(spec_for(code, "004010") is not None for code, _ in BUILTIN_MAPS)


@pytest.fixture(scope="module")
def mapper() -> X12Mapper:
    return X12Mapper()


def _as_version(text: str, version: str) -> str:
    if version == "004010":
        return text
    return text.replace("*U*00401*", "*^*00501*").replace("*X*004010~", "*X*005010~")


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize("code", SETS)
def test_unused_standard_segments_leave_the_canonical_document_unchanged(
    mapper: X12Mapper, code: str, version: str
) -> None:
    golden = mapper.to_canonical(only(_as_version((FIXTURES / f"{code}.edi").read_text(), version)))
    full_tx = only(_as_version((TABLES / f"{code}_full.edi").read_text(), version))
    full = mapper.to_canonical(full_tx)

    assert full.errors == ()
    assert golden.document is not None and full.document is not None
    produced = full.document.model_dump(mode="json", exclude_none=True)
    assert produced == golden.document.model_dump(mode="json", exclude_none=True)
    if version == "004010":
        assert produced == json.loads((FIXTURES / f"{code}.json").read_text())
    # the segments no map reads are still there, in the raw set the message keeps
    assert len(full_tx.segments) > len(only((FIXTURES / f"{code}.edi").read_text()).segments)


def test_the_generic_reader_agrees_with_the_generated_one(mapper: X12Mapper) -> None:
    """The error path (read_segments with a trace) skips the same segments as the fast one."""
    for code in SETS:
        tx = only((TABLES / f"{code}_full.edi").read_text())
        compiled = mapper.compiled(code)
        assert compiled is not None
        data, errors = read_segments(compiled, tx.segments, {})
        assert errors == []
        fast = mapper.to_canonical(tx)
        assert fast.document is not None
        golden = only((FIXTURES / f"{code}.edi").read_text())
        base, _ = read_segments(compiled, golden.segments, {})
        assert data == base, code

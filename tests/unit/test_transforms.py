"""Outbound transforms: canonical, envelope and fields, and the path lookup they share."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pydantic import BaseModel

from crossdock.mapping.transforms import (
    TRANSFORMS,
    EnvelopeInfo,
    TransformError,
    apply_transform,
    lookup,
    path_problem,
)
from tests.conftest import EXAMPLES

CANONICAL = orjson.dumps(orjson.loads((EXAMPLES / "purchase_order.json").read_bytes()))
INFO = EnvelopeInfo(
    message_id="01HMSG",
    document_type="purchase_order",
    schema_version=1,
    source="erp",
    correlation_key="HP-PO-2024-018734",
    received_at="2024-11-04T19:32:10+00:00",
)
DOC: dict[str, Any] = {
    "po_number": "PO-1",
    "lines": [
        {"item": {"sku": "A-1"}, "quantity": {"value": "3"}},
        {"item": {"sku": "B-2"}, "quantity": {"value": "5"}},
    ],
    "notes": ["first", "second"],
    "flag": False,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("po_number", "PO-1"),
        ("lines[0].item.sku", "A-1"),
        ("lines[1].quantity.value", "5"),
        ("lines.1.item.sku", "B-2"),
        ("notes[1]", "second"),
        ("flag", False),
        ("lines[0].item", {"sku": "A-1"}),
    ],
)
def test_lookup_follows_dotted_and_indexed_paths(path: str, expected: Any) -> None:
    assert lookup(DOC, path) == expected


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("po_nummer", "po_nummer"),
        ("lines[2].item.sku", "'2'"),
        ("lines[x]", "'x'"),
        ("lines[0].item.gtin", "'gtin'"),
        ("po_number.value", "below a scalar"),
    ],
)
def test_lookup_names_the_missing_step(path: str, names: str) -> None:
    with pytest.raises(KeyError) as info:
        lookup(DOC, path)
    message = info.value.args[0]
    assert message.startswith(path)
    assert names in message


def test_canonical_transform_passes_the_document_through() -> None:
    content_type, body = apply_transform("canonical", CANONICAL, INFO)
    assert content_type == "application/json"
    assert body == CANONICAL


def test_envelope_transform_wraps_the_document_with_hub_metadata() -> None:
    content_type, body = apply_transform("envelope", CANONICAL, INFO)
    assert content_type == "application/json"
    parsed = orjson.loads(body)
    assert parsed == {
        "message_id": "01HMSG",
        "document_type": "purchase_order",
        "schema_version": 1,
        "source": "erp",
        "correlation_key": "HP-PO-2024-018734",
        "received_at": "2024-11-04T19:32:10+00:00",
        "document": orjson.loads(CANONICAL),
    }


def test_fields_transform_builds_a_flat_object_in_the_given_order() -> None:
    fields = {
        "order": "po_number",
        "first_sku": "lines[0].item.sku",
        "second_qty": "lines[1].quantity.value",
        "city": "ship_to.address.city",
    }
    content_type, body = apply_transform("fields", CANONICAL, INFO, fields)
    assert content_type == "application/json"
    parsed = orjson.loads(body)
    assert parsed == {
        "order": "HP-PO-2024-018734",
        "first_sku": "HP-100231",
        "second_qty": "80",
        "city": "Atlanta",
    }
    assert list(parsed) == list(fields)


def test_fields_transform_without_fields_is_an_empty_object() -> None:
    assert apply_transform("fields", CANONICAL, INFO)[1] == b"{}"
    assert apply_transform("fields", CANONICAL, INFO, {})[1] == b"{}"


@pytest.mark.parametrize("path", ["lines[9].item.sku", "buyer.fax", "po_number.x"])
def test_fields_transform_fails_on_a_missing_path(path: str) -> None:
    with pytest.raises(TransformError) as info:
        apply_transform("fields", CANONICAL, INFO, {"ok": "po_number", "bad": path})
    assert path in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_transform_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(TransformError) as info:
        apply_transform("xml", CANONICAL, INFO)
    text = str(info.value)
    assert "'xml'" in text
    for name in TRANSFORMS:
        assert name in text


# --- path_problem: a path checked against a model, the way `lookup` reads a document -------


class _Leaf(BaseModel):
    sku: str


class _Doc(BaseModel):
    number: str
    lines: list[_Leaf]
    maybe: _Leaf | None = None
    extra: dict[str, Any] = {}
    anything: Any = None


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("number", None),
        ("lines[3].sku", None),
        ("maybe.sku", None),  # optional: a document may lack it, only the document tells
        ("extra.whatever.below", None),  # free-form below a dict
        ("anything.at.all", None),
        ("lines.sku", "lines is a list, 'sku' is not an index (write lines[0])"),
        ("lines[0].skus", "lines[0] has no field 'skus' (did you mean 'sku'?)"),
        ("number.first", "number is a single value, it has no 'first'"),
        ("colour", "_Doc has no field 'colour' (known: anything, extra, lines, maybe, number)"),
    ],
)
def test_path_problem_follows_the_model_like_lookup_follows_a_document(
    path: str, problem: str | None
) -> None:
    found = path_problem(_Doc, path)
    assert found == (None if problem is None else f"{path}: {problem}")

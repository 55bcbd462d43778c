"""JSON Schema export: one file per document type, and every example satisfies its schema.

``jsonschema`` is not a dependency, so a small checker below covers the keywords pydantic emits
for these models (and fails loudly on any keyword it does not know, rather than passing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from crossdock.canonical.registry import document_types
from crossdock.canonical.schema import export_schemas

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TYPES = sorted(document_types())

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
# Assertion keywords only apply to instances of their type (draft 2020-12 validation vocabulary).
_ONLY_FOR: dict[str, tuple[type, ...]] = {
    "pattern": (str,),
    "minLength": (str,),
    "maxLength": (str,),
    "minItems": (list,),
    "maxItems": (list,),
    "minimum": (int, float),
    "maximum": (int, float),
    "required": (dict,),
    "properties": (dict,),
    "additionalProperties": (dict,),
    "items": (list,),
}
_ANNOTATIONS = {"title", "description", "default", "format", "examples", "$schema", "$id"}


def check(instance: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> None:
    """Raise AssertionError, naming the JSON path, when ``instance`` violates ``schema``."""
    for keyword, rule in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword == "$defs":
            continue
        if keyword == "$ref":
            check(instance, root["$defs"][rule.removeprefix("#/$defs/")], root, path)
        elif keyword == "anyOf":
            failures = []
            for option in rule:
                try:
                    check(instance, option, root, path)
                    break
                except AssertionError as error:
                    failures.append(str(error))
            else:
                raise AssertionError(f"{path}: no anyOf option matched: {failures}")
        elif keyword == "type":
            is_bool = isinstance(instance, bool)
            ok = isinstance(instance, _JSON_TYPES[rule]) and (rule == "boolean") == is_bool
            assert ok, f"{path}: {instance!r} is not of type {rule}"
        elif keyword == "enum":
            assert instance in rule, f"{path}: {instance!r} not in {rule}"
        elif keyword == "const":
            assert instance == rule, f"{path}: {instance!r} != {rule!r}"
        elif keyword in _ONLY_FOR and not isinstance(instance, _ONLY_FOR[keyword]):
            continue  # JSON Schema: e.g. "minimum" says nothing about a string
        elif keyword == "pattern":
            assert re.search(rule, instance), f"{path}: {instance!r} !~ {rule}"
        elif keyword in ("minLength", "minItems"):
            assert len(instance) >= rule, f"{path}: shorter than {rule}"
        elif keyword in ("maxLength", "maxItems"):
            assert len(instance) <= rule, f"{path}: longer than {rule}"
        elif keyword == "minimum":
            assert instance >= rule, f"{path}: below {rule}"
        elif keyword == "maximum":
            assert instance <= rule, f"{path}: above {rule}"
        elif keyword == "required":
            missing = [name for name in rule if name not in instance]
            assert not missing, f"{path}: missing {missing}"
        elif keyword == "properties":
            for name, value in instance.items():
                if name in rule:
                    check(value, rule[name], root, f"{path}.{name}")
        elif keyword == "additionalProperties":
            extra = set(instance) - set(schema.get("properties", {}))
            assert rule is not False or not extra, f"{path}: unexpected {sorted(extra)}"
        elif keyword == "items":
            for index, value in enumerate(instance):
                check(value, rule, root, f"{path}[{index}]")
        else:
            raise NotImplementedError(f"schema keyword {keyword!r} at {path}")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("schemas") / "nested"
    paths = export_schemas(directory)
    assert [p.name for p in paths] == [f"{name}.schema.json" for name in TYPES]
    assert sorted(directory.iterdir()) == paths
    return {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in paths}


def test_export_is_repeatable(tmp_path: Path) -> None:
    first = [p.read_text() for p in export_schemas(tmp_path)]
    second = [p.read_text() for p in export_schemas(tmp_path)]
    assert first == second


@pytest.mark.parametrize("name", TYPES)
def test_schema_header_names_type_and_version(
    name: str, exported: dict[str, dict[str, Any]]
) -> None:
    schema = exported[name]
    version = 2 if name == "stock_movement" else 1  # stock_movement v2 added putaway
    assert schema["$id"] == f"urn:crossdock:schema:{name}:v{version}"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["x-document-type"] == name
    assert schema["x-schema-version"] == version
    assert name in schema["title"] and f"v{version}" in schema["title"]


@pytest.mark.parametrize("name", TYPES)
def test_schema_properties_and_required_match_the_model(
    name: str, exported: dict[str, dict[str, Any]]
) -> None:
    model = document_types()[name]
    schema = exported[name]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(model.model_fields)
    required = {field for field, info in model.model_fields.items() if info.is_required()}
    assert set(schema["required"]) == required


@pytest.mark.parametrize("name", TYPES)
def test_every_example_satisfies_its_exported_schema(
    name: str, exported: dict[str, dict[str, Any]]
) -> None:
    schema = exported[name]
    check(json.loads((EXAMPLES / f"{name}.json").read_text()), schema, schema)


def test_the_checker_does_catch_violations(exported: dict[str, dict[str, Any]]) -> None:
    schema = exported["purchase_order"]
    document = json.loads((EXAMPLES / "purchase_order.json").read_text())
    document["lines"][0]["surprise"] = True
    with pytest.raises(AssertionError, match=r"lines\[0\]: unexpected \['surprise'\]"):
        check(document, schema, schema)
    del document["lines"][0]["surprise"]
    document["currency"] = "usd"
    with pytest.raises(AssertionError, match=r"\$\.currency"):
        check(document, schema, schema)

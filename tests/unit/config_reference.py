"""Every key of the configuration, walked from the pydantic settings: the rows that
docs/configuration.md must have (path, type, default), so the reference cannot drift.

`python -m tests.unit.config_reference` prints the rows the page lacks, ready to paste into
it (meaning left to write).
"""

from __future__ import annotations

import enum
import re
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, HttpUrl, SecretStr
from pydantic_core import PydanticUndefined

from crossdock.config import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
_CELL = re.compile(r"(?<!\\)\|")  # a cell border: a pipe that is not escaped


@dataclass(frozen=True)
class Key:
    path: str
    type: str
    default: str
    description: str


def _strip(annotation: Any) -> Any:
    """The annotation without `Annotated[...]` metadata."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _union(annotation: Any) -> list[Any] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return [_strip(a) for a in typing.get_args(annotation)]
    return None


def type_name(annotation: Any) -> str:
    annotation = _strip(annotation)
    members = _union(annotation)
    if members is not None:
        named = list(dict.fromkeys(type_name(a) for a in members if a is not type(None)))
        optional = type(None) in members
        text = " or ".join(named)
        return f"{text}, optional" if optional else text
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(str(v) for v in typing.get_args(annotation))
    if origin in (list, tuple, set, frozenset):
        return f"list of {type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"map {type_name(key)} → {type_name(value)}"
    simple = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path",
              Decimal: "decimal", HttpUrl: "URL", SecretStr: "secret", Any: "any"}  # fmt: skip
    if annotation in simple:
        return simple[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(str(m.value) for m in annotation)
    return getattr(annotation, "__name__", str(annotation)).replace("JsonValue", "any")


def default_text(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, BaseModel):
        return "—"
    if value is None:
        return "unset"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {getattr(v, 'value', v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(getattr(v, "value", v)) for v in value)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _models(annotation: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """The sections inside a field's type, with the path suffix that reaches them."""
    annotation = _strip(annotation)
    members = _union(annotation)
    if members is not None:
        for member in members:
            yield from _models(member)
        return
    origin = typing.get_origin(annotation)
    if origin is dict:
        for suffix, model in _models(typing.get_args(annotation)[1]):
            yield f".<name>{suffix}", model
    elif origin in (list, tuple):
        for suffix, model in _models(typing.get_args(annotation)[0]):
            yield f"[]{suffix}", model
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield "", annotation


def keys(model: type[BaseModel] = Settings) -> list[Key]:
    """Every key under `model`, depth first. A section type met a second time (the same
    tolerances per partner, the same signature for systems) is listed by its own path only:
    its row says where its keys are described."""
    found: dict[str, Key] = {}
    seen: dict[type[BaseModel], str] = {}

    def walk(section: type[BaseModel], prefix: str) -> None:
        for name, field in section.model_fields.items():
            path = f"{prefix}.{name}" if prefix else name
            key = Key(
                path, type_name(field.annotation), default_text(field), field.description or ""
            )
            if path in found and found[path].type != key.type:  # a union of sections
                key = Key(path, f"{found[path].type} \\| {key.type}", key.default, key.description)
            found[path] = (
                found.get(path, key) if path in found and found[path].type == key.type else key
            )
            for suffix, inner in _models(field.annotation):
                if inner in seen and seen[inner] != path + suffix:
                    continue
                seen[inner] = path + suffix
                walk(inner, path + suffix)

    walk(model, "")
    return list(found.values())


def documented(text: str) -> dict[str, tuple[str, str, str]]:
    """Rows of the page: path -> (type, default, meaning), cells stripped."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in _CELL.split(line.strip())]
        if len(cells) == 6 and cells[0] == cells[5] == "" and cells[1].startswith("`"):
            path, kind, default, meaning = cells[1:5]
            rows[path.strip("`")] = (kind, default.strip("`"), meaning)
    return rows


def row(key: Key) -> str:
    return f"| `{key.path}` | {key.type} | `{key.default}` | {key.description} |"


if __name__ == "__main__":
    have = documented(DOC.read_text("utf-8")) if DOC.exists() else {}
    missing = [k for k in keys() if k.path not in have]
    sys.stdout.write(
        "".join(row(k) + "\n" for k in (missing if "--all" not in sys.argv else keys()))
    )

"""Outbound transforms named in routes: canonical JSON in, the receiver's body out.

- ``canonical``: the canonical document as is.
- ``envelope``: the document wrapped with the hub's metadata, for receivers that want to know
  where and when it came from without reading headers.
- ``fields``: a flat JSON object built from dotted paths, for receivers with their own names.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

TRANSFORMS = ("canonical", "envelope", "fields")


class TransformError(ValueError):
    """The document lacks what the transform needs; permanent for this message."""


@dataclass(slots=True, frozen=True)
class EnvelopeInfo:
    message_id: str
    document_type: str
    schema_version: int
    source: str
    correlation_key: str
    received_at: str


def path_parts(path: str) -> list[str]:
    """'lines[0].item.sku' -> ['lines', '0', 'item', 'sku'] (how `lookup` reads a path)."""
    return [part for part in path.replace("]", "").replace("[", ".").split(".") if part]


def lookup(document: Any, path: str) -> Any:
    """Follow 'lines[0].item.sku' through dicts and lists; KeyError names the missing step."""
    current = document
    for part in path_parts(path):
        if isinstance(current, list):
            try:
                current = current[int(part)]
            except (ValueError, IndexError) as exc:
                raise KeyError(f"{path}: no element {part!r}") from exc
        elif isinstance(current, dict):
            if part not in current:
                raise KeyError(f"{path}: no field {part!r}")
            current = current[part]
        else:
            raise KeyError(f"{path}: {part!r} is below a scalar")
    return current


def apply_transform(
    name: str, canonical: bytes, info: EnvelopeInfo, fields: Mapping[str, str] | None = None
) -> tuple[str, bytes]:
    """Returns (content type, body) for the receiver."""
    if name == "canonical":
        return "application/json", canonical
    if name == "envelope":
        body = orjson.dumps(
            {
                "message_id": info.message_id,
                "document_type": info.document_type,
                "schema_version": info.schema_version,
                "source": info.source,
                "correlation_key": info.correlation_key,
                "received_at": info.received_at,
                "document": orjson.Fragment(canonical),
            }
        )
        return "application/json", body
    if name == "fields":
        document = orjson.loads(canonical)
        try:
            out = {target: lookup(document, source) for target, source in (fields or {}).items()}
        except KeyError as exc:
            raise TransformError(str(exc.args[0])) from exc
        return "application/json", orjson.dumps(out)
    raise TransformError(f"unknown transform {name!r} (known: {', '.join(TRANSFORMS)})")


def path_problem(model: type[BaseModel], path: str) -> str | None:
    """Why `path` can never name a value in documents of `model` (None: it can).

    Walks the model's field types the way `lookup` walks a document: a name picks a field of
    a model, a number an element of a list. Below a free-form value (a dict, `Any`) anything
    goes. Optional fields are fine: a document may lack one, which only the document tells.
    """
    parts = path_parts(path)
    if not parts:
        return f"empty path {path!r}"
    current: list[Any] = [model]
    for depth, part in enumerate(parts):
        found: list[Any] = []
        names: list[str] = []
        below_scalar = True
        for candidate in (b for t in current for b in _branches(t)):
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                below_scalar = False
                names.extend(candidate.model_fields)
                if part in candidate.model_fields:
                    found.append(candidate.model_fields[part].annotation)
            elif origin in (list, tuple, set, frozenset):
                below_scalar = False
                if part.isdigit():
                    found.extend(typing.get_args(candidate)[:1] or [Any])
            elif candidate is Any or origin in (dict, Mapping) or candidate is dict:
                return None  # free-form below here
        if not found:
            at = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts[:depth]).lstrip(".")
            at = at or model.__name__
            if below_scalar:
                return f"{path}: {at} is a single value, it has no {part!r}"
            if not names:
                return f"{path}: {at} is a list, {part!r} is not an index (write {at}[0])"
            close = difflib.get_close_matches(part, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(names))}"
            return f"{path}: {at} has no field {part!r} ({hint})"
        current = found
    return None


def _branches(annotation: Any) -> list[Any]:
    """The alternatives of an annotation: Optional / unions split, Annotated unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _branches(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [b for arg in typing.get_args(annotation) for b in _branches(arg)]
    return [annotation]

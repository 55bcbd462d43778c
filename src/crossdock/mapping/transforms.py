"""Outbound transforms named in routes: canonical JSON in, the receiver's body out.

- ``canonical``: the canonical document as is.
- ``envelope``: the document wrapped with the hub's metadata, for receivers that want to know
  where and when it came from without reading headers.
- ``fields``: a flat JSON object built from dotted paths, for receivers with their own names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

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


def lookup(document: Any, path: str) -> Any:
    """Follow 'lines[0].item.sku' through dicts and lists; KeyError names the missing step."""
    current = document
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part == "":
            continue
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

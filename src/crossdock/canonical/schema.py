"""JSON Schema export: one ``<document_type>.schema.json`` per registered document type.

Partners and the console read these to know what the hub accepts; the ``$id`` embeds the type
and schema version so a stored schema can never be mistaken for another version's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.registry import document_types

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_BASE = "urn:crossdock:schema"


def schema_id(document_type: str, version: int) -> str:
    """The ``$id`` of a document type's schema, e.g. ``urn:crossdock:schema:invoice:v1``."""
    return f"{SCHEMA_ID_BASE}:{document_type}:v{version}"


def document_schema(model: type[CanonicalDocument]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a document type's JSON must satisfy on intake."""
    schema = model.model_json_schema(mode="validation")
    header: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_id(model.document_type, model.schema_version),
        "title": f"{model.__name__} (crossdock {model.document_type} v{model.schema_version})",
        "x-document-type": model.document_type,
        "x-schema-version": model.schema_version,
    }
    schema.pop("title", None)
    return {**header, **schema}


def export_schemas(directory: Path) -> list[Path]:
    """Write ``<document_type>.schema.json`` for every registered type into ``directory``.

    The directory is created if missing and existing files are overwritten, so exporting is
    repeatable. Output is sorted and indented so that schema changes show up as small diffs.

    Returns:
        The written paths, sorted by document type.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, model in sorted(document_types().items()):
        path = directory / f"{name}.schema.json"
        text = json.dumps(document_schema(model), indent=2, sort_keys=True, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written

"""The archive's line format: one JSON object per message or flow instance, bytes in base64.

A message line holds every column of the message (``raw`` and ``canonical`` as
``raw_b64`` / ``canonical_b64``), its deliveries and each delivery's attempt rows (``delivery_attempts``), so an archive
answers "what did we receive and where did it go" without the store. `message_from_line`
gives back exactly what `message_line` was given.
"""

from __future__ import annotations

import base64
from typing import Any

from crossdock.hub.retention.model import FlowRecord, MessageRecord

FORMAT = 1
_BYTES = ("raw", "canonical")


def message_line(record: MessageRecord) -> dict[str, Any]:
    line: dict[str, Any] = {"kind": "message", "format": FORMAT}
    for name, value in record.items():
        if name in _BYTES:
            line[f"{name}_b64"] = None if value is None else base64.b64encode(value).decode()
        else:
            line[name] = value
    return line


def message_from_line(line: dict[str, Any]) -> MessageRecord:
    if line.get("kind") != "message":
        raise ValueError(f"not a message line: kind {line.get('kind')!r}")
    record: MessageRecord = {}
    for name, value in line.items():
        if name in ("kind", "format"):
            continue
        if name.endswith("_b64") and name[:-4] in _BYTES:
            record[name[:-4]] = None if value is None else base64.b64decode(value)
        else:
            record[name] = value
    return record


def flow_line(record: FlowRecord) -> dict[str, Any]:
    return {"kind": "flow", "format": FORMAT, **record}

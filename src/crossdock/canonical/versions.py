"""Schema versions of canonical documents: upcasters to read old documents, downcasters for
consumers pinned to an older version.

Every recorded message keeps the `schema_version` it was validated under. A document's model
always describes the newest version; a stored document of an older version is read through
its upcasters (`upcast_v1_to_v2` next to the model, registered here by `upcaster`), one step
at a time, so consumers only ever see the current shape. A consumer that cannot take the
newest shape pins a version (a route's ``deliver.schema_version``) and gets the document
through the downcasters, which say how a newer document reads in the older shape.

Both directions work on JSON data (what the log stores), never on models: an old document
may not validate under the new model until it is upcast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Step = Callable[[dict[str, Any]], dict[str, Any]]

_UP: dict[tuple[str, int], Step] = {}
_DOWN: dict[tuple[str, int], Step] = {}


class VersionError(ValueError):
    """No path between two versions of a document type (a version never defined)."""


def upcaster(document_type: str, from_version: int) -> Callable[[Step], Step]:
    """Register `fn` as the step from `from_version` to `from_version + 1`."""

    def register(fn: Step) -> Step:
        _UP[(document_type, from_version)] = fn
        return fn

    return register


def downcaster(document_type: str, from_version: int) -> Callable[[Step], Step]:
    """Register `fn` as the step from `from_version` to `from_version - 1`."""

    def register(fn: Step) -> Step:
        _DOWN[(document_type, from_version)] = fn
        return fn

    return register


def current_version(document_type: str) -> int:
    from crossdock.canonical.registry import document_model

    model = document_model(document_type)
    return 1 if model is None else model.schema_version


def convert(
    document_type: str, data: dict[str, Any], from_version: int, to_version: int
) -> dict[str, Any]:
    """`data` (a document of `from_version`) in the shape of `to_version`, step by step.

    Types with no registered steps between the two versions are returned as they are only
    when the versions are equal; a missing step is a `VersionError` (never a silent pass of
    a shape the reader does not expect).
    """
    current_version(document_type)  # loads the models, which register their steps
    version = from_version
    while version < to_version:
        step = _UP.get((document_type, version))
        if step is None:
            raise VersionError(f"no upcaster for {document_type} v{version} -> v{version + 1}")
        data, version = step(dict(data)), version + 1
    while version > to_version:
        step = _DOWN.get((document_type, version))
        if step is None:
            raise VersionError(f"no downcaster for {document_type} v{version} -> v{version - 1}")
        data, version = step(dict(data)), version - 1
    return data


def reachable(document_type: str, from_version: int, to_version: int) -> bool:
    """Whether `convert` has every step between the two versions."""
    current_version(document_type)
    low, high = sorted((from_version, to_version))
    steps = _UP if from_version < to_version else _DOWN
    start = low if from_version < to_version else high
    return all(
        (document_type, start + k if steps is _UP else start - k) in steps
        for k in range(high - low)
    )


def upcast(document_type: str, data: dict[str, Any], from_version: int) -> dict[str, Any]:
    """A stored document in its type's current shape (a no-op for current documents)."""
    target = current_version(document_type)
    if from_version in (0, target):  # 0: a rejected message, nothing to convert
        return data
    return convert(document_type, data, from_version, target)

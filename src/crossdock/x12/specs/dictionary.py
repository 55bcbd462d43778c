"""The shared X12 dictionary, assembled from the base tables and each family's additions.

The base tables (``segments``, ``elements``, ``code_lists``) carry what the first sets
needed; a family of transaction sets (PO change, transport, finance and catalog…) adds the
segments, composites, elements and code lists only it uses in a module of its own, listed in
``EXTENSIONS``. Such a module may define any of ``SEGMENTS_4010``, ``SEGMENTS_5010`` (5010
shapes that differ), ``COMPOSITES``, ``ELEMENTS`` (``{ref: (type, min, max)}``, both versions)
and ``CODE_LISTS``. Its code lists are subsets unless it also names them in ``FULL_LISTS`` (a
set of list names): a code outside a subset is a warning, outside a full list an error (see
``code_lists``). An id defined twice must be defined the same way: two families that
disagree on a segment's shape would validate one of them wrongly, so assembly refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any, TypeVar

from crossdock.x12.specs import (
    code_lists,
    elements,
    finance_dictionary,
    pochange_dictionary,
    segments,
    table_segments,
    transport_dictionary,
)

#: Modules adding dictionary entries (see the module docstring); one line per family.
EXTENSIONS: tuple[ModuleType, ...] = (
    transport_dictionary,
    pochange_dictionary,
    finance_dictionary,
)

V = TypeVar("V")


class DictionaryConflict(ValueError):
    """Two tables define one X12 dictionary entry differently."""


def merged(kind: str, base: Mapping[str, V], *additions: Mapping[str, V]) -> dict[str, V]:
    """``base`` plus every addition; an entry defined again must be identical."""
    out = dict(base)
    for table in additions:
        for key, value in table.items():
            if key in out and out[key] != value:
                raise DictionaryConflict(
                    f"{kind} {key!r} is defined twice, differently: {out[key]!r} and {value!r}"
                )
            out[key] = value
    return out


def _tables(name: str) -> list[Any]:
    return [getattr(m, name) for m in EXTENSIONS if hasattr(m, name)]


def _changed(later: Mapping[str, V], earlier: Mapping[str, V]) -> dict[str, V]:
    """The entries of ``later`` that are new or differ from ``earlier``."""
    return {key: value for key, value in later.items() if earlier.get(key) != value}


_EXTRA_ELEMENTS = _tables("ELEMENTS")
_EXTRA_4010 = _tables("SEGMENTS_4010")

SEGMENTS_4010: dict[str, tuple[str, str]] = merged("segment", segments.SEGMENTS_4010, *_EXTRA_4010)
# The complete tables' permissive entries fill in only what no table above defines: a family
# that spells one of those segments exactly wins, without a conflict.
for _id, _entry in table_segments.TABLE_SEGMENTS.items():
    SEGMENTS_4010.setdefault(_id, _entry)
SEGMENTS_5010: dict[str, tuple[str, str]] = {
    **SEGMENTS_4010,
    **merged(
        "005010 segment",
        _changed(segments.SEGMENTS_5010, segments.SEGMENTS_4010),
        *_tables("SEGMENTS_5010"),
    ),
}
COMPOSITES: dict[str, str] = merged("composite", segments.COMPOSITES, *_tables("COMPOSITES"))
ELEMENTS_4010: dict[str, tuple[str, int, int]] = merged(
    "element", elements.ELEMENTS_4010, *_EXTRA_ELEMENTS
)
for _ref, _kind in elements.TABLE_ELEMENTS.items():
    ELEMENTS_4010.setdefault(_ref, _kind)
ELEMENTS_5010: dict[str, tuple[str, int, int]] = {
    **ELEMENTS_4010,
    **_changed(elements.ELEMENTS_5010, elements.ELEMENTS_4010),
}
CODE_LISTS: dict[str, frozenset[str]] = merged(
    "code list", code_lists.CODE_LISTS, *_tables("CODE_LISTS")
)
#: Code lists that are the standard's complete list for their element; all others are subsets.
FULL_CODE_LISTS: frozenset[str] = code_lists.FULL_LISTS.union(*_tables("FULL_LISTS"))
OTHER_X12_SEGMENTS: frozenset[str] = segments.OTHER_X12_SEGMENTS

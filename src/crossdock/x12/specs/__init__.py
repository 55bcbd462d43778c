"""Declarative X12 transaction-set specs for 004010 and 005010, and the lookup that finds one.

Each ``tsNNN`` module holds one transaction structure as data; the segment, composite, element
and code-list dictionaries are shared. Specs are assembled lazily and cached, because the hub
only pays for the sets it actually receives.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from crossdock.x12.spec_model import (
    HierarchySpec,
    TransactionSpec,
    parse_composites,
    parse_segments,
    parse_structure,
)
from crossdock.x12.specs import (
    ts214,
    ts810,
    ts846,
    ts850,
    ts855,
    ts856,
    ts940,
    ts944,
    ts945,
    ts997,
    ts999,
)
from crossdock.x12.specs.dictionary import (
    CODE_LISTS,
    COMPOSITES,
    ELEMENTS_4010,
    ELEMENTS_5010,
    OTHER_X12_SEGMENTS,
    SEGMENTS_4010,
    SEGMENTS_5010,
)

SUPPORTED_VERSIONS: tuple[str, ...] = ("004010", "005010")

#: One line per transaction set module; a new set adds its module here (and its dictionary
#: additions to ``dictionary.EXTENSIONS``).
_SET_MODULES: tuple[ModuleType, ...] = (
    ts850,
    ts855,
    ts856,
    ts810,
    ts940,
    ts945,
    ts944,
    ts846,
    ts214,
    ts997,
    ts999,
)
_MODULES: dict[str, ModuleType] = {m.CODE: m for m in _SET_MODULES}
# 999 exists only from 005010 on: a 004xxx group carrying one is validated against 005010.
_ONLY_5010 = frozenset({"999"})


def supported_codes() -> tuple[str, ...]:
    """Transaction set codes that have a spec."""
    return tuple(sorted(_MODULES))


def base_version(version: str) -> tuple[str | None, bool]:
    """Map a GS08 value to the supported base version, and whether the match is exact.

    '004010', '004010VICS' -> ('004010', True); '004060', '003010' -> ('004010', False);
    '005010X230' -> ('005010', True); '006020' -> ('005010', False); garbage -> (None, False).
    The first six characters name the release; what follows is an industry/implementation
    identifier that does not change the base syntax.
    """
    release = version.strip()[:6]
    if len(release) != 6 or not release.isdigit():
        return None, False
    if release in SUPPORTED_VERSIONS:
        return release, True
    major = int(release[:3])
    if major <= 4:
        return "004010", False
    return "005010", False


def spec_for(code: str, version: str) -> TransactionSpec | None:
    """The spec for transaction set ``code`` in (the base of) GS08 ``version``, or None."""
    base, _ = base_version(version)
    if base is None or code not in _MODULES:
        return None
    if code in _ONLY_5010:
        base = "005010"
    return _build(code, base)


def _structure_text(module: ModuleType, version: str) -> str:
    """The set's STRUCTURE, or its ``STRUCTURE_5010`` for 005010 where the tables differ."""
    if version == "005010":
        text: str | None = getattr(module, "STRUCTURE_5010", None)
        if text is not None:
            return text
    structure: str = module.STRUCTURE
    return structure


@cache
def _build(code: str, version: str) -> TransactionSpec:
    module = _MODULES[code]
    segments = parse_segments(SEGMENTS_5010 if version == "005010" else SEGMENTS_4010)
    hierarchy = None
    ranks = getattr(module, "HIERARCHY_RANKS", None)
    if ranks is not None:
        hierarchy = HierarchySpec(dict(ranks), frozenset(module.HIERARCHY_ROOTS))
    return TransactionSpec(
        code=code,
        version=version,
        name=module.NAME,
        structure=parse_structure(_structure_text(module, version), code),
        segments=segments,
        composites=parse_composites(COMPOSITES),
        elements=ELEMENTS_5010 if version == "005010" else ELEMENTS_4010,
        code_lists=CODE_LISTS,
        hierarchy=hierarchy,
        known_segment_ids=frozenset(segments) | OTHER_X12_SEGMENTS,
    )

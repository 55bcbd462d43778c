"""Declarative X12 transaction-set specs for 004010 and 005010, and the lookup that finds one.

Each ``tsNNN`` module holds one transaction structure as data; the segment, composite, element
and code-list dictionaries are shared. Specs are assembled lazily and cached, because the hub
only pays for the sets it actually receives.

Releases between 004010 and 005010 (004020 ... 004060, with any industry suffix such as
004030VICS) are not validated as 004010: each gets an overlay spec of its own, 004010's tables
plus what later releases added up to 005010 (005010 segment shapes and set structures, element
lengths widened to the larger of the two). So a segment, element or length a later release
introduced is accepted in a 0040x0 document, while a 004010 document keeps the strict 004010
checks. The overlay errs towards acceptance: a release's own removals are not modelled.
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
    ts204,
    ts210,
    ts214,
    ts753,
    ts754,
    ts810,
    ts820,
    ts832,
    ts846,
    ts850,
    ts852,
    ts855,
    ts856,
    ts860,
    ts865,
    ts940,
    ts944,
    ts945,
    ts990,
    ts997,
    ts999,
)
from crossdock.x12.specs.dictionary import (
    CODE_LISTS,
    COMPOSITES,
    ELEMENTS_4010,
    ELEMENTS_5010,
    FULL_CODE_LISTS,
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
    ts210,
    ts204,
    ts990,
    ts753,
    ts754,
    ts860,
    ts865,
    ts820,
    ts832,
    ts852,
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


def is_interim(release: str) -> bool:
    """True for a release after 004010 and before 005010 ('004030'; six digits, no suffix)."""
    return len(release) == 6 and release.isdigit() and "004010" < release < "005000"


def spec_release(version: str) -> str | None:
    """The release whose spec validates GS08 ``version``.

    The base of ``base_version``, except for the releases between 004010 and 005010, which
    get their own overlay: '004030VICS' -> '004030'; '004010VICS' -> '004010';
    '003010' -> '004010'; '006020' -> '005010'; garbage -> None.
    """
    base, _ = base_version(version)
    release = version.strip()[:6]
    if base == "004010" and is_interim(release):
        return release
    return base


def spec_for(code: str, version: str) -> TransactionSpec | None:
    """The spec for transaction set ``code`` in GS08 ``version`` (see ``spec_release``)."""
    release = spec_release(version)
    if release is None or code not in _MODULES:
        return None
    if code in _ONLY_5010:
        release = "005010"
    return _build(code, release)


def _structure_text(module: ModuleType, version: str) -> str:
    """The set's STRUCTURE, or its ``STRUCTURE_5010`` for 005010 where the tables differ."""
    if version == "005010":
        text: str | None = getattr(module, "STRUCTURE_5010", None)
        if text is not None:
            return text
    structure: str = module.STRUCTURE
    return structure


def _widened(
    earlier: dict[str, tuple[str, int, int]], later: dict[str, tuple[str, int, int]]
) -> dict[str, tuple[str, int, int]]:
    """Element lengths an interim release accepts: the wider of 004010's and 005010's."""
    out = dict(earlier)
    for ref, (kind, low, high) in later.items():
        _, low_before, high_before = out.get(ref, (kind, low, high))
        out[ref] = (kind, min(low, low_before), max(high, high_before))
    return out


ELEMENTS_INTERIM: dict[str, tuple[str, int, int]] = _widened(ELEMENTS_4010, ELEMENTS_5010)


@cache
def _build(code: str, version: str) -> TransactionSpec:
    """The spec of one set in one release: 004010, 005010 or an interim overlay (0040x0)."""
    module = _MODULES[code]
    later = version != "004010"  # 005010, and the overlays take its additions
    segments = parse_segments(SEGMENTS_5010 if later else SEGMENTS_4010)
    hierarchy = None
    ranks = getattr(module, "HIERARCHY_RANKS", None)
    if ranks is not None:
        hierarchy = HierarchySpec(dict(ranks), frozenset(module.HIERARCHY_ROOTS))
    if version == "005010":
        elements = ELEMENTS_5010
    else:
        elements = ELEMENTS_INTERIM if later else ELEMENTS_4010
    return TransactionSpec(
        code=code,
        version=version,
        name=module.NAME,
        structure=parse_structure(_structure_text(module, "005010" if later else version), code),
        segments=segments,
        composites=parse_composites(COMPOSITES),
        elements=elements,
        code_lists=CODE_LISTS,
        hierarchy=hierarchy,
        known_segment_ids=frozenset(segments) | OTHER_X12_SEGMENTS,
        full_code_lists=FULL_CODE_LISTS,
    )

"""The fast path (one regex per transaction, cached shapes) never changes a result.

It may only say "no findings" when the precise checks would say the same; mutated real and
hand-written documents hold it to that.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from crossdock.x12.model import Segment, Transaction
from crossdock.x12.validator import ValidationResult, validate, validate_segments

from .test_validator_helpers import ASN_856, PO_850, transaction

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "x12"
SAMPLES = (
    "850_nodex12_vics.edi",
    "850_x12types_4010.edi",
    "850_oop_pgwglass_pipe_term.txt",
    "855_nodex12.edi",
    "856_edieng_crossdock.edi",
    "856_nodex12_00406.edi",
    "810_indice_bom_tabs_NONSTD.edi",
    "846_oop_tilde_brace.txt",
    "940_edieng_ok.edi",
    "214_indice_mgctlyst.edi",
    "997_staedi_5010.edi",
)


def _slow(tx: Transaction, segments: list[Segment]) -> ValidationResult:
    return validate_segments(
        tx.code,
        tx.group.version,
        segments,
        interchange_control=tx.interchange.control_number,
        group_control=tx.group.control_number,
        transaction_control=tx.control_number,
        component_separator=tx.delimiters.component,
        repetition_separator=tx.delimiters.repetition,
        use_fast_path=False,
    )


def _mutate(segments: list[Segment], rng: random.Random) -> list[Segment]:
    out = [Segment(s.tag, list(s.elements), s.position) for s in segments]
    i = rng.randrange(1, len(out) - 1)
    seg = out[i]
    kind = rng.randrange(9)
    if kind == 0:
        del out[i]
    elif kind == 1:
        out.insert(i, Segment(seg.tag, list(seg.elements), seg.position))
    elif kind == 2:
        out[i], out[i + 1] = out[i + 1], out[i]
    elif seg.elements:
        j = rng.randrange(len(seg.elements))
        value = seg.elements[j]
        seg.elements[j] = [
            "",
            value + "X",
            value[:1],
            "-1.5",
            "Z" * 90,
            value + "\x1f" + value,
            "20230229",
        ][kind - 3]
    else:
        seg.elements.append("EXTRA")
    for position, segment in enumerate(out, start=1):
        segment.position = position
    return out


def _transactions() -> list[Transaction]:
    out = [transaction(PO_850), transaction(ASN_856)]
    try:
        from crossdock.x12.reader import read_transactions
    except ImportError:  # pragma: no cover - reader written concurrently
        return out
    for name in SAMPLES:
        if (CORPUS / name).is_file():
            out.extend(read_transactions(CORPUS / name))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_fast_and_precise_paths_agree_on_mutated_documents(seed: int) -> None:
    rng = random.Random(seed)
    for tx in _transactions():
        assert validate(tx) == _slow(tx, tx.segments)
        for _ in range(60):
            mutated = _mutate(tx.segments, rng)
            copy = Transaction(
                tx.code, tx.control_number, tx.implementation, mutated, tx.interchange, tx.group
            )
            assert validate(copy) == _slow(tx, mutated), [s.tag for s in mutated]


def test_values_containing_the_internal_separators_are_not_trusted() -> None:
    tx = transaction(PO_850)
    tx.segments[2].elements[1] = "038\x1f039"  # REF02 with a control character
    result = validate(tx)
    assert not result.accepted
    assert result == _slow(tx, tx.segments)

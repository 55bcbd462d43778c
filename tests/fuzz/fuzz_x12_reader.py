"""Coverage-guided fuzzing of the X12 reader with atheris.

    python tests/fuzz/fuzz_x12_reader.py -atheris_runs=100000 [corpus_dir]

Any exception escaping ``read`` is a bug (bad input must become issues), as is an event
sequence whose envelopes do not nest. Seeds are built in: a valid interchange with the usual
delimiters and one with unusual ones.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from crossdock.x12 import reader
    from crossdock.x12.events import GroupEnd, GroupStart, InterchangeEnd, InterchangeStart
    from crossdock.x12.model import Transaction

SEED = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*^*00501"
    b"*000000001*0*P*>~\nGS*PO*S*R*20240102*1200*1*X*005010~\nST*850*0001~\nBEG*00*SA*1**2~\n"
    b"SE*3*0001~\nGE*1*1~\nIEA*1*000000001~\n"
)


def TestOneInput(data: bytes) -> None:
    """Read ``data`` (raw, and spliced after a valid ISA) and check envelope nesting."""
    for candidate in (data, SEED[:107] + data, SEED + data):
        depth = 0
        for event in reader.read(candidate, chunk_size=64):
            if isinstance(event, InterchangeStart | GroupStart):
                depth += 1
            elif isinstance(event, GroupEnd | InterchangeEnd):
                depth -= 1
            elif isinstance(event, Transaction) and event.segments[0].tag != "ST":
                raise AssertionError("transaction without ST")
            if depth < 0 or depth > 2:
                raise AssertionError(f"envelopes do not nest: depth {depth}")
        if depth != 0:
            raise AssertionError(f"unclosed envelopes at end: depth {depth}")


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""204 Motor Carrier Load Tender (004010, shared by 005010).

The full table: heading (B2, B2A, L11, G62, MS3, AT5, PLD, LH6, NTE, the N1 loop with its
G61 contacts, the N7 equipment loop), the mandatory S5 stop loop (its references, dates,
lading, N1 loop, L5 description loop with the G61/LH1 hazardous loops, the OID order loop
with its own L5 loop, the N7 equipment loop) and the L3 summary. Lines ending in ``*`` are the segments the
``load_tender`` map reads.
"""

from __future__ import annotations

CODE = "204"
NAME = "Motor Carrier Load Tender"
_HAZARDOUS = """
[G61 99]
  G61 M 1
  L11 O 5 *
  LH6 O 6
  [LH1 25]
    LH1 M 1
    LH2 O 4
    LH3 O 10
    LFH O 20
    LEP O 3
    LH4 O 1
    LHT O 3
"""


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.strip("\n").splitlines())


STRUCTURE = f"""
ST M 1
B2 M 1 *
B2A M 1 *
L11 O 50 *
G62 O 1 *
MS3 O 1
AT5 O 6
PLD O 1
LH6 O 6
NTE O 10 *
[N1 5]
  N1 M 1 *
  N2 O 1
  N3 O 2 *
  N4 O 1 *
  L11 O 1 *
  G61 O 3
[N7 10]
  N7 M 1 *
  N7A O 1
  N7B O 1
  MEA O 1
  M7 O 2
[S5 999 M]
  S5 M 1 *
  L11 O 50 *
  G62 O 2 *
  AT8 O 1 *
  LAD O 999
  AT5 O 6
  PLD O 1
  NTE O 20 *
  [N1 1]
    N1 M 1 *
    N2 O 1
    N3 O 2 *
    N4 O 1 *
    G61 O 3
  [L5 99]
    L5 M 1 *
    AT8 O 1 *
{_indent(_HAZARDOUS, 4)}
  [OID 999]
    OID M 1 *
    G62 O 2 *
    LAD O 999
    [L5 99]
      L5 M 1 *
      AT8 O 1 *
{_indent(_HAZARDOUS, 6)}
  [N7 10]
    N7 M 1 *
    N7A O 1
    N7B O 1
    MEA O 1
    M7 O 2
L3 O 1 *
SE M 1
"""

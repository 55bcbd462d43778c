"""940 Warehouse Shipping Order: the complete X12 segment table (004010, shared by 005010).

Every segment and loop of the standard's table in position order (G61, W09, W6, R2, BNX, the LM
loop, the LX loop's MAN/SDQ/N1/G62, the W01 loop's QTY, AMT, G66, hazardous-material and LS/LE
parts, FA1 ...), so a valid order using parts the map does not read is accepted and kept in the
raw text. Entries earlier tables accepted are kept (REF in the N1 loop, the W01 loop without an
LX): a real document is never refused for the table's strictness. A trailing ``*`` marks the
segments the built-in map reads. 005010 (``STRUCTURE_5010``) lets W6 repeat 5 times, adds a
TD3/AT9 loop after BNX and N9 in the LX loop, lets AMT repeat in the W01 loop and makes its N1
an N1 loop (N1, N2, N3, N4, PER).
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import replace

CODE = "940"
NAME = "Warehouse Shipping Order"
STRUCTURE = """
ST M 1
W05 M 1 *
[N1 10]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  REF O 2
  PER O 5 *
N9 O 10
G61 O 3
G62 O 10 *
NTE O >1 *
W09 O 1
W66 O 1 *
W6 O 1
R2 O 13
BNX O 1
[LM 10]
  LM M 1
  LQ M 100
[LX >1]
  LX M 1 *
  MAN O >1
  SDQ O >1
  N1 O 1
  G62 O 10
  [W01 >1]
    W01 M 1 *
    G69 O 5 *
    N9 O 200 *
    NTE O >1 *
    W20 O 3
    QTY O 10
    AMT O 1
    G62 O 10
    G66 O 1
    N1 O 3
    PER O 5
    LH2 O 6
    LHR O 1
    LH6 O 5
    [LM 10]
      LM M 1
      LQ M 100
    [LS 1]
      LS M 1
      [LX >1]
        LX M 1
        N9 O >1
        G62 O 10
        N1 O 1
        SDQ O >1
        [LM 10]
          LM M 1
          LQ M 100
        [LH1 >1]
          LH1 M 1
          LH2 O 4
          LH3 O 10
          LFH O 20
          LEP O 3
          LH4 O 1
          LHT O 3
          LHR O 5
          PER O 5
      LE M 1
    [FA1 >1]
      FA1 M 1
      FA2 M >1
[W01 >1]
  W01 M 1
  G69 O 5
  N9 O 200
  W20 O 3
  G62 O 10
  NTE O >1
W76 O 1
SE M 1
"""

STRUCTURE_5010 = replace(
    STRUCTURE,
    ("\nW6 O 1\n", "\nW6 O 5\n"),
    ("\nBNX O 1\n", "\nBNX O 1\n[TD3 1]\n  TD3 M 1\n  AT9 O 1\n"),
    ("\n  G62 O 10\n  [W01 >1]\n", "\n  G62 O 10\n  N9 O >1\n  [W01 >1]\n"),
    ("\n    AMT O 1\n", "\n    AMT O >1\n"),
    (
        "\n    N1 O 3\n    PER O 5\n",
        "\n    [N1 >1]\n      N1 M 1\n      N2 O 1\n      N3 O 1\n      N4 O 1\n      PER O 5\n",
    ),
)

"""945 Warehouse Shipping Advice: the complete X12 segment table (004010, shared by 005010).

Every segment and loop of the standard's table in position order (G61, NTE, W6, W28, W10, G72,
the LM loop, the W12 loop's G62, QTY, AMT, R4, W27, N1, G72, LM, LS/LE and FA1 parts), so a
valid advice using parts the map does not read is accepted and kept in the raw text. The
standard makes the N1 loop mandatory; it stays optional here, as it was, and entries earlier
tables accepted are kept (REF in the N1 loop, W20 and MAN in the W12 loop): a real document is
never refused for the table's strictness. W27, the LX loop and W03 are optional, as in the
standard's table. A trailing ``*`` marks the segments the built-in map reads. 005010
(``STRUCTURE_5010``) adds a heading TD1 and makes the W12 loop's N1 an N1 loop (N1, N2, N3, N4,
PER).
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import replace

CODE = "945"
NAME = "Warehouse Shipping Advice"
STRUCTURE = """
ST M 1
W06 M 1 *
[N1 10]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  REF O 2
  PER O 5
N9 O 10 *
G61 O 3
G62 O 10 *
NTE O 20
W27 O 1 *
W6 O 1
W28 O 1
W10 O 10
G72 O 5
[LM 10]
  LM M 1
  LQ M 100
[LX >1]
  LX M 1 *
  MAN O >1 *
  PAL O 1 *
  N9 O 10 *
  MEA O >1 *
  [W12 >1]
    W12 M 1
    G69 O 5
    N9 O 200
    W20 O 1
    G62 O 10
    QTY O 10
    MEA O 5
    AMT O 1
    R4 O 5
    W27 O 1
    N1 O 5
    G72 O 5
    MAN O >1
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
        [LM 10]
          LM M 1
          LQ M 100
      LE M 1
    [FA1 >1]
      FA1 M 1
      FA2 M >1
W03 O 1 *
SE M 1
"""

STRUCTURE_5010 = replace(
    STRUCTURE,
    ("\nG72 O 5\n[LM 10]\n", "\nG72 O 5\nTD1 O 5\n[LM 10]\n"),
    (
        "\n    N1 O 5\n",
        "\n    [N1 >1]\n      N1 M 1\n      N2 O 1\n      N3 O 1\n      N4 O 1\n      PER O 1\n",
    ),
)

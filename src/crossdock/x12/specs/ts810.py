"""810 Invoice: the complete X12 segment tables, 004010 and 005010.

Every segment and loop of the standard's table in position order (YNQ, DMG, L7, BAL, INC, PAM,
the LM, N9, V1 and FA1 loops, the IT1 loop's CRC, QTY, IT3, SR, SLN, LM, V1 and FA1 parts), so a
valid invoice using parts the map does not read is accepted and kept in the raw text. A
trailing ``*`` marks the segments the built-in map reads. Entries earlier tables accepted and
partners send are kept (TD1/TD5/TD3/TD4 in the heading and the IT1 loop, MEA after the PID
loop): a real document is never refused for the table's strictness. DTM is not in the N1
loops (the standard has none there): a DTM after an N1 loop is the heading's (DTM*814, the
due date), not the party's.
005010 (``STRUCTURE_5010``) adds a heading CRC, lets TXI and the SAC loops repeat without
limit and nests TXI in the SAC loops as a loop of its own (TXI, DTM), the summary SAC loop
with a DTM before it.
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import replace

CODE = "810"
NAME = "Invoice"
STRUCTURE = """
ST M 1
BIG M 1 *
NTE O 100 *
CUR O 1 *
REF O 12 *
YNQ O 10
PER O 3
[N1 200]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  REF O 12
  PER O 3 *
  DMG O 1
ITD O >1 *
DTM O 10 *
FOB O 1
PID O 200
MEA O 40
PWK O 25
PKG O 25
TD1 O 1
TD5 O 12
TD3 O 12
TD4 O 5
L7 O 1
BAL O >1
INC O 1
PAM O >1
[LM 10]
  LM M 1
  LQ M 100
[N9 1]
  N9 M 1
  MSG M 10
[V1 >1]
  V1 M 1
  R4 O >1
  DTM O >1
[FA1 >1]
  FA1 M 1
  FA2 M >1
[IT1 200000]
  IT1 M 1 *
  CRC O 1
  QTY O 5
  CUR O 1
  IT3 O 5
  TXI O 10
  CTP O 25
  PAM O 10
  MEA O 40
  [PID 1000]
    PID M 1 *
    MEA O 10
  MEA O 40
  PWK O 25
  PKG O 25
  PO4 O 1
  ITD O 2
  REF O >1
  YNQ O 10
  PER O 5
  SDQ O 500
  DTM O 10
  CAD O >1
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  L7 O >1
  SR O 1
  [SAC 25]
    SAC M 1
    TXI O 10
  [SLN 1000]
    SLN M 1
    DTM O 1
    REF O >1
    PID O 1000
    SAC O 25
    TC2 O 2
    TXI O 10
  [N1 200]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 12
    PER O 3
    DMG O 1
  [LM 10]
    LM M 1
    LQ M 100
  [V1 >1]
    V1 M 1
    R4 O >1
    DTM O >1
  [FA1 >1]
    FA1 M 1
    FA2 M >1
TDS M 1 *
TXI O 10 *
CAD O 1
AMT O >1
[SAC 25]
  SAC M 1 *
  TXI O 10
[ISS >1]
  ISS M 1
  PID O 1
CTT O 1 *
SE M 1
"""


STRUCTURE_5010 = replace(
    STRUCTURE,
    ("\nPAM O >1\n", "\nPAM O >1\nCRC O 1\n"),
    ("\n  TXI O 10\n  CTP O 25\n", "\n  TXI O >1\n  CTP O 25\n"),
    (
        "\n  [SAC 25]\n    SAC M 1\n    TXI O 10\n",
        "\n  [SAC >1]\n    SAC M 1\n    [TXI >1]\n      TXI M 1\n      DTM O 1\n",
    ),
    (
        "\n    SAC O 25\n    TC2 O 2\n    TXI O 10\n",
        "\n    SAC O >1\n    TC2 O 2\n    TXI O >1\n",
    ),
    ("\nTXI O 10 *\n", "\nTXI O >1 *\n"),
    (
        "\n[SAC 25]\n  SAC M 1 *\n  TXI O 10\n",
        "\n[SAC >1]\n  SAC M 1 *\n  DTM O >1\n  [TXI >1]\n    TXI M 1\n    DTM O 1\n",
    ),
)

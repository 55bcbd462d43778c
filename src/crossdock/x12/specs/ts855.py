"""855 Purchase Order Acknowledgment: the complete X12 segment table (004010, shared by 005010).

Every segment and loop of the standard's table in position order (TAX, PAM, DIS, INC, LDT, SI,
CTB, the ADV loop, the PO1 loop's PO3, IT8, QTY, PKG, SLN loops ...), so a valid acknowledgment
using parts the map does not read is accepted and kept in the raw text. A few entries earlier
tables accepted are kept where partners send them (TC2, the CTP/CUR pair and a bare MSG in the
PO1 loop): a real document is never refused for the table's strictness. A trailing ``*`` marks
the segments the built-in map reads. 005010 (``STRUCTURE_5010``) adds MTX beside MSG, IN2
after N2 in the N1 loops and PWK/EFI in the N9 loops; MSG stays accepted.
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import add_after, mtx_beside_msg

CODE = "855"
NAME = "Purchase Order Acknowledgment"
STRUCTURE = """
ST M 1
BAK M 1 *
CUR O 1 *
REF O >1
PER O 3
TAX O >1
FOB O >1
CTP O >1
PAM O 10
CSH O 5
TC2 O >1
[SAC 25]
  SAC M 1
  CUR O 1
ITD O 5
DIS O 20
INC O 1
DTM O 10 *
LDT O 12
LIN O 5
SI O >1
PID O 200
MEA O 40
PWK O 25
PKG O 200
TD1 O 2
TD5 O 12
TD3 O 12
TD4 O 5
MAN O 10
TXI O >1
CTB O >1
[N9 1000]
  N9 M 1 *
  DTM O >1
  MSG O 1000 *
[N1 200]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O >1 *
  NX2 O >1
  REF O 12
  PER O >1 *
  SI O >1
  FOB O 1
  TD1 O 2
  TD5 O 12
  TD3 O 12
  TD4 O 5
  PKG O 200
  MSG O >1
[ADV >1]
  ADV M 1
  DTM O >1
  MTX O >1
[PO1 100000]
  PO1 M 1 *
  LIN O >1
  SI O >1
  CUR O 1
  PO3 O 25
  [CTP >1]
    CTP M 1
    CUR O 1
  PAM O 10
  MEA O 40
  [PID 1000]
    PID M 1 *
    MEA O 10
  PWK O 25
  PO4 O >1
  REF O >1
  PER O 3
  [SAC 25]
    SAC M 1
    CUR O 1
    CTP O 1
  IT8 O 1
  CSH O >1
  ITD O 2
  DIS O 20
  INC O 1
  TAX O >1
  FOB O >1
  SDQ O 500
  DTM O 10
  LDT O 12
  TC2 O >1
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  MSG O >1 *
  [ACK 104]
    ACK M 1 *
    DTM O 1
  MAN O 10
  AMT O 1
  CTB O >1
  TXI O >1
  [QTY >1]
    QTY M 1
    SI O >1
  [PKG 200]
    PKG M 1
    MEA O >1
  [SCH 200]
    SCH M 1
    TD1 O 2
    TD5 O 12
    TD3 O 12
    TD4 O 5
    REF O >1
  [N9 1000]
    N9 M 1 *
    DTM O >1
    MSG O 1000 *
  [N1 200]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    NX2 O >1
    REF O 12
    PER O 3
    SI O >1
    DTM O 1
    FOB O 1
    SCH O 200
    TD1 O 2
    TD5 O 12
    TD3 O 12
    TD4 O 5
    QTY O >1
    PKG O 200
  [SLN 1000]
    SLN M 1
    MSG O >1
    SI O >1
    PID O 1000
    PO3 O 25
    CTP O 25
    PAM O 10
    ACK O 104
    [SAC 10]
      SAC M 1
      CUR O 1
    DTM O 10
    PO4 O 1
    TAX O 3
    ADV O >1
    [QTY >1]
      QTY M 1
      SI O >1
    [N9 >1]
      N9 M 1
      DTM O >1
      MSG O >1
    [N1 10]
      N1 M 1
      N2 O 2
      N3 O 2
      N4 O 1
      NX2 O >1
      REF O 12
      PER O 3
      SI O >1
[CTT 1]
  CTT M 1 *
  AMT O 1
SE M 1
"""

STRUCTURE_5010 = mtx_beside_msg(
    add_after(
        add_after(STRUCTURE, "MSG O 1000 *", "MTX O >1", "PWK O >1", "EFI O >1"),
        "N2 O 2",
        "IN2 O >1",
    )
)

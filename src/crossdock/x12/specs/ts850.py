"""850 Purchase Order: the complete X12 segment table, 004010 and 005010.

Every segment and loop the standard defines, in position order, with requirement and max use,
so a valid order using parts the map does not read (the SLN subline loop, SPI, LDT, ...) is
accepted and kept in the raw text. A trailing ``*`` marks the segments the built-in map reads.

005010 adds MTX (text) beside MSG, the heading LDT loop, PWK/EFI in the N9 loop and IN2 in the
N1 loop; ``STRUCTURE_5010`` is the 004010 table with those additions. MSG stays accepted in
005010 too, because partners on 005010 implementation guides still send it.
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import mtx_beside_msg

CODE = "850"
NAME = "Purchase Order"
_TEMPLATE = """
ST M 1
BEG M 1 *
CUR O 1 *
REF O >1 *
PER O 3
TAX O >1
FOB O >1 *
CTP O >1
PAM O 10
CSH O 5
TC2 O >1
[SAC 25]
  SAC M 1
  CUR O 1
ITD O >1 *
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
TD5 O {td5}
TD3 O 12
TD4 O 5
MAN O 10
PCT O >1
CTB O 5
TXI O >1
{ldt_loop}[AMT >1]
  AMT M 1
  REF O >1
  DTM O 1
  PCT O >1
  [FA1 >1]
    FA1 M 1
    FA2 M >1
[N9 1000]
  N9 M 1 *
  DTM O >1
  MSG O 1000 *
{n9_extra}[N1 200]
  N1 M 1 *
  N2 O 2
{in2}  N3 O 2 *
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
[LM >1]
  LM M 1
  LQ M >1
[SPI >1]
  SPI M 1
  REF O 5
  DTM O 5
  MSG O 50
  [N1 20]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 20
    G61 O 1
    MSG O 50
  [CB1 >1]
    CB1 M 1
    REF O 20
    DTM O 5
    LDT O 1
    MSG O 50
[ADV >1]
  ADV M 1
  DTM O >1
  MTX O >1
[PO1 100000 M]
  PO1 M 1 *
  LIN O >1
  SI O >1
  CUR O 1
  CN1 O 1
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
  IT3 O 5
  DTM O 10 *
  TC2 O >1
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  PCT O >1
  MAN O 10
  MSG O >1 *
  SPI O >1
  TXI O >1
  CTB O >1
  [QTY >1]
    QTY M 1
    SI O >1
  [SCH 200]
    SCH M 1
    TD1 O 2
    TD5 O 12
    TD3 O 12
    TD4 O 5
    REF O >1
  [PKG 200]
    PKG M 1
    MEA O >1
  [LS 1]
    LS M 1
    [LDT >1]
      LDT M 1
      QTY O >1
      MSG O 1
      REF O 3
      [LM >1]
        LM M 1
        LQ M >1
    LE M 1
  [N9 1000]
    N9 M 1
    DTM O >1
    MEA O 40
    MSG O 1000
  [N1 200]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    QTY O >1
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
    PKG O 200
    [LDT >1]
      LDT M 1
      MAN O 10
      QTY O 5
      MSG O 1
      REF O 3
  [SLN 1000]
    SLN M 1
    MSG O >1
    SI O >1
    PID O 1000
    PO3 O 104
    TC2 O >1
    ADV O >1
    DTM O 10
    CTP O 25
    PAM O 10
    PO4 O 1
    TAX O 3
    [N9 >1]
      N9 M 1
      DTM O >1
      MSG O >1
    [SAC 25]
      SAC M 1
      CUR O 1
      CTP O 1
    [QTY >1]
      QTY M 1
      SI O >1
    [N1 10]
      N1 M 1
      N2 O 2
      N3 O 2
      N4 O 1
      NX2 O >1
      REF O 12
      PER O 3
      SI O >1
  [AMT >1]
    AMT M 1
    REF O 1
    DTM O 1
    PCT O >1
  [LM >1]
    LM M 1
    LQ M >1
[CTT 1]
  CTT M 1 *
  AMT O 1
SE M 1
"""


STRUCTURE = _TEMPLATE.format(td5="12", ldt_loop="", n9_extra="", in2="")
STRUCTURE_5010 = mtx_beside_msg(
    _TEMPLATE.format(
        td5=">1",
        ldt_loop="[LDT >1]\n  LDT M 1\n  QTY O >1\n  REF O >1\n",
        n9_extra="  PWK O >1\n  EFI O >1\n",
        in2="  IN2 O >1\n",
    )
)

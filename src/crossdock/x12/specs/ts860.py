"""860 Purchase Order Change Request - Buyer Initiated: the complete segment table.

Every segment and loop of the 004010 table in position order, with requirement and max use,
so a valid change using parts the map does not read (SLN sublines, SPI, LM/LQ, ...) is
accepted and kept in the raw text. A trailing ``*`` marks the segments the built-in map reads.

One table serves 004010 and 005010: the 005010 table differs only by MTX (text) beside MSG
in the N9 loops, accepted here in both versions (partners on either send MSG; MTX is free
text the map does not read). ``TEMPLATE`` is shared with the 865, which has the same shape
with BCA for BCH and an ACK loop in each POC loop (``{ack}``).
"""

from __future__ import annotations

CODE = "860"
NAME = "Purchase Order Change Request - Buyer Initiated"

TEMPLATE = """
ST M 1
{begin} M 1 *
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
PCT O >1
CTB O 5
TXI O >1
[AMT >1]
  AMT M 1
  REF O >1
  DTM O 1
  [FA1 >1]
    FA1 M 1
    FA2 M >1
[N9 1000]
  N9 M 1 *
  DTM O >1
  MSG O 1000 *
  MTX O >1
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
[LM >1]
  LM M 1
  [LQ 100 M]
    LQ M 1
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
[POC >1]
  POC M 1 *
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
  CSH O >1
  ITD O 2
  DIS O 20
  INC O 1
  TAX O 3
  FOB O >1
  SDQ O 500
  IT8 O 25
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
{ack}  [SCH 104]
    SCH M 1
    TD1 O 1
    TD5 O 1
    TD3 O 1
    TD4 O 1
    REF O >1
  [LM >1]
    LM M 1
    [LQ 100 M]
      LQ M 1
  [N9 1000]
    N9 M 1 *
    DTM O >1
    MEA O 40
    MSG O 1000 *
    MTX O >1
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
    TD1 O 1
    TD5 O 12
    TD3 O 12
    TD4 O 5
    PKG O 200
  [SLN 1000]
    SLN M 1
    MSG O 1000
    SI O >1
    PID O 1000
    PO3 O 104
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
  [FA1 >1]
    FA1 M 1
    FA2 M >1
[CTT 1]
  CTT M 1 *
  AMT O 1
SE M 1
"""

STRUCTURE = TEMPLATE.format(begin="BCH", ack="")

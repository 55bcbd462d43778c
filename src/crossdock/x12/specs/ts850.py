"""850 Purchase Order: the transaction structure (004010, shared by 005010)."""

from __future__ import annotations

CODE = "850"
NAME = "Purchase Order"
STRUCTURE = """
ST M 1
BEG M 1
CUR O 1
REF O >1
PER O 3
FOB O >1
CTP O >1
CSH O 5
TC2 O >1
[SAC 25]
  SAC M 1
  CUR O 1
ITD O >1
DTM O 10
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
[AMT >1]
  AMT M 1
  REF O >1
  DTM O 1
[N9 1000]
  N9 M 1
  DTM O >1
  MSG O 1000
[N1 200]
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O >1
  REF O 12
  PER O >1
  FOB O 1
  TD1 O 2
  TD5 O 12
  TD3 O 12
  TD4 O 5
  PKG O 200
[PO1 100000 M]
  PO1 M 1
  LIN O >1
  CUR O 1
  [CTP >1]
    CTP M 1
    CUR O 1
  MEA O 40
  [PID 1000]
    PID M 1
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
  TXI O >1
  FOB O >1
  SDQ O 500
  DTM O 10
  TC2 O >1
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  MAN O 10
  MSG O >1
  [SCH 200]
    SCH M 1
    TD1 O 1
    TD5 O 1
    TD3 O 1
    TD4 O 1
    REF O >1
  PKG O 200
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
    REF O 12
    PER O 3
    DTM O 1
    FOB O 1
    SCH O 200
    TD1 O 1
    TD5 O 12
    TD3 O 12
    TD4 O 5
    PKG O 200
  [AMT >1]
    AMT M 1
    REF O 1
    DTM O 1
[CTT 1]
  CTT M 1
  AMT O 1
SE M 1
"""

"""832 Price/Sales Catalog: the complete X12 segment table, 004010 and 005010.

Every segment and loop the standard defines, in position order, with requirement and max use,
so a catalog carrying packaging, terms, item characteristics or sublines the map does not read
is accepted and kept in the raw text. A trailing ``*`` marks the segments the built-in map
reads. 005010 has the same table.
"""

from __future__ import annotations

CODE = "832"
NAME = "Price/Sales Catalog"
STRUCTURE = """
ST M 1
BCT M 1 *
CTP O 100
REF O >1
YNQ O 10
PER O >1
DTM O 10 *
CTB O 25
CUR O 5 *
ITD O 2
LDT O >1
SAC O >1
TD1 O >1
TD5 O >1
TD3 O >1
TD4 O >1
FOB O 1
PKG O >1
G93 O 50
TXI O >1
AAA O 1
[N1 >1]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O >1 *
  REF O 12
  PKG O >1
  PER O >1 *
  DTM O 10
[LM >1]
  LM M 1
  LQ M >1
[N9 >1]
  N9 M 1
  DTM O >1
[LIN >1]
  LIN M 1 *
  PO1 O 1
  G53 O 1
  SI O >1
  DTM O 10
  REF O >1
  YNQ O 10
  PER O >1
  CRD O >1
  CTB O 25
  PID O 200 *
  MEA O 40
  PKG O 25
  PO4 O 1
  TD1 O >1
  TD5 O >1
  TD3 O >1
  TD4 O >1
  ITD O 2
  LDT O 1
  SAC O >1
  FOB O 1
  AAA O 1
  TC2 O 2
  TXI O >1
  G55 O 1
  G54 O 1
  [CTP 100]
    CTP M 1 *
    G40 O 99
    DTM O 10 *
    G36 O 1
    LDT O 1
    CUR O 5
    PO4 O 1
    CTB O 5
    REF O >1
    G43 O 9999
    SAC O >1
    G26 O 99
  [N1 >1]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 12
    PER O >1
    DTM O 10
    PKG O >1
  [G39 >1]
    G39 M 1
    CTP O 1
  [PKL 20]
    PKL M 1
    CTP O 1
    PKG O 2
  [LFG 1]
    LFG M 1
    [CRC >1]
      CRC M 1
      QTY O 1
  [LM >1]
    LM M 1
    LQ M >1
  [SLN >1]
    SLN M 1
    SI O >1
    PID O >1
    DTM O >1
    CTP O >1
    PAM O >1
    PO4 O >1
    PKG O >1
    QTY O >1
    MEA O >1
    SAC O >1
    MTX O >1
    [LM >1]
      LM M 1
      LQ M >1
  [N9 >1]
    N9 M 1
    DTM O >1
CTT O 1 *
SE M 1
"""

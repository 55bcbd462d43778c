"""810 Invoice: the transaction structure (004010, shared by 005010)."""

from __future__ import annotations

CODE = "810"
NAME = "Invoice"
STRUCTURE = """
ST M 1
BIG M 1
NTE O 100
CUR O 1
REF O 12
PER O 3
[N1 200]
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  REF O 12
  PER O 3
  DTM O 1
ITD O >1
DTM O 10
FOB O 1
PID O 200
MEA O 40
PWK O 25
PKG O 25
TD1 O 1
TD5 O 12
TD3 O 12
TD4 O 5
[IT1 200000]
  IT1 M 1
  CUR O 1
  CTP O 25
  PO4 O 1
  [PID 1000]
    PID M 1
    MEA O 10
  MEA O 40
  PWK O 25
  PKG O 25
  REF O >1
  PER O 5
  [SAC 25]
    SAC M 1
    TXI O 10
  TXI O 10
  ITD O 2
  DTM O 10
  CAD O 1
  TD1 O 1
  TD5 O 12
  TD3 O 12
  TD4 O 5
  SDQ O 500
  [N1 200]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 12
    PER O 3
    DTM O 1
TDS M 1
TXI O 10
CAD O 1
AMT O >1
[SAC 25]
  SAC M 1
  TXI O 10
[ISS >1]
  ISS M 1
  PID O 1
CTT O 1
SE M 1
"""

"""846 Inventory Inquiry/Advice: the transaction structure (004010, shared by 005010)."""

from __future__ import annotations

CODE = "846"
NAME = "Inventory Inquiry/Advice"
STRUCTURE = """
ST M 1
BIA M 1
CUR O 1
REF O 12
PER O 3
MEA O 10
DTM O 10
[N1 200]
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  PER O 3
[LIN 10000]
  LIN M 1
  PID O 200
  DTM O 10
  MEA O 40
  CUR O 1
  REF O 12
  PER O 3
  [QTY >1]
    QTY M 1
    UIT O 1
    DTM O 10
  [N1 >1]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    PER O 3
    [QTY >1]
      QTY M 1
      DTM O 10
CTT O 1
SE M 1
"""

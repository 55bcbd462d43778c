"""945 Warehouse Shipping Advice: the transaction structure (004010, shared by 005010)."""

from __future__ import annotations

CODE = "945"
NAME = "Warehouse Shipping Advice"
STRUCTURE = """
ST M 1
W06 M 1
[N1 10]
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  REF O 2
  PER O 2
N9 O 10
G62 O 10
W27 M 1
[LX >1 M]
  LX M 1
  MAN O >1
  PAL O 1
  N9 O 10
  [W12 >1]
    W12 M 1
    G69 O 5
    N9 O 20
    W20 O 1
    MAN O >1
W03 M 1
SE M 1
"""

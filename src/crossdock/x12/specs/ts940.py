"""940 Warehouse Shipping Order: the transaction structure (004010, shared by 005010)."""

from __future__ import annotations

CODE = "940"
NAME = "Warehouse Shipping Order"
STRUCTURE = """
ST M 1
W05 M 1
[N1 10]
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  REF O 2
  PER O 2
N9 O 10
G62 O 10
NTE O 10
W66 O 1
[LX >1]
  LX M 1
  [W01 >1]
    W01 M 1
    G69 O 5
    N9 O 200
    W20 O 1
    G62 O 5
    NTE O 10
[W01 >1]
  W01 M 1
  G69 O 5
  N9 O 200
  W20 O 1
  G62 O 5
  NTE O 10
W76 O 1
SE M 1
"""

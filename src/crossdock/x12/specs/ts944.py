"""944 Warehouse Stock Transfer Receipt Advice: the transaction structure (004010, shared by 005010).

The heading NTE (max 20, after G62) is standard in both releases. The LX loop is 005010's
(004010 has the W07 loop directly, kept below): LX, then MAN (the received pallet's SSCC,
max 1), PAL and N9 before the W07 item loop.
"""

from __future__ import annotations

CODE = "944"
NAME = "Warehouse Stock Transfer Receipt Advice"
STRUCTURE = """
ST M 1
W17 M 1
[N1 10]
  N1 M 1
  N2 O 2
  N3 O 2
  N4 O 1
  REF O 2
  PER O 2
N9 O 10
G62 O 5
NTE O 20
W27 O 1
[LX >1]
  LX M 1
  MAN O 1
  PAL O >1
  N9 O 5
  [W07 >1]
    W07 M 1
    G69 O 5
    N9 O 200
    W20 O 1
    G62 O 5
[W07 >1]
  W07 M 1
  G69 O 5
  N9 O 200
  W20 O 1
W14 M 1
SE M 1
"""

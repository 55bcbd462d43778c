"""856 Ship Notice/Manifest: one repeating HL loop; the tree lives in HL01/HL02/HL03.

X12 defines a single HL loop holding every segment any level may use, so the structure below
accepts each level's segments in standard order and ``HIERARCHY`` (checked separately) enforces
shipment -> order -> [tare] -> pack -> item, the VICS pick-and-pack shape (S/O/I and S/I too).
"""

from __future__ import annotations

CODE = "856"
NAME = "Ship Notice/Manifest"
HIERARCHY_RANKS = {"S": 1, "O": 2, "T": 3, "P": 4, "I": 5}
HIERARCHY_ROOTS = frozenset({"S"})
STRUCTURE = """
ST M 1
BSN M 1
DTM O 10
[HL 200000 M]
  HL M 1
  LIN O 1
  SN1 O 1
  PRF O 1
  PO4 O 1
  PID O 200
  MEA O 40
  PWK O 25
  PKG O 25
  TD1 O 20
  TD5 O 12
  TD3 O 12
  TD4 O 5
  REF O >1
  PER O 3
  MAN O >1
  DTM O 10
  FOB O 1
  PAL O 1
  [N1 200]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 12
    PER O 3
    FOB O 1
  SDQ O 50
  CUR O 1
  [SAC 25]
    SAC M 1
    CUR O 1
CTT O 1
SE M 1
"""

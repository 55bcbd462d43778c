"""856 Ship Notice/Manifest: the complete X12 segment tables, 004010 and 005010.

X12 defines a single HL loop holding every segment any level may use, so the structure below
accepts each level's segments in standard order and ``HIERARCHY`` (checked separately) enforces
shipment -> order -> [tare] -> pack -> item, the VICS pick-and-pack shape (S/O/I and S/I too).
Every segment and loop of the standard's table is listed (SLN, TSD, the LH1 hazardous-material
and CLD load-detail loops, ETD, GF, YNQ, LM and V1 loops), so a valid notice using parts the
map does not read is accepted and kept in the raw text. A trailing ``*`` marks the segments the
built-in map reads. 005010 makes TD3 a loop with AT9 (trailer or container dimensions and
weight) and lets LH4 repeat 4 times: ``STRUCTURE_5010``.
"""

from __future__ import annotations

CODE = "856"
NAME = "Ship Notice/Manifest"
HIERARCHY_RANKS = {"S": 1, "O": 2, "T": 3, "P": 4, "I": 5}
HIERARCHY_ROOTS = frozenset({"S"})
STRUCTURE = """
ST M 1
BSN M 1 *
DTM O 10
[HL 200000 M]
  HL M 1 *
  LIN O 1 *
  SN1 O 1 *
  SLN O 1000
  PRF O 1 *
  PO4 O 1
  PID O 200 *
  MEA O 40
  PWK O 25
  PKG O 25
  TD1 O 20 *
  TD5 O 12 *
  TD3 O 12 *
  TD4 O 5
  TSD O 1
  REF O >1 *
  PER O 3
  [LH1 100]
    LH1 M 1
    LH2 O 4
    LH3 O 12
    LFH O 20
    LEP O >1
    LH4 O 1
    LHT O 3
    LHR O 10
    PER O 5
    LHE O 1
  [CLD 200]
    CLD M 1
    REF O 200
    DTP O 1
  MAN O >1 *
  DTM O 10 *
  FOB O 1
  PAL O 1
  [N1 200]
    N1 M 1 *
    N2 O 2
    N3 O 2 *
    N4 O 1 *
    REF O 12
    PER O 3
    FOB O 1
  SDQ O 50
  ETD O 1
  CUR O 1
  [SAC >1]
    SAC M 1
    CUR O 1
  GF O 1
  YNQ O 10
  [LM 10]
    LM M 1
    LQ M 100
  [V1 >1]
    V1 M 1
    R4 O >1
    DTM O >1
CTT O 1 *
SE M 1
"""

STRUCTURE_5010 = STRUCTURE.replace(
    "\n  TD3 O 12 *\n", "\n  [TD3 12]\n    TD3 M 1 *\n    AT9 O 1\n"
).replace("\n    LH4 O 1\n", "\n    LH4 O 4\n")

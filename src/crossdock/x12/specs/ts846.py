"""846 Inventory Inquiry/Advice: the complete X12 segment table (004010; 005010's is the same).

Every segment and loop of the standard's table (LM loops; in the LIN loop PKG, CTP, SAC, SDQ,
MAN, UIT, CS, DD, G53, PCT, LDT and the SLN, QTY/SCH/LS and N1 loops), so a valid advice using
parts the map does not read is accepted and kept in the raw text. The heading keeps the order
earlier tables accepted (REF, PER, MEA before DTM, as the built-in map writes it), the N1 loop
its 200 repeats and the LIN-level N1 loop its QTY loop, and the LIN loop stays optional: a real
document is never refused for the table's strictness. A trailing ``*`` marks the segments the
built-in map reads.
"""

from __future__ import annotations

CODE = "846"
NAME = "Inventory Inquiry/Advice"
STRUCTURE = """
ST M 1
BIA M 1 *
CUR O 1
REF O 12 *
PER O 3
MEA O 20
DTM O 10 *
[N1 200]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  REF O 12
  PER O 3
[LM 10]
  LM M 1
  LQ M 100
[LIN 10000]
  LIN M 1 *
  PID O 200 *
  MEA O 40
  PKG O 25
  DTM O 10
  CTP O 25
  CUR O 1
  SAC O 25
  REF O >1
  PER O 3
  SDQ O 500
  MAN O 1
  UIT O 5
  CS O 1
  DD O >1
  G53 O 1
  PCT O >1
  LDT O 12
  [LM 10]
    LM M 1
    LQ M 100
  [SLN 1000]
    SLN M 1
    PID O 200
    MEA O 40
    PKG O 25
    [MAN 100]
      MAN M 1
      MEA O 40
  [QTY >1]
    QTY M 1 *
    UIT O 12 *
    MEA O 25
    LDT O 12
    DTM O 10
    [SCH 25]
      SCH M 1
      MEA O 25
    [LM >1]
      LM M 1
      LQ M 100
    [LS 1]
      LS M 1
      [REF >1]
        REF M 1
        DTM O >1
        N1 O 1
        [LM 10]
          LM M 1
          LQ M 100
      LE M 1
  [N1 >1]
    N1 M 1
    N2 O 2
    N3 O 2
    N4 O 1
    REF O 12
    PER O 3
    [QTY >1]
      QTY M 1
      DTM O 10
CTT O 1
SE M 1
"""

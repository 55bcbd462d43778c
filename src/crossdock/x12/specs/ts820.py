"""820 Payment Order/Remittance Advice: the complete X12 segment table, 004010 and 005010.

Every segment and loop the standard defines, in position order, with requirement and max use,
so a remittance using parts the map does not read (the ENT loop's NM1 names, line-level IT1
detail, the tax, deduction, pension and royalty loops) is accepted and kept in the raw text.
A trailing ``*`` marks the segments the built-in map reads. 005010 has the same table.
"""

from __future__ import annotations

CODE = "820"
NAME = "Payment Order/Remittance Advice"


def _item_loops(indent: str) -> str:
    """The IT1 loop (invoice line detail) the ADX and RMR loops both carry."""
    lines = """
[IT1 >1]
  IT1 M 1
  [REF >1]
    REF M 1
    DTM O 1
  [SAC >1]
    SAC M 1
    TXI O >1
  [SLN >1]
    SLN M 1
    [REF >1]
      REF M 1
      DTM O >1
    [SAC >1]
      SAC M 1
      TXI O >1
"""
    return "".join(f"{indent}{line}\n" for line in lines.strip("\n").splitlines())


STRUCTURE = (
    """
ST M 1
BPR M 1 *
NTE O >1
TRN O 1 *
CUR O 1 *
REF O >1
DTM O >1
[N1 200]
  N1 M 1 *
  N2 O >1
  N3 O >1 *
  N4 O 1 *
  REF O >1
  PER O >1 *
  RDM O 1
  DTM O 1
[ENT >1]
  ENT M 1 *
  [NM1 >1]
    NM1 M 1
    N2 O >1
    N3 O >1
    N4 O 1
    REF O >1
    PER O >1
  [ADX >1]
    ADX M 1
    NTE O >1
    PER O >1
    DTM O 1
    [REF >1]
      REF M 1
      DTM O >1
"""
    + _item_loops("    ")
    + """  [RMR >1]
    RMR M 1 *
    NTE O >1
    REF O >1 *
    DTM O >1 *
"""
    + _item_loops("    ")
    + """    [ADX >1]
      ADX M 1 *
      NTE O >1
      PER O >1
      [REF >1]
        REF M 1
        DTM O >1
"""
    + _item_loops("      ")
    + """[TXP >1]
  TXP M 1
  TXI O >1
[DED >1]
  DED M 1
[LX >1]
  LX M 1
  REF O >1
  TRN O >1
  [NM1 >1]
    NM1 M 1
    REF O >1
    G53 O 1
    [AIN >1]
      AIN M 1
      QTY O >1
      DTP O >1
    [PEN >1]
      PEN M 1
      AMT O >1
      DTP O >1
      [INV >1]
        INV M 1
        DTP O >1
[N9 1]
  N9 M 1
  [AMT >1]
    AMT M 1
    REF O >1
  [N1 >1]
    N1 M 1
    REF O >1
    [EMS >1]
      EMS M 1
      ATN O >1
      AIN O >1
      PYD O >1
[RYL >1]
  RYL M 1
  [NM1 >1]
    NM1 M 1
    [LOC >1]
      LOC M 1
      [PID >1]
        PID M 1
        DTM O 1
        [PCT >1]
          PCT M 1
          QTY O 1
          [AMT >1]
            AMT M 1
            ADX O >1
    [ASM 1]
      ASM M 1
      ADX O 1
SE M 1
"""
)

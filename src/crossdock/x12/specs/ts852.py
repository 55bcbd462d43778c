"""852 Product Activity Data: the complete X12 segment table, 004010 and 005010.

Every segment and loop the standard defines, in position order, with requirement and max use.
The ZA loop is mandatory in each LIN loop: an item reported with no activity is a syntax
error. A trailing ``*`` marks the segments the built-in map reads. 005010 has the same table.
"""

from __future__ import annotations

CODE = "852"
NAME = "Product Activity Data"
STRUCTURE = """
ST M 1
XQ M 1 *
XPO O >1
N9 O >1
PER O 3
[N1 200]
  N1 M 1 *
  N2 O 1
  N3 O 2 *
  N4 O 1 *
  FOB O 1
  TD5 O 1
  DTM O >1
  N9 O >1
  PER O 3
[LIN 999999]
  LIN M 1 *
  CTP O 25
  PO4 O 1
  N9 O >1
  AMT O 10
  PAL O 1
  QTY O 1
  [ZA >1 M]
    ZA M 1 *
    QTY O 1
    CTP O 25
    SDQ O >1 *
    [G95 1]
      G95 M 1
      DTM O 2
CTT O 1 *
SE M 1
"""

"""999 Implementation Acknowledgment: the complete X12 segment table.

005010 only (validated against 005010 from 004xxx too).
"""

from __future__ import annotations

CODE = "999"
NAME = "Implementation Acknowledgment"
STRUCTURE = """
ST M 1
AK1 M 1
[AK2 >1]
  AK2 M 1
  [IK3 >1]
    IK3 M 1
    CTX O 10
    [IK4 >1]
      IK4 M 1
      CTX O 10
  IK5 M 1
AK9 M 1
SE M 1
"""

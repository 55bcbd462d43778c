"""997 Functional Acknowledgment: the complete X12 segment table (004010 and 005010 alike)."""

from __future__ import annotations

CODE = "997"
NAME = "Functional Acknowledgment"
STRUCTURE = """
ST M 1
AK1 M 1
[AK2 999999]
  AK2 M 1
  [AK3 999999]
    AK3 M 1
    AK4 O 99
  AK5 M 1
AK9 M 1
SE M 1
"""

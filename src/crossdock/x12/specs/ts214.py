"""214 Transportation Carrier Shipment Status Message (004010, shared by 005010)."""

from __future__ import annotations

CODE = "214"
NAME = "Transportation Carrier Shipment Status Message"
STRUCTURE = """
ST M 1
B10 M 1
L11 O 300
MAN O 9999
[N1 10]
  N1 M 1
  N2 O 1
  N3 O 2
  N4 O 1
  G62 O 1
  L11 O 10
[LX >1]
  LX M 1
  [AT7 10]
    AT7 M 1
    MS1 O 1
    MS2 O 2
  L11 O >1
  MAN O >1
  K1 O 10
  AT8 O 20
SE M 1
"""

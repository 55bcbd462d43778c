"""210 Motor Carrier Freight Details and Invoice (004010, shared by 005010).

The full table: heading (B3, C2, C3, ITD, N9, G62, R3, H3, K1, the N1 and N7 loops), the S5
stop-off loop, the LX line loop (L5, H1 hazardous loop, L0, MEA, L1, L4, L7, K1, and its N1
loop with the CD3 carton loop parcel carriers send), and the L3 summary. 005010 adds REF and
PER to the heading N1 loop and POD to the LX loop; they are listed so a 005010 invoice that
uses them validates. Lines ending in ``*`` are the segments the ``freight_invoice`` map reads.
"""

from __future__ import annotations

CODE = "210"
NAME = "Motor Carrier Freight Details and Invoice"
STRUCTURE = """
ST M 1
B3 M 1 *
C2 O 1
C3 O 1 *
ITD O 1
N9 O 300 *
G62 O 6 *
R3 O 12
H3 O 6
K1 O 10
[N1 10]
  N1 M 1 *
  N2 O 1
  N3 O 2 *
  N4 O 1 *
  N9 O 5 *
  REF O 5
  PER O 6
[N7 10]
  N7 M 1
  M7 O 5
[S5 999]
  S5 M 1 *
  N9 O 10 *
  G62 O 2 *
  H3 O 6
  [N1 2]
    N1 M 1 *
    N2 O 1
    N3 O 2 *
    N4 O 1 *
    N9 O 300 *
[LX 9999]
  LX M 1 *
  N9 O 5 *
  POD O 1
  L5 O 30 *
  [H1 3]
    H1 M 1
    H2 O 2
  L0 O 10 *
  MEA O 3
  L1 O 10 *
  L4 O 10
  L7 O 10
  K1 O 10
  [N1 >1]
    N1 M 1 *
    N2 O 1
    N3 O 2 *
    N4 O 1 *
    N9 O 10 *
    [CD3 >1]
      CD3 M 1
      N9 O 20 *
      H6 O 10
      L9 O 50
      POD O 1
      G62 O 1 *
L3 M 1 *
K1 O 10
SE M 1
"""

"""754 Routing Instructions (004010, shared by 005010).

The answer to a 753: BGN names the instructions (BGN06 the request they answer), the N1
loops the parties, and each LX loop a shipment with its load reference, pickup date, the
carrier to use (TD5), equipment, terminal (R4) and the OID orders it carries.
Lines ending in ``*`` are the segments the ``routing_instructions`` map reads.
"""

from __future__ import annotations

CODE = "754"
NAME = "Routing Instructions"
STRUCTURE = """
ST M 1
BGN M 1 *
G62 O 10 *
N9 O >1 *
[N1 >1]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  PER O 3
  G62 O 10 *
[LX >1]
  LX M 1 *
  N9 O >1 *
  G62 O 10 *
  TD5 O 12 *
  R4 O >1
  N7 O 10
  REF O >1
  [OID >1]
    OID M 1 *
    G62 O 2 *
SE M 1
"""

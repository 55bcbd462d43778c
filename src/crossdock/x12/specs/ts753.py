"""753 Request for Routing Instructions (004010, shared by 005010).

A supplier asks the buyer (or its carrier) how to ship the orders that are ready: BGN names
the request, the N1 loops the parties (ship-from with its contact and ready date), and each
LX loop a shipment with its references, dates, equipment and OID order lines.
Lines ending in ``*`` are the segments the ``routing_request`` map reads.
"""

from __future__ import annotations

CODE = "753"
NAME = "Request for Routing Instructions"
STRUCTURE = """
ST M 1
BGN M 1 *
G62 O 10 *
N9 O >1
[N1 >1]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  PER O 3 *
  G62 O 10 *
[LX >1]
  LX M 1 *
  N9 O >1
  G62 O 10 *
  N7 O 10
  REF O >1
  [OID >1]
    OID M 1 *
    G62 O 2 *
SE M 1
"""

"""944 Warehouse Stock Transfer Receipt Advice: the complete X12 segment table (004010 and 005010).

Every segment and loop of the 004010 table in position order (G61, W08, W18, G08, the W07
loop's W13 loop), so a valid advice using parts the map does not read is accepted and kept in
the raw text. 005010's LX loop (LX, then MAN with the received pallet's SSCC, PAL and N9 before
the W07 item loop) is accepted in both versions, which is why the 004010 W07 loop and the N1
loop, mandatory in the standard, are optional here; entries earlier tables accepted are kept
(REF in the N1 loop, W27, G62 in the W07 loop): a real document is never refused for the
table's strictness. A trailing ``*`` marks the segments the built-in map reads. 005010
(``STRUCTURE_5010``) adds a heading TD1 (its LX loop, mandatory there, stays optional here so a
005010 advice in the 004010 shape is not refused).
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import replace

CODE = "944"
NAME = "Warehouse Stock Transfer Receipt Advice"
STRUCTURE = """
ST M 1
W17 M 1 *
[N1 10]
  N1 M 1 *
  N2 O 2
  N3 O 2 *
  N4 O 1 *
  REF O 2
  PER O 5
N9 O 10
G61 O 3
G62 O 5 *
NTE O 20 *
W08 O 1
W18 O 10
G08 O 2
W27 O 1
[LX >1]
  LX M 1 *
  MAN O 1 *
  PAL O >1
  N9 O 5
  [W07 >1]
    W07 M 1 *
    G69 O 5 *
    N9 O 200 *
    W20 O 2
    G62 O 5 *
    NTE O >1 *
    [W13 50]
      W13 M 1
      N9 O 200
[W07 9999]
  W07 M 1
  G69 O 5
  N9 O 200
  W20 O 2
  G62 O 5
  [W13 50]
    W13 M 1
    N9 O 200
W14 M 1 *
SE M 1
"""

STRUCTURE_5010 = replace(STRUCTURE, ("\nG08 O 2\n", "\nG08 O 2\nTD1 O 5\n"))

"""214 Transportation Carrier Shipment Status Message: the complete X12 segment table.

004010, shared by 005010. Every segment and loop of the standard's table (heading K1, G61 in
the N1 loop, MS3; in the LX loop Q7, AT5, the CD3 loop with its AT7 and N1 loops, the PRF loop,
SPO and EFI loops), so a valid message using parts the map does not read is accepted and kept in
the raw text. Earlier tables' more generous repeats are kept (L11 and MAN in the LX loop, AT8
20). A trailing ``*`` marks the segments the built-in map reads.

005010 (``STRUCTURE_5010``) moves the LX loop's L11, MAN, Q7, K1, AT5 and AT8 before the AT7
loop, adds K1 and M7 (seal numbers) to the AT7 loop (MS2 twice), an N1 loop and an OID loop
(order identification, SDQ) to the LX loop. Both orders are accepted in 005010, since partners
on 005010 still send the 004010 shape.
"""

from __future__ import annotations

from crossdock.x12.specs.revisions import replace

CODE = "214"
NAME = "Transportation Carrier Shipment Status Message"
STRUCTURE = """
ST M 1
B10 M 1 *
L11 O 300 *
MAN O 9999
K1 O 10
[N1 10]
  N1 M 1 *
  N2 O 1
  N3 O 2 *
  N4 O 1 *
  G61 O 1
  G62 O 1 *
  L11 O 10
MS3 O 12
[LX 999999]
  LX M 1 *
  [AT7 10]
    AT7 M 1 *
    MS1 O 1 *
    MS2 O 1
  L11 O >1 *
  MAN O >1
  Q7 O 10
  K1 O 10 *
  AT5 O 10
  AT8 O 20
  [CD3 999999]
    CD3 M 1
    L11 O 20
    [AT7 10]
      AT7 M 1
      MS1 O 1
      MS2 O 1
    NM1 O 1
    Q7 O 10
    AT8 O 1
    MAN O 9999
    [N1 999999]
      N1 M 1
      N2 O 1
      N3 O 3
      N4 O 1
      L11 O 10
  [PRF 999999]
    PRF M 1
    [N1 999999]
      N1 M 1
      N2 O 1
      N3 O 2
      N4 O 1
      L11 O 10
    [CD3 999999]
      CD3 M 1
      L11 O 20
      [AT7 10]
        AT7 M 1
        MS1 O 1
        MS2 O 1
      MAN O 9999
  [SPO 999999]
    SPO M 1
    SDQ O 10
  [EFI >1]
    EFI M 1
    BIN M 1
SE M 1
"""

STRUCTURE_5010 = replace(
    STRUCTURE,
    (
        "\n  LX M 1 *\n  [AT7 10]\n    AT7 M 1 *\n    MS1 O 1 *\n    MS2 O 1\n",
        "\n  LX M 1 *\n  L11 O 999\n  MAN O 9999\n  Q7 O 10\n  K1 O 10\n  AT5 O 10\n  AT8 O 10\n"
        "  [AT7 10]\n    AT7 M 1 *\n    MS1 O 1 *\n    MS2 O 2\n    K1 O 1\n    M7 O 1\n",
    ),
    (
        "\n  [EFI >1]\n    EFI M 1\n    BIN M 1\n",
        "\n  [EFI >1]\n    EFI M 1\n    BIN M 1\n"
        "  [N1 5]\n    N1 M 1\n    N2 O 1\n    N3 O 2\n    N4 O 1\n    G62 O 1\n    L11 O 10\n"
        "  [OID >1]\n    OID M 1\n    SDQ O 10\n",
    ),
)

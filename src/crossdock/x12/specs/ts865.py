"""865 Purchase Order Change Acknowledgment/Request - Seller Initiated: the complete table.

The 860's table (``ts860.TEMPLATE``, one table for 004010 and 005010, ``*`` marking what the
map reads) with BCA for BCH and, in each POC loop, the ACK loop where the seller says per
line whether it accepts, changes or rejects the change.
"""

from __future__ import annotations

from crossdock.x12.specs.ts860 import TEMPLATE

CODE = "865"
NAME = "Purchase Order Change Acknowledgment/Request - Seller Initiated"

_ACK_LOOP = """  [ACK 104]
    ACK M 1 *
    DTM O 1
"""

STRUCTURE = TEMPLATE.format(begin="BCA", ack=_ACK_LOOP)

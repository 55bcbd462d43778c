"""753 Request for Routing Instructions <-> RoutingRequest (outbound: the distributor, as a
supplier, asks its customer how to ship).

BGN02 is the request number, BGN03 its date; G62*10 the date the goods are ready; N1 SU/SF/ST
the supplier, ship-from (with a contact) and ship-to; one LX shipment with its OID orders
(a 753 with several LX shipments gives all their orders).
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party
from crossdock.mapping.x12.maps.transport import TRANSPORT_CODES, ignored, orders

MAP_753: dict[str, Any] = {
    "code": "753",
    "document_type": "routing_request",
    "codes": dict(TRANSPORT_CODES),
    "segments": [
        {
            "tag": "BGN",
            "required": True,
            "elements": {
                1: {"const": "00"},
                2: "request_number",
                3: {"path": "requested_on", "type": "date"},
            },
        },
        {
            "name": "ready_on",
            "tag": "G62",
            "when": {1: "10"},
            "elements": {2: {"path": "ready_on", "type": "date"}},
        },
        party("supplier", ["SU"]),
        party("ship_from", ["SF", "SH"], contact=True),
        party("ship_to", ["ST"]),
        {
            "tag": "LX",
            "elements": {1: {"const": "1"}},
            "children": [ignored("LX.G62", "G62"), orders("orders")],
        },
    ],
}

"""754 Routing Instructions <-> RoutingInstructions (inbound: the customer says how to ship).

BGN02 is the instructions' number, BGN06 the request they answer (the correlation key),
BGN03 their date; N1 SF/ST the parties; in the LX shipment, N9*LO the load number to quote,
G62*10 the pick-up date and time, TD5 the carrier (TD503 SCAC under TD502 2: the
``carrier_from_scac`` hook makes it the carrier party) and mode (TD504), OID the orders.
One document per 754: several LX shipments give all their orders, and the last one's load,
pick-up time and carrier.
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party
from crossdock.mapping.x12.maps.transport import TRANSPORT_CODES, ignored, orders

MAP_754: dict[str, Any] = {
    "code": "754",
    "document_type": "routing_instructions",
    "hooks": ["carrier_from_scac"],
    "codes": dict(TRANSPORT_CODES),
    "segments": [
        {
            "tag": "BGN",
            "required": True,
            "elements": {
                1: {"const": "00"},
                2: "instruction_number",
                3: {"path": "issued_on", "type": "date"},
                6: "request_number",
            },
        },
        party("ship_from", ["SF", "SH"]),
        party("ship_to", ["ST"]),
        {
            "tag": "LX",
            "elements": {1: {"const": "1"}},
            "children": [
                {
                    "name": "load_number",
                    "tag": "N9",
                    "when": {1: "LO"},
                    "elements": {2: "load_number"},
                },
                {
                    "name": "pickup_at",
                    "tag": "G62",
                    "when": {1: "10"},
                    "elements": {
                        2: {"path": "pickup_at", "type": "datetime", "time": 4},
                        3: {"const": "W", "if": 4},
                    },
                },
                ignored("LX.G62", "G62"),
                {
                    "tag": "TD5",
                    "elements": {
                        2: {"const": "2", "if": 3},
                        3: "carrier_scac",
                        4: "transport_method",
                    },
                },
                orders("orders"),
            ],
        },
    ],
}

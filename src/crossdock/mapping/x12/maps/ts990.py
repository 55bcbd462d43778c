"""990 Response to a Load Tender <-> LoadTenderResponse (inbound: the carrier answers).

B102 names the tendered load, B104 the answer (A accepted, D declined), B101 the carrier's
SCAC (the ``carrier_from_scac`` hook makes it the carrier party); N9*CN is the carrier's own
reference (its PRO), K1 the remarks a declined tender comes with (K101, 30 characters a
K1: longer text is spread over several; K102 is not read).
"""

from __future__ import annotations

from typing import Any

MAP_990: dict[str, Any] = {
    "code": "990",
    "document_type": "load_tender_response",
    "hooks": ["carrier_from_scac"],
    "codes": {"decision": {"A": "accepted", "D": "declined"}},
    "segments": [
        {
            "tag": "B1",
            "required": True,
            "elements": {
                1: "carrier_scac",
                2: "shipment_id",
                3: {"path": "responded_on", "type": "date"},
                4: {"path": "decision", "codes": "decision"},
            },
        },
        {
            "name": "carrier_reference",
            "tag": "N9",
            "when": {1: "CN"},
            "elements": {2: "carrier_reference"},
        },
        {"tag": "K1", "elements": {1: {"path": "reason", "max": 30, "split": 10}}},
    ],
}

"""Dictionary additions of the transport sets: 210, 204, 990, 753 and 754.

Segments the maps read spell out their elements (B3, L0, L1, L3, S5, B2, B2A, B1, OID,
BGN, N7); the others a translator must accept but the hub does not read (hazardous
material, seals, pallets, parcel carton detail…) use the ``*`` wildcard slot, so a real
document that carries them validates without this dictionary pretending to judge them.
Base segments (N1 to N4, N9, G62, L11, AT8, LX, K1, NTE, MEA, TD5, REF, PER) are reused as
they are.
"""

from __future__ import annotations


def _any(count: int, first: str = "O") -> str:
    """``count`` wildcard slots, the first one ``first`` (M when the standard requires it)."""
    return " ".join([f"{first}*"] + ["O*"] * (count - 1))


SEGMENTS_4010: dict[str, tuple[str, str]] = {
    # 210 Motor Carrier Freight Details and Invoice
    "B3": (
        "Beginning Segment for Carrier's Invoice",
        "O147 M76 O145 M146 O188 M373 M193 O202 O* O374 M140 O373 O* O* O*",
    ),
    "C2": ("Bank ID", _any(9, "M")),
    "C3": ("Currency", "M100 O280 O100 O100"),
    "R3": ("Carrier Detail (Routing Sequence/Transit Time)", _any(13, "M")),
    "H3": ("Special Handling Instructions", _any(5)),
    "N7": (
        "Equipment Details",
        "O206 M207 X81 X187 O* O* O* X183 X184 O102 O40 O140 " + _any(12) + " | P0304 P0809",
    ),
    "M7": ("Seal Numbers", _any(5, "M")),
    "S5": (
        "Stop-off Details",
        "M165 M163 X81 X188 X382 X355 X183 X184 O352 O* O* | P0304 P0506 P0708",
    ),
    "L5": ("Description, Marks and Numbers", "O213 O79 X22 X23 X103 X87 X88 X23 X22 O*"),
    "H1": ("Hazardous Material", _any(12, "M")),
    "H2": ("Additional Hazardous Material Description", _any(6, "M")),
    "L0": (
        "Line Item - Quantity and Weight",
        "O213 X220 X221 X81 X187 X183 X184 X80 X211 O458 O188 O56 O380 O211 O*"
        " | P0203 P0405 P0607 P0809",
    ),
    "L1": (
        "Rate and Charges",
        "O213 X60 X122 X58 O191 O117 O120 O150 O* O* O* O257 " + _any(12) + " | P0203",
    ),
    "L4": ("Measurement", _any(6, "M")),
    "L7": ("Tariff Reference", _any(15)),
    "POD": ("Proof of Delivery", _any(4, "M")),
    "CD3": ("Carton (Package) Detail", _any(15)),
    "H6": ("Special Services", _any(8)),
    "L9": ("Charge Detail", _any(4, "M")),
    "L3": (
        "Total Weight and Charges",
        "X81 X187 X60 X122 X58 O191 O117 O150 X183 X184 O80 O188 O* O* O* | P0102 P0304 P0910",
    ),
    # 204 Motor Carrier Load Tender
    "B2": (
        "Beginning Segment for Shipment Information Transaction",
        "O375 O140 O159 O145 O188 M146 O147 " + _any(6),
    ),
    "B2A": ("Set Purpose", "M353:purpose O346 O*"),
    "MS3": ("Interline Information", _any(7, "M")),
    "AT5": ("Bill of Lading Handling Requirements", _any(8)),
    "PLD": ("Pallet Information", _any(4, "M")),
    "LH6": ("Hazardous Certification", _any(6)),
    "G61": ("Contact", "M366 M93 X365 X364 O443 | P0304"),
    "N7A": ("Accessorial Equipment Details", _any(15)),
    "N7B": ("Additional Equipment Details", _any(8)),
    "LAD": ("Lading Detail", _any(16)),
    "LH1": ("Hazardous Identification Information", _any(15)),
    "LH2": ("Hazardous Classification Information", _any(15)),
    "LH3": ("Hazardous Material Shipping Name", _any(4)),
    "LFH": ("Freeform Hazardous Material Information", _any(7)),
    "LEP": ("EPA Required Data", _any(4)),
    "LH4": ("Canadian Dangerous Requirements", _any(12)),
    "LHT": ("Transborder Hazardous Requirements", _any(3)),
    "OID": (
        "Order Identification Detail",
        "O127 X324 O127 X211 X382 X188 X81 X184 X183 | R0102 P0405 P0607 P0809",
    ),
    # 990 Response to a Load Tender
    "B1": ("Beginning Segment for Booking or Pick-up/Delivery", "O140 M145 M373 M558 O*"),
    "V9": ("Event Detail", _any(22, "M")),
    # 753 / 754 routing request and instructions
    "BGN": ("Beginning Segment", "M353:purpose M127 M373 O337 X623 O127 O640 O306 O786 | C0504"),
    "R4": ("Port or Terminal", _any(8, "M")),
}

ELEMENTS: dict[str, tuple[str, int, int]] = {
    "56": ("ID", 2, 2),  # type of service
    "58": ("N2", 1, 12),  # charge
    "60": ("R", 1, 9),  # freight rate
    "117": ("N2", 1, 9),  # prepaid amount
    "120": ("AN", 1, 9),  # rate combination point
    "122": ("ID", 2, 2),  # rate/value qualifier
    "147": ("ID", 1, 1),  # shipment qualifier
    "150": ("ID", 2, 3),  # special charge or allowance code
    "159": ("AN", 6, 9),  # standard point location code
    "163": ("ID", 2, 2),  # stop reason code
    "165": ("N0", 1, 3),  # stop sequence number
    "191": ("N2", 1, 9),  # advances
    "193": ("N2", 1, 12),  # net amount due
    "202": ("ID", 2, 2),  # correction indicator
    "211": ("ID", 3, 3),  # packaging form code
    "213": ("N0", 1, 3),  # lading line item number
    "220": ("R", 1, 11),  # billed/rated-as quantity
    "221": ("ID", 2, 2),  # billed/rated-as qualifier
    "257": ("AN", 2, 25),  # special charge description
    "346": ("ID", 2, 2),  # application type
    "375": ("ID", 2, 2),  # tariff service code
    "458": ("AN", 2, 25),  # dunnage description
    "558": ("ID", 1, 1),  # reservation action code
}

"""The permissive dictionary entries of segments only the complete tables list.

The complete 004010/005010 transaction-set tables (issue 13) place segments no map reads.
They need a dictionary entry to be placed at all, but this project is not sure of every
element of each: an entry here spells the leading elements a translator commonly checks and
leaves the rest as optional printable slots, so a real document is never refused for this
table's mistake. A family extension (``dictionary.EXTENSIONS``) that spells the same id exactly
replaces the default (``dictionary`` fills these in last, with ``setdefault``).
"""

from __future__ import annotations

from crossdock.x12.specs.segments import paired_notes, product_id_pairs

# Segments the complete transaction-set tables list but no map reads: defaults, which a family
# extension (``dictionary.EXTENSIONS``) defining the same id exactly replaces. Where this dictionary
# is not sure of every element's attributes it is permissive on purpose: each slot optional,
# printable text (``*``, up to 80 characters; ``*L``, up to 4096 for free text), with more slots
# than the segment has elements, so a real document is never refused for this table's mistake.
# The elements a translator commonly checks are spelled out where they are certain.
_LOOSE_SLOTS = 40


def loose(head: str = "", slots: int = _LOOSE_SLOTS) -> str:
    """``head`` (exact leading element tokens) followed by optional wildcard slots."""
    used = len(head.split("|")[0].split())
    body, _, notes = head.partition("|")
    tail = " ".join(["O*"] * max(slots - used, 0))
    return f"{body} {tail}".strip() + (f" |{notes}" if notes else "")


TABLE_SEGMENTS: dict[str, tuple[str, str]] = {
    "ADV": ("Advertising Demographic Information", loose("M559")),
    "AT9": ("Trailer or Container Dimension and Weight", loose()),
    "BAL": ("Balance Detail", loose("M951 M522 M782")),
    "CB1": ("Contract and Cost Accounting Standards Data", loose()),
    "CLD": ("Load Detail", loose("M622 M382")),
    "CN1": ("Contract Information", loose("M1166")),
    "CRC": ("Conditions Indicator", loose("M1136 M1073")),
    "CTB": ("Restrictions/Conditions", loose("M688")),
    "DIS": ("Discount Detail", loose("M653")),
    "DMG": ("Demographic Information", loose()),
    "DTP": ("Date or Time or Period", loose("M374 M1250 M1251")),
    "EFI": ("Electronic Format Identification", loose()),
    "ETD": ("Excess Transportation Detail", loose("M626 M627")),
    "FA1": ("Type of Financial Accounting Data", loose("M559")),
    "FA2": ("Accounting Data", loose("M1196 M1195")),
    "G61": ("Contact", loose("M366 M93")),
    "GF": ("Furnished Goods and Services", loose()),
    "IN2": ("Individual Name Structure Components", loose("M1104 M93")),
    "INC": ("Installment Information", loose("M336")),
    "IT3": ("Additional Item Data", loose()),
    "IT8": ("Conditions of Sale", loose()),
    "L7": ("Tariff Reference", loose()),
    "LDT": ("Lead Time", loose("M345 M380 M344")),
    "LE": ("Loop Trailer", "M447"),
    "LEP": ("EPA Required Data", loose()),
    "LFH": ("Freeform Hazardous Material Information", loose("M808 M809")),
    "LH1": ("Hazardous Identification Information", loose("M355 M80")),
    "LH2": ("Hazardous Classification Information", loose("M215")),
    "LH3": ("Hazardous Material Shipping Name Information", loose("M224 M984")),
    "LH4": ("Canadian Dangerous Requirements", loose()),
    "LHE": ("Empty Equipment Hazardous Material Information", loose()),
    "LHR": ("Hazardous Material Identifying Reference Numbers", loose("M128 M127")),
    "LHT": ("Transborder Hazardous Requirements", loose()),
    "LM": ("Code Source Information", loose("M559")),
    "LQ": ("Industry Code", loose("O1270 X1271")),
    "LS": ("Loop Header", "M447"),
    "MTX": ("Text", "O363 O*L O*L O* O* O* O* O* O* O*"),
    "M7": ("Seal Numbers", loose()),
    "NX2": ("Location ID Component", loose("M1106 M166")),
    "OID": ("Order Identification Detail", loose()),
    "PAM": ("Period Amount", loose()),
    "PCT": ("Percent Amounts", loose("M1004 M954")),
    "PO3": ("Additional Item Detail", loose("M371")),
    "R4": ("Port or Terminal", loose("M115")),
    "SI": ("Service Characteristic Identification", loose("M559")),
    "SLN": (
        "Subline Item Detail",
        "M350 O350 M662 X380 XC001 X212 O639 O662 "
        + product_id_pairs(10)
        + " | P0405 "
        + paired_notes(9, 10),
    ),
    "SPI": ("Specification Identifier", loose("M786")),
    "SR": ("Requested Service Schedule", loose()),
    "TAX": ("Tax Reference", loose()),
    "TSD": ("Trailer Shipment Details", loose()),
    "V1": ("Vessel Identification", loose()),
    "YNQ": ("Yes/No Question", loose()),
    "AT5": ("Bill of Lading Handling Requirements", loose()),
    "BIN": ("Binary Data Segment", "O*L O*L"),
    "BNX": ("Rail Shipment Information", loose()),
    "CD3": ("Carton (Package) Detail", loose()),
    "CS": ("Contract Summary", loose()),
    "DD": ("Demand Detail", loose()),
    "G08": ("Pallet Information", loose()),
    "G53": ("Maintenance Type", loose()),
    "G66": ("Transportation Instructions", loose()),
    "G72": ("Allowance or Charge", loose()),
    "LH6": ("Hazardous Certification", loose()),
    "MS3": ("Interline Information", loose()),
    "NM1": ("Individual or Organizational Name", loose()),
    "Q7": ("Lading Exception Code", loose()),
    "R2": ("Route Information", loose()),
    "SPO": ("Shipment Purchase Order Detail", loose()),
    "W08": ("Warehouse Receipt Information", loose()),
    "W09": ("Equipment and Temperature", loose()),
    "W10": ("Warehouse Shipment Detail", loose()),
    "W13": ("Warehouse Exception Detail", loose()),
    "W18": ("Warehouse Adjustment Identification", loose()),
    "W28": ("Consolidation Information", loose()),
    "W6": ("Special Handling Information", loose()),
}

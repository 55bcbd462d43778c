"""Dictionary additions for the finance and catalog sets: 820, 832 and 852.

Only what the base tables lack (and, spelled identically, the segments these sets share with
the other sets' complete tables: ``_SHARED``). The segments the built-in maps read (BPR, TRN, ENT, RMR, ADX,
BCT, XQ, ZA) are spelled element by element, with their syntax notes, from the X12 tables.
The many segments these sets define but no map reads (royalty, tax and deduction loops of the
820, the 832's packaging and terms detail) are written with ``*`` slots, which accept any
printable value up to 80 characters: a partner that uses them is accepted and the segment
kept in the raw text, rather than refused for a part of the standard the hub does not judge.
"""

from __future__ import annotations

from crossdock.x12.specs.segments import paired_notes, product_id_pairs
from crossdock.x12.specs.table_segments import loose


def _any(count: int) -> str:
    """``count`` optional wildcard elements: a segment defined for placement, not content."""
    return " ".join(["O*"] * count)


# Segments these sets share with the complete tables of the other sets (850 SLN, SI, PAM...),
# spelled exactly as the base dictionary's complete-table entries spell them: an identical
# repeat is allowed, so the two never conflict and either may go once both are in.
_SHARED: dict[str, tuple[str, str]] = {
    "CRC": ("Conditions Indicator", loose("M1136 M1073")),
    "CTB": ("Restrictions/Conditions", loose("M688")),
    "DTP": ("Date or Time or Period", loose("M374 M1250 M1251")),
    "G53": ("Maintenance Type", loose()),
    "LDT": ("Lead Time", loose("M345 M380 M344")),
    "LM": ("Code Source Information", loose("M559")),
    "LQ": ("Industry Code", loose("O1270 X1271")),
    "MTX": ("Text", "O363 O*L O*L O* O* O* O* O* O* O*"),
    "NM1": ("Individual or Organizational Name", loose()),
    "PAM": ("Period Amount", loose()),
    "PCT": ("Percent Amounts", loose("M1004 M954")),
    "SI": ("Service Characteristic Identification", loose("M559")),
    "SLN": (
        "Subline Item Detail",
        "M350 O350 M662 X380 XC001 X212 O639 O662 "
        + product_id_pairs(10)
        + " | P0405 "
        + paired_notes(9, 10),
    ),
    "YNQ": ("Yes/No Question", loose()),
}

SEGMENTS_4010: dict[str, tuple[str, str]] = {
    **_SHARED,
    # 820 Payment Order/Remittance Advice
    "BPR": (
        "Beginning Segment for Payment Order/Remittance Advice",
        "M305 M782 M478 M591 O812 X506 X507 O569 X508 O509 O510 X506 X507 O569 X508 O373 "
        "O1048 X506 X507 O569 X508 | P0607 C0809 P1213 C1415 P1819 C2021",
    ),
    "TRN": ("Trace", "M481 M127 O* O127"),
    "RDM": ("Remittance Delivery Method", "M756 O93 O364 O* O*"),
    "ENT": ("Entity", "O554 X98 X66 X67 X98 X66 X67 X128 X127 | P020304 P050607 P0809"),
    "ADX": ("Adjustment", "M782 M426 X128 X127 | P0304"),
    "RMR": (
        "Remittance Advice Accounts Receivable Open Item Reference",
        "X128 X127 O482 O782 O782 O782 X426 X782 | P0102 P0708",
    ),
    "TXP": ("Tax Payment", _any(20)),
    "DED": ("Deductions", _any(10)),
    "AIN": ("Income", _any(10)),
    "PEN": ("Pension Information", _any(10)),
    "INV": ("Investment Vehicle Selection", _any(10)),
    "EMS": ("Employment Position", _any(15)),
    "ATN": ("Attendance", _any(10)),
    "PYD": ("Payroll Deduction", _any(10)),
    "RYL": ("Royalty Payment", _any(10)),
    "LOC": ("Location", _any(10)),
    "ASM": ("Amount and Settlement Method", _any(5)),
    # 832 Price/Sales Catalog
    "BCT": (
        "Beginning Segment for Price/Sales Catalog",
        "M683 O684 O685 O686 O355 O684 O685 O686 O352 O353:purpose",
    ),
    "G93": ("Item Characteristics - Vehicle", _any(8)),
    "AAA": ("Request Validation", _any(5)),
    "CRD": ("Credit/Debit Information", _any(10)),
    "G55": ("Item Characteristics - Consumer Unit", _any(30)),
    "G54": ("Item Characteristics - Sales", _any(15)),
    "G40": ("Quantity Price", _any(10)),
    "G36": ("Item Characteristics - Pricing", _any(10)),
    "G43": ("Promotion/Allowance", _any(10)),
    "G26": ("Message", _any(5)),
    "G39": ("Item Characteristics - Vendor's Selling Unit", _any(25)),
    "PKL": ("Packaging Loading", _any(10)),
    "LFG": ("Label Format", _any(10)),
    # 852 Product Activity Data
    "XQ": ("Reporting Date/Action", "M305 M373 O373 O127 O353 O*"),
    "XPO": ("Preassigned Purchase Order Numbers", "M324 O* O* O*"),
    "ZA": (
        "Product Activity Reporting",
        "M859 X380 X355 X374 X373 X128 X127 O1073 | P0203 P0405 P0607",
    ),
    "G95": ("Performed Actions", _any(10)),
}

ELEMENTS: dict[str, tuple[str, int, int]] = {
    # of the shared segments above, as the base dictionary's complete-table additions
    "*L": ("AN", 1, 4096),
    "344": ("ID", 1, 3),
    "345": ("ID", 1, 3),
    "688": ("ID", 1, 3),
    "1004": ("ID", 1, 3),
    "1136": ("ID", 1, 3),
    "1270": ("ID", 1, 3),
    "662": ("ID", 1, 1),
    # of this family's own segments
    "305": ("ID", 1, 2),  # transaction handling code (BPR01, XQ01)
    "426": ("ID", 2, 2),  # adjustment reason code
    "481": ("ID", 1, 2),  # trace type code
    "482": ("ID", 2, 2),  # payment action code
    "506": ("ID", 2, 2),  # DFI id number qualifier
    "507": ("AN", 3, 12),  # DFI identification number
    "509": ("AN", 10, 10),  # originating company identifier
    "510": ("AN", 9, 9),  # originating company supplemental code
    "569": ("ID", 1, 3),  # account number qualifier
    "591": ("ID", 3, 3),  # payment method code
    "683": ("ID", 2, 2),  # catalog purpose code
    "684": ("AN", 1, 15),  # catalog number
    "685": ("AN", 1, 15),  # catalog version number
    "686": ("AN", 1, 6),  # catalog revision number
    "756": ("ID", 1, 2),  # report transmission code
    "812": ("ID", 1, 10),  # payment format code
    "859": ("ID", 2, 2),  # activity code
    "1048": ("ID", 3, 3),  # business function code
}

"""Dictionary additions for the finance and catalog sets: 820, 832 and 852.

Only what the base tables lack. The segments the built-in maps read (BPR, TRN, ENT, RMR, ADX,
BCT, XQ, ZA) are spelled element by element, with their syntax notes, from the X12 tables.
The many segments these sets define but no map reads (royalty, tax and deduction loops of the
820, the 832's packaging and terms detail) are written with ``*`` slots, which accept any
printable value up to 80 characters: a partner that uses them is accepted and the segment
kept in the raw text, rather than refused for a part of the standard the hub does not judge.
"""

from __future__ import annotations


def _any(count: int) -> str:
    """``count`` optional wildcard elements: a segment defined for placement, not content."""
    return " ".join(["O*"] * count)


def _ids(count: int) -> str:
    return " ".join(["X235 X234"] * count)


def _paired(start: int, count: int) -> str:
    return " ".join(f"P{start + 2 * i:02d}{start + 2 * i + 1:02d}" for i in range(count))


SEGMENTS_4010: dict[str, tuple[str, str]] = {
    # 820 Payment Order/Remittance Advice
    "BPR": (
        "Beginning Segment for Payment Order/Remittance Advice",
        "M305 M782 M478 M591 O812 X506 X507 O569 X508 O509 O510 X506 X507 O569 X508 O373 "
        "O1048 X506 X507 O569 X508 | P0607 C0809 P1213 C1415 P1819 C2021",
    ),
    "TRN": ("Trace", "M481 M127 O* O127"),
    "RDM": ("Remittance Delivery Method", "M756 O93 O364 O* O*"),
    "ENT": ("Entity", "O554 X98 X66 X67 X98 X66 X67 X128 X127 | P020304 P050607 P0809"),
    "NM1": (
        "Individual or Organizational Name",
        "M98 M1065 X1035 O1036 O1037 O1038 O1039 X66 X67 X706 X98 O1035 | P0809 C1110",
    ),
    "ADX": ("Adjustment", "M782 M426 X128 X127 | P0304"),
    "RMR": (
        "Remittance Advice Accounts Receivable Open Item Reference",
        "X128 X127 O482 O782 O782 O782 X426 X782 | P0102 P0708",
    ),
    "SLN": (
        "Subline Item Detail",
        "M350 O350 M662 X380 XC001 X212 X639 O662 " + _ids(10) + " | P0405 " + _paired(9, 10),
    ),
    "TXP": ("Tax Payment", _any(20)),
    "DED": ("Deductions", _any(10)),
    "G53": ("Maintenance Type", _any(5)),
    "AIN": ("Income", _any(10)),
    "DTP": ("Date or Time or Period", "M374 M1250 M1251"),
    "PEN": ("Pension Information", _any(10)),
    "INV": ("Investment Vehicle Selection", _any(10)),
    "EMS": ("Employment Position", _any(15)),
    "ATN": ("Attendance", _any(10)),
    "PYD": ("Payroll Deduction", _any(10)),
    "RYL": ("Royalty Payment", _any(10)),
    "LOC": ("Location", _any(10)),
    "PCT": ("Percent Amounts", _any(8)),
    "ASM": ("Amount and Settlement Method", _any(5)),
    # 832 Price/Sales Catalog
    "BCT": (
        "Beginning Segment for Price/Sales Catalog",
        "M683 O684 O685 O686 O355 O684 O685 O686 O352 O353:purpose",
    ),
    "YNQ": ("Yes/No Question", _any(10)),
    "CTB": ("Restrictions/Conditions", _any(10)),
    "LDT": ("Lead Time", _any(8)),
    "G93": ("Item Characteristics - Vehicle", _any(8)),
    "AAA": ("Request Validation", _any(5)),
    "LM": ("Code Source Information", _any(3)),
    "LQ": ("Industry Code", _any(3)),
    "SI": ("Service Characteristic Identification", _any(21)),
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
    "CRC": ("Conditions Indicator", _any(10)),
    "PAM": ("Period Amount", _any(15)),
    "MTX": ("Text", _any(6)),
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
    "305": ("ID", 1, 2),  # transaction handling code (BPR01, XQ01)
    "426": ("ID", 2, 2),  # adjustment reason code
    "481": ("ID", 1, 2),  # trace type code
    "482": ("ID", 2, 2),  # payment action code
    "506": ("ID", 2, 2),  # DFI id number qualifier
    "507": ("AN", 3, 12),  # DFI identification number
    "508": ("AN", 1, 35),  # account number
    "509": ("AN", 10, 10),  # originating company identifier
    "510": ("AN", 9, 9),  # originating company supplemental code
    "569": ("ID", 1, 3),  # account number qualifier
    "591": ("ID", 3, 3),  # payment method code
    "662": ("ID", 1, 1),  # relationship code
    "683": ("ID", 2, 2),  # catalog purpose code
    "684": ("AN", 1, 15),  # catalog number
    "685": ("AN", 1, 15),  # catalog version number
    "686": ("AN", 1, 6),  # catalog revision number
    "756": ("ID", 1, 2),  # report transmission code
    "812": ("ID", 1, 10),  # payment format code
    "859": ("ID", 2, 2),  # activity code
    "1035": ("AN", 1, 60),  # name last or organization name (60 from 005010 on)
    "1036": ("AN", 1, 35),
    "1037": ("AN", 1, 25),
    "1038": ("AN", 1, 10),
    "1039": ("AN", 1, 10),
    "1048": ("ID", 3, 3),  # business function code
    "1065": ("ID", 1, 1),  # entity type qualifier
}

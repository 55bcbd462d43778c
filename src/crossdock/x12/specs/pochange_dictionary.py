"""Dictionary additions of the PO change family: 860 (BCH) and 865 (BCA), their POC line.

BCH, BCA and POC are defined exactly (004010, unchanged in 005010), with the elements 670
(change or response type) and 671 (quantity left to receive). POC02 carries no code list on
purpose: X12 defines some thirty change types and this dictionary is not sure of them all, so
the validator does not judge it; the map does, naming the code when it cannot read one.

The complete 860/865 tables also name segments shared with other sets (TAX, PAM, PO3, SLN,
LM/LQ, ...). Those belong in the base table (``segments.py``); until the base carries one,
``_SHARED`` supplies a permissive stand-in (every element optional printable text), and
``SEGMENTS_4010`` keeps only the stand-ins the base does not have, so this module never
defines a shared segment a second, different way.
"""

from __future__ import annotations

from crossdock.x12.specs import segments


def _conditional_pairs(start: int, count: int) -> str:
    """``C0809``-style notes: each product id qualifier needs its id."""
    return " ".join(f"C{start + 2 * i:02d}{start + 2 * i + 1:02d}" for i in range(count))


_POC = (
    "O350 M670 O330 X671 XC001 X212 O639 "
    + " ".join(["X235:prod_id X234"] * 10)
    + " | C0706 "
    + _conditional_pairs(8, 10)
)

_OWN: dict[str, tuple[str, str]] = {
    "BCH": (
        "Beginning Segment for Purchase Order Change",
        "M353:purpose M92:po_type M324 O328 O327 M373 O326 O367 O127 O373 O373 O1166 O786 "
        "O587 O640 O1232",
    ),
    "BCA": (
        "Beginning Segment for Purchase Order Change Acknowledgment",
        "M353 M587:ack_type M324 O328 O327 O373 O326 O367 O127 O373 O373 O* O* O* O*",
    ),
    "POC": ("Line Item Change", _POC),
}


def _loose(slots: int = 30) -> str:
    return " ".join(["O*"] * slots)


_SHARED: dict[str, tuple[str, str]] = {
    "ADV": ("Advertising Demographic Information", _loose()),
    "CB1": ("Contract and Cost Accounting Standards Data", _loose()),
    "CTB": ("Restrictions/Conditions", _loose()),
    "DIS": ("Discount Detail", _loose()),
    "FA1": ("Type of Financial Accounting Data", _loose()),
    "FA2": ("Accounting Data", _loose()),
    "G61": ("Contact", _loose()),
    "INC": ("Installment Information", _loose()),
    "IT8": ("Conditions of Sale", _loose()),
    "LDT": ("Lead Time", _loose()),
    "LM": ("Code Source Information", _loose()),
    "LQ": ("Industry Code", _loose()),
    "MTX": ("Text", _loose()),
    "NX2": ("Location ID Component", _loose()),
    "PAM": ("Period Amount", _loose()),
    "PCT": ("Percent Amounts", _loose()),
    "PO3": ("Additional Item Detail", _loose()),
    "SI": ("Service Characteristic Identification", _loose()),
    "SLN": ("Subline Item Detail", _loose()),
    "SPI": ("Specification Identifier", _loose()),
    "TAX": ("Tax Reference", _loose()),
}

SEGMENTS_4010: dict[str, tuple[str, str]] = {
    **_OWN,
    **{k: v for k, v in _SHARED.items() if k not in segments.SEGMENTS_4010},
}

ELEMENTS: dict[str, tuple[str, int, int]] = {
    "670": ("ID", 2, 2),
    "671": ("R", 1, 9),
}

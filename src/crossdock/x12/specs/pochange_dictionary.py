"""Dictionary additions of the PO change family: 860 (BCH) and 865 (BCA), their POC line.

BCH, BCA and POC are defined exactly (004010, unchanged in 005010), with the elements 670
(change or response type) and 671 (quantity left to receive). POC02 carries no code list on
purpose: X12 defines some thirty change types and this dictionary is not sure of them all, so
the validator does not judge it; the map does, naming the code when it cannot read one.

The complete 860/865 tables also name segments shared with other sets (TAX, PAM, PO3, SLN,
LM/LQ, ...). Those belong in the base table (``segments.py``, where the complete tables of
issue 13 put them); ``_SHARED`` spells them (and the elements their heads name) exactly as
the base does there, for as long as the base lacks them, and keeps only what the base does
not have: never a shared segment defined a second, different way.
"""

from __future__ import annotations

from crossdock.x12.specs import elements, segments
from crossdock.x12.specs.segments import paired_notes, product_id_pairs
from crossdock.x12.specs.table_segments import loose


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


# Spelled exactly as the complete tables (issue 13, ``table_segments.TABLE_SEGMENTS``) spell them,
# so a repeat is identical, never a conflict, whichever branch lands first. G61 (in the SPI
# loop's N1 loop) is the transport family's (``transport_dictionary``).
_SHARED: dict[str, tuple[str, str]] = {
    "ADV": ("Advertising Demographic Information", loose("M559")),
    "CB1": ("Contract and Cost Accounting Standards Data", loose()),
    "CTB": ("Restrictions/Conditions", loose("M688")),
    "DIS": ("Discount Detail", loose("M653")),
    "FA1": ("Type of Financial Accounting Data", loose("M559")),
    "FA2": ("Accounting Data", loose("M1196 M1195")),
    "INC": ("Installment Information", loose("M336")),
    "IT8": ("Conditions of Sale", loose()),
    "LDT": ("Lead Time", loose("M345 M380 M344")),
    "LM": ("Code Source Information", loose("M559")),
    "LQ": ("Industry Code", loose("O1270 X1271")),
    "MTX": ("Text", "O363 O*L O*L O* O* O* O* O* O* O*"),
    "NX2": ("Location ID Component", loose("M1106 M166")),
    "PAM": ("Period Amount", loose()),
    "PCT": ("Percent Amounts", loose("M1004 M954")),
    "PO3": ("Additional Item Detail", loose("M371")),
    "SI": ("Service Characteristic Identification", loose("M559")),
    "SLN": (
        "Subline Item Detail",
        "M350 O350 M662 X380 XC001 X212 O639 O662 "
        + product_id_pairs(10)
        + " | P0405 "
        + paired_notes(9, 10),
    ),
    "SPI": ("Specification Identifier", loose("M786")),
    "TAX": ("Tax Reference", loose()),
}
# The elements those heads name, as the complete tables' ``elements._TABLE_ADDITIONS`` has them.
_SHARED_ELEMENTS: dict[str, tuple[str, int, int]] = {
    "*L": ("AN", 1, 4096),
    "1004": ("ID", 1, 3),
    "1106": ("ID", 1, 3),
    "1195": ("AN", 1, 80),
    "1196": ("AN", 1, 3),
    "1270": ("ID", 1, 3),
    "344": ("ID", 1, 3),
    "345": ("ID", 1, 3),
    "371": ("ID", 1, 3),
    "653": ("ID", 1, 3),
    "662": ("ID", 1, 1),
    "688": ("ID", 1, 3),
}

SEGMENTS_4010: dict[str, tuple[str, str]] = {
    **_OWN,
    **{k: v for k, v in _SHARED.items() if k not in segments.SEGMENTS_4010},
}

ELEMENTS: dict[str, tuple[str, int, int]] = {
    "670": ("ID", 2, 2),
    "671": ("R", 1, 9),
    **{k: v for k, v in _SHARED_ELEMENTS.items() if k not in elements.ELEMENTS_4010},
}

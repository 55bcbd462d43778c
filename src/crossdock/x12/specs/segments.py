"""The segment dictionary: segment id -> (name, element tokens | syntax notes).

Plain data in the token grammar of ``crossdock.x12.spec_model`` (``M353:purpose`` is a mandatory
element 353 checked against the 'purpose' code list; ``X`` elements are governed by the notes
after ``|``). Segments are shared by every transaction set that uses them; 005010 overrides
only the segments that changed shape. Product-id pairs repeat ten-odd times in PO1/IT1/LIN/ACK,
so two helpers spell those runs instead of copying them by hand.
"""

from __future__ import annotations


def product_id_pairs(count: int) -> str:
    """``count`` product/service id qualifier + id pairs."""
    return " ".join(["X235:prod_id X234"] * count)


def paired_notes(start: int, count: int) -> str:
    """Paired syntax notes for ``count`` pairs starting at position ``start``."""
    return " ".join(f"P{start + 2 * i:02d}{start + 2 * i + 1:02d}" for i in range(count))


SEGMENTS_4010: dict[str, tuple[str, str]] = {
    # envelope of the set
    "ST": ("Transaction Set Header", "M143 M329"),
    "SE": ("Transaction Set Trailer", "M96 M329"),
    # beginning segments
    "BEG": (
        "Beginning Segment for Purchase Order",
        "M353:purpose M92:po_type M324 O328 M373 O367 O587 O1019 O1166",
    ),
    "BAK": (
        "Beginning Segment for Purchase Order Acknowledgment",
        "M353:purpose M587:ack_type M324 M373 O328 O326 O367 O127 O373 O640",
    ),
    "BSN": (
        "Beginning Segment for Ship Notice",
        "M353:purpose M396 M373 M337 O1005 X640 O641 | C0706",
    ),
    "BIG": (
        "Beginning Segment for Invoice",
        "M373 M76 O373 O324 O328 O327 O640 O353:purpose O306 O76",
    ),
    "BIA": (
        "Beginning Segment for Inventory Inquiry/Advice",
        "M353:purpose M755 M127 M373 O337 O640",
    ),
    "W05": ("Shipping Order Identification", "M473:w_status M534 O324 O* O* O640 O* O*"),
    "W06": (
        "Warehouse Shipment Identification",
        "M473:w_status O534 M373 O145 O145 O324 O* O* O306 O640 O337",
    ),
    "W17": ("Warehouse Receipt Identification", "M473:w_status M373 M534 O324 O* O* O* O*"),
    "B10": (
        "Beginning Segment for Transportation Carrier Shipment Status Message",
        "M127 M145 M140 O71 X128 X127 O1073 | P0506",
    ),
    # heading / shared
    "CUR": (
        "Currency",
        "M98 M100 O280 X98 X100 X669 X374 X373 X337 X374 X373 X337 X374 X373 X337 X374 X373 X337 X374 X373 X337 | C0807 C0907 L101112 C1110 C1210 L131415 C1413 C1513 L161718 C1716 C1816 L192021 C2019 C2119",
    ),
    "REF": ("Reference Identification", "M128:ref X127 X352 OC040 | R0203"),
    "PER": (
        "Administrative Communications Contact",
        "M366 O93 X365 X364 X365 X364 X365 X364 O443 | P0304 P0506 P0708",
    ),
    "FOB": (
        "F.O.B. Related Instructions",
        "M146 X309 X352 O334 X335 X309 X352 X54 X352 | C0302 C0405 C0706 C0809",
    ),
    "CSH": ("Sales Requirements", "O563 X306 X610 O508 X373 X560 O566 X954 O* O*"),
    "SAC": (
        "Service, Promotion, Allowance, or Charge Information",
        "M248 X1300 X559 X1301 O610 X378 X332 O118 X355 X380 X380 O331 X127 O770 X352 O819 | R0203 P0304 P0607 P0910 C1110 C1413 C1615",
    ),
    "ITD": (
        "Terms of Sale/Deferred Terms of Sale",
        "O336 O333 O338 X370 X351 X446 O386 O362 X388 X389 O342 O352 X765 O107 O954 | L03040513 L08040513 L091011",
    ),
    "DTM": ("Date/Time Reference", "M374:date X373 X337 O623 X1250 X1251 | R020305 C0403 P0506"),
    "TD5": (
        "Carrier Details (Routing Sequence/Transit Time)",
        "O133:routing_seq X66:id_qual X67 X91:transport X387 X368 O309 X310 O731 X732 X733 X284 X284 X284 O26 | R0204050612 C0203 C0708 C1011 C1312 C1413 C1512",
    ),
    "TD1": (
        "Carrier Details (Quantity and Weight)",
        "O103 X80 O23 X22 O79 O187 X81 X355 X183 X355 | C0102 C0304 C0607 P0708 P0910",
    ),
    "TD3": (
        "Carrier Details (Equipment)",
        "O40 X206 X207 O187 X81 X355 O102 O407 O225 O24 | E0110 C0203 C0405 P0506",
    ),
    "TD4": (
        "Carrier Details (Special Handling, or Hazardous Materials, or Both)",
        "X152 X208 X209 X352 O1073 O* | R010204 C0203",
    ),
    "N9": ("Reference Identification", "M128:ref X127 X369 O373 O337 O623 OC040 | R0203 C0605"),
    "MSG": ("Message Text", "M933 X934 O1470 | C0302"),
    "NTE": ("Note/Special Instruction", "O363 M352"),
    "N1": ("Name", "M98:entity X93 X66:id_qual X67 O706 O98 | R0203 P0304"),
    "N2": ("Additional Name Information", "M93 O93"),
    "N3": ("Address Information", "M166 O166"),
    "N4": ("Geographic Location", "O19 O156 O116 O26 X309 O310 X1715 | C0605"),
    "PKG": ("Marking, Packaging, Loading", "X349 O753 X559 X754 X352 O* | R0405 C0403"),
    "MEA": (
        "Measurements",
        "O737 O738 X739 XC001 X740 X741 X935 X936 O752 O* | R03050608 C0504 C0604 L07030506 E0803",
    ),
    "TC2": ("Commodity", "M23 M22"),
    "AMT": ("Monetary Amount", "M522 M782 O478"),
    "CTT": ("Transaction Totals", "M354 O347 X81 X355 X183 X355 O352 | P0304 P0506"),
    "TXI": ("Tax Information", "M963 X782 X954 X955 X956 X441 X1325 O350 | R020306 P0405"),
    # purchase order / acknowledgment detail
    "PO1": (
        "Baseline Item Data",
        "O350 X330 O355:uom X212 O639 "
        + product_id_pairs(10)
        + " | C0302 C0504 "
        + paired_notes(6, 10),
    ),
    "PID": (
        "Product/Item Description",
        "M349 O750 X559 X751 X352 O752 O822 O1073 O819 | C0403 R0405 C0703 C0804 C0905",
    ),
    "PO4": (
        "Item Physical Details",
        "O356 X357 X355 O103 O187 X384 X355 X385 X355 X82 X189 X65 X355 O810 O752 X350 X350 O1470 | C0302 C0506 P0607 P0809 L13101112 C1013 C1113 C1213 C1716 C1804",
    ),
    "CTP": (
        "Pricing Information",
        "O687 X236 X212 X380 XC001 O648 O649 O782 O639 O499 O289 | P0405 C0607",
    ),
    "SDQ": (
        "Destination Quantity",
        "M355 O66 M67 M380 " + " ".join(["X67 X380"] * 9) + " O310 | " + paired_notes(5, 9),
    ),
    "ACK": (
        "Line Item Acknowledgment",
        "M668:line_status X380 X355:uom X374 X373 O326 "
        + product_id_pairs(10)
        + " O559 X822 O1271 | P0203 C0405 "
        + paired_notes(7, 10)
        + " C2827",
    ),
    "SCH": (
        "Line Item Schedule",
        "M380 M355 X98 X93 M374 M373 X337 X374 X373 X337 O326 O350 | C0304 C0908 C1008",
    ),
    # ship notice
    "HL": ("Hierarchical Level", "M628 O734 M735:hl_level O736"),
    "LIN": (
        "Item Identification",
        "O350 M235:prod_id M234 " + product_id_pairs(14) + " | " + paired_notes(4, 14),
    ),
    "SN1": ("Item Detail (Shipment)", "O350 M382 M355:uom O646 X330 X355 O728 O668 | P0506"),
    "PRF": ("Purchase Order Reference", "M324 O328 O327 O373 O350 O367 O92 O*"),
    "MAN": ("Marks and Numbers", "M88 M87 O87 X88 X87 O87 | P0405 C0604"),
    "PAL": (
        "Pallet Information",
        "O883 O884 O406 O103 O* O187 O81 O355 O82 O189 O65 O355 O81 O* O* O*",
    ),
    "PWK": ("Paperwork", "M755 O* O* X98 X66 X67 O352 O* O* | P0506"),
    # invoice
    "IT1": (
        "Baseline Item Data (Invoice)",
        "O350 X358 X355:uom X212 O639 "
        + product_id_pairs(10)
        + " | P020304 "
        + paired_notes(6, 10),
    ),
    "TDS": ("Total Monetary Value Summary", "M610 O610 O610 O610"),
    "CAD": ("Carrier Detail", "O91 X206 X207 X140 X387 O368 O128 X127 O284 | R0405 C0708"),
    "ISS": (
        "Invoice Shipment Summary",
        "X382 X355 X81 X355 X183 X355 X380 X355 | P0102 P0304 P0506 P0708",
    ),
    # warehouse
    "W66": ("Warehouse Carrier Information", "M146 M91:transport O309 X310 X387 X140 O* O* O* O*"),
    "LX": ("Assigned Number", "M554"),
    "W01": (
        "Line Item Detail - Warehouse",
        "M330 M355:uom X438 X235:prod_id X234 X235:prod_id X234 O* O* O* O* O* O* O* O* | P0405 P0607",
    ),
    "G69": ("Line Item Detail - Description", "M369"),
    "G62": ("Date/Time", "X432 X373 X176 X337 O623 | R0103 P0102 P0304"),
    "W20": ("Line Item Detail - Miscellaneous", "O356 X357 X355 X81 X187 X188 O* O* O*"),
    "W76": ("Total Shipping Order", "M347 O81 X355 O183 X355 O* | P0203 P0405"),
    "W27": ("Carrier Detail", "M91:transport O140 O387 O146 O152 O* O* O* O*"),
    "W12": (
        "Warehouse Item Detail",
        "M368:order_status O382 O382 O382 O355 O438 X235:prod_id X234 O461 O81 O187 O188 O* O* O* O* O* O* O* O* O* O* | P0708",
    ),
    "W03": ("Total Shipment Information", "M382 O81 X355 O183 X355 O80 X355 | P0203 P0405 P0607"),
    "W07": (
        "Item Detail For Stock Receipt",
        "M382 M355:uom X438 X235:prod_id X234 X235:prod_id X234 O461 O* O* | P0405 P0607",
    ),
    "W14": ("Total Receipt Information", "M382 O382 O382 O382 O382"),
    # inventory
    "QTY": ("Quantity", "M673 X380 OC001 X61 | R0204 E0204"),
    "UIT": ("Unit Detail", "MC001 X212 X639 | C0302"),
    # carrier status
    "L11": ("Business Instructions and Reference Number", "X127 X128:ref O352 | R0102"),
    "AT7": (
        "Shipment Status Details",
        "X1650:status X1651:status_reason X1652 X1653 O373 O337 O623 | R0103 P0102 P0304 C0706",
    ),
    "MS1": (
        "Equipment, Shipment, or Real Property Location",
        "X19 X156 X26 X1654 X1655 X1280 X1280 O* O*",
    ),
    "MS2": ("Equipment or Container Owner and Type", "X140 X207 O40 O* | P0102"),
    "K1": ("Remarks", "M61 O61"),
    "AT8": (
        "Shipment Weight, Packaging and Quantity Data",
        "X187 X188 X81 X80 X80 X183 X184 | P010203 C0506",
    ),
    # acknowledgments
    "AK1": ("Functional Group Response Header", "M479:func_id M28 O480"),
    "AK2": ("Transaction Set Response Header", "M143 M329 O1705"),
    "AK3": ("Data Segment Note", "M721 M719 O447 O720:ak3_error"),
    "AK4": ("Data Element Note", "MC030 O725 M723:ak4_error O724"),
    "AK5": ("Transaction Set Response Trailer", "M717:ak5_ack " + " ".join(["O718:ak5_error"] * 5)),
    "AK9": (
        "Functional Group Response Trailer",
        "M715:ak9_ack M97 M123 M2 " + " ".join(["O716:ak9_error"] * 5),
    ),
    "IK3": ("Implementation Data Segment Note", "M721 M719 O447 M620:ak3_error"),
    "IK4": ("Implementation Data Element Note", "MC030 O725 M621:ak4_error O724"),
    "IK5": (
        "Implementation Transaction Set Response Trailer",
        "M717:ak5_ack " + " ".join(["O618:ak5_error"] * 5),
    ),
    "CTX": ("Context", "MC998 X721 X719 O447 OC030 OC999 | P0203"),
}

# 005010 segments whose shape differs from 004010 (added trailing elements).
SEGMENTS_5010: dict[str, tuple[str, str]] = {
    **SEGMENTS_4010,
    "ST": ("Transaction Set Header", "M143 M329 O1705"),
    "BEG": (
        "Beginning Segment for Purchase Order",
        "M353:purpose M92:po_type M324 O328 M373 O367 O587 O1019 O1166 O1232 O786 O640",
    ),
}

COMPOSITES: dict[str, str] = {
    "C001": "M355 O1018 O649 X355 X1018 X649 X355 X1018 X649 X355 X1018 X649 X355 X1018 X649",
    "C030": "M722 O1528 O1686",
    "C040": "M128:ref M127 X128:ref X127 X128:ref X127 | P0304 P0506",
    "C998": "M9999 O9998",
    "C999": "M722 O1528 O1686 O725",
}

# Segment ids X12 defines beyond this dictionary: seeing one in a set that does not use it is
# AK304 code 2/6 (known, wrong place); an id in neither list is code 1 (unrecognized).
OTHER_X12_SEGMENTS: frozenset[str] = frozenset(
    [
        "ADV",
        "AIN",
        "AT1",
        "AT2",
        "AT3",
        "AT4",
        "AT5",
        "AT6",
        "AT9",
        "B1",
        "B2",
        "B2A",
        "B3",
        "B3A",
        "B4",
        "BGN",
        "BMG",
        "BPR",
        "BQT",
        "BRA",
        "C3",
        "CD3",
        "CLD",
        "CN1",
        "CR1",
        "CTB",
        "DIS",
        "DMG",
        "ENT",
        "FA1",
        "FA2",
        "G01",
        "G05",
        "G20",
        "G23",
        "G39",
        "G43",
        "G61",
        "G72",
        "GF",
        "H1",
        "H3",
        "IEA",
        "INC",
        "ISA",
        "IT3",
        "IT8",
        "L0",
        "L1",
        "L3",
        "L4",
        "L5",
        "LDT",
        "LE",
        "LH1",
        "LH2",
        "LH3",
        "LM",
        "LQ",
        "LS",
        "MAN",
        "MTX",
        "N5",
        "N7",
        "N10",
        "NM1",
        "NX1",
        "NX2",
        "OID",
        "PAM",
        "PCT",
        "PO3",
        "POC",
        "PRS",
        "Q7",
        "QTY",
        "RMR",
        "S5",
        "SE",
        "SHP",
        "SI",
        "SLN",
        "SPI",
        "SPS",
        "SRT",
        "SSS",
        "SUP",
        "TA1",
        "TRN",
        "TSD",
        "TSS",
        "UIT",
        "V1",
        "V9",
        "W04",
        "W08",
        "W09",
        "W10",
        "W13",
        "W15",
        "W19",
        "W21",
        "W28",
        "W79",
        "YNQ",
        "GS",
        "GE",
        "LQ",
        "LIN",
        "HLH",
        "CR2",
        "CL1",
        "DN1",
        "CLM",
        "SBR",
        "HCP",
        "HI",
        "AMT",
        "K1",
        "K2",
        "K3",
        "SV1",
        "SV2",
        "SV3",
        "LUI",
    ]
)

"""The supplier portal's EDI channel: X12 850 in, 855 / 856 / 810 out (version 004010).

Many suppliers never see the hub's JSON: their EDI translator reads 850 purchase orders and
answers with 855 acknowledgments, 856 ship notices and 810 invoices. A supplier set to
``"channel": "x12"`` does exactly that, from the same portal documents, so the hub's X12 intake
and maps are exercised by a partner that behaves like a real one. The sandbox uses crossdock's
X12 syntax library (reader and writer, which know nothing of the hub) the way a supplier would
use its own translator.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crossdock.x12.model import Segment
from crossdock.x12.reader import read_transactions
from crossdock.x12.writer import EnvelopeSettings, TransactionBody, write_interchange

HUB_ID = "CROSSDOCK"
_PURPOSE = {"00": "original", "01": "cancel", "04": "change", "05": "change"}
_ACK_CODE = {"ACCEPTED": "IA", "CHANGED": "IC", "REJECTED": "IR"}
_BAK_CODE = {"ACCEPTED": "AC", "ACCEPTED_WITH_CHANGES": "AE", "REJECTED": "RJ"}
_FUNCTIONAL_ID = {"855": "PR", "856": "SH", "810": "IN"}


def _date(yyyymmdd: str) -> str | None:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}" if len(yyyymmdd) == 8 else None


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def parse_850(text: str) -> list[dict[str, Any]]:
    """Every 850 in an interchange, as a portal order; the supplier is the ISA receiver.

    Raises:
        ValueError: no 850 transaction set could be read.
    """
    orders = []
    for tx in read_transactions(text):
        if tx.code != "850":
            continue
        order: dict[str, Any] = {"supplierId": tx.interchange.receiver_id.strip(), "lines": []}
        for seg in tx.segments:
            e = seg.element
            if seg.tag == "BEG":
                order.update(poNumber=e(3), orderDate=_date(e(5)))
                order["purpose"] = _PURPOSE.get(e(1), "original")
            elif seg.tag == "CUR":
                order["currency"] = e(2)
            elif seg.tag == "DTM" and e(1) == "002":  # after a PO1 it is that line's date
                (order["lines"][-1] if order["lines"] else order)["requestedDelivery"] = _date(e(2))
            elif seg.tag == "PO1":
                line: dict[str, Any] = {"lineNumber": _number(e(1)), "quantity": _number(e(2)),
                        "unitOfMeasure": e(3), "price": e(4)}  # fmt: skip
                ids = dict(zip(seg.elements[5::2], seg.elements[6::2], strict=False))
                line["buyerPartNumber"] = ids.get("BP", "")
                line["partNumber"] = ids.get("VP") or None
                order["lines"].append(line)
        orders.append(order)
    if not orders:
        raise ValueError("no readable 850 transaction set in the interchange")
    return orders


def _item_ids(po_line: dict[str, Any]) -> list[str]:
    ids = ["BP", po_line["buyerPartNumber"]]
    return [*ids, "VP", po_line["partNumber"]] if po_line.get("partNumber") else ids


def _segments_855(ack: dict[str, Any], po: dict[str, Any]) -> list[Segment]:
    ymd = ack["ackDate"][:10].replace("-", "")
    segs = [
        Segment("BAK", ["00", _BAK_CODE[ack["status"]], ack["poNumber"], ymd, "", ack["ackNumber"]])
    ]
    by_no = {ln["lineNumber"]: ln for ln in po["lines"]}
    for ln in ack["lines"]:
        po_line = by_no[ln["lineNumber"]]
        uom = po_line.get("unitOfMeasure") or "EA"
        qty, price = str(po_line["quantity"]), str(Decimal(str(po_line["price"])))
        segs.append(
            Segment("PO1", [str(ln["lineNumber"]), qty, uom, price, "", *_item_ids(po_line)])
        )
        when = ln["promisedDate"].replace("-", "")
        segs.append(
            Segment("ACK", [_ACK_CODE[ln["status"]], str(ln["quantity"]), uom, "068", when])
        )
    return [*segs, Segment("CTT", [str(len(ack["lines"]))])]


def _segments_856(asn: dict[str, Any], po: dict[str, Any]) -> list[Segment]:
    shipped = datetime.fromisoformat(asn["shipDate"].replace("Z", "+00:00"))
    segs = [
        Segment("BSN", ["00", asn["asnNumber"], shipped.strftime("%Y%m%d"), shipped.strftime("%H%M"), "0001"]),
        Segment("HL", ["1", "", "S"]),
        Segment("TD5", ["", "2", "SPFL", "M"]),
        Segment("REF", ["CN", asn["carrier"]["trackingNumber"]]),
        Segment("DTM", ["011", shipped.strftime("%Y%m%d")]),
        Segment("DTM", ["017", asn["estimatedArrival"].replace("-", "")]),
        Segment("HL", ["2", "1", "O"]),
        Segment("PRF", [asn["poNumber"]]),
    ]  # fmt: skip
    by_no, hl, items = {ln["lineNumber"]: ln for ln in po["lines"]}, 2, 0
    for package in asn["packages"]:
        hl += 1
        pack = hl
        segs += [Segment("HL", [str(pack), "2", "P"]), Segment("MAN", ["GM", package["sscc"]])]
        for ln in package["lines"]:
            hl, items = hl + 1, items + 1
            po_line = by_no[ln["lineNumber"]]
            segs.append(Segment("HL", [str(hl), str(pack), "I"]))
            segs.append(Segment("LIN", [str(ln["lineNumber"]), *_item_ids(po_line)]))
            segs.append(Segment("SN1", ["", str(ln["quantity"]), ln["unitOfMeasure"] or "EA"]))
    return [*segs, Segment("CTT", [str(items)])]


def _segments_810(invoice: dict[str, Any], po: dict[str, Any]) -> list[Segment]:
    ymd = invoice["invoiceDate"].replace("-", "")
    segs = [
        Segment("BIG", [ymd, invoice["invoiceNumber"], "", invoice["poNumber"]]),
        Segment("CUR", ["SE", invoice["currency"]]),
    ]
    if invoice.get("asnNumber"):
        segs.append(Segment("REF", ["MA", invoice["asnNumber"]]))
    by_no = {ln["lineNumber"]: ln for ln in po["lines"]}
    for ln in invoice["lines"]:
        po_line = by_no[ln["lineNumber"]]
        uom = po_line.get("unitOfMeasure") or "EA"
        segs.append(Segment("IT1", [str(ln["lineNumber"]), str(ln["quantity"]), uom,
                                    ln["unitPrice"], "", *_item_ids(po_line)]))  # fmt: skip
    cents = int(Decimal(invoice["total"]) * 100)
    return [*segs, Segment("TDS", [str(cents)]), Segment("CTT", [str(len(invoice["lines"]))])]


_BUILDERS = {"855": _segments_855, "856": _segments_856, "810": _segments_810}


def render(
    code: str, document: dict[str, Any], po: dict[str, Any], supplier: str, control: int
) -> str:
    """One interchange from ``supplier`` to the hub holding one ``code`` transaction set."""
    settings = EnvelopeSettings(
        sender_qualifier="ZZ",
        sender_id=supplier[:15],
        receiver_qualifier="ZZ",
        receiver_id=HUB_ID,
        gs_sender=supplier[:15].ljust(2, "X"),
        gs_receiver=HUB_ID,
        usage="T",
    )
    body = TransactionBody(code, _BUILDERS[code](document, po))
    return write_interchange(
        settings,
        [(_FUNCTIONAL_ID[code], "004010", [body])],
        interchange_control=control,
        group_controls=[control],
        transaction_controls=[[control]],
        when=datetime.now(UTC),
    )

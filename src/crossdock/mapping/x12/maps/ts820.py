"""820 Payment Order/Remittance Advice <-> RemittanceAdvice (004010, also read for 005010).

BPR carries the payment (handling, amount, credit/debit, method, date in BPR16), TRN02 the
trace number that is the document's key, CUR02 the currency (USD when absent). Each RMR loop
is one remitted open item, whatever its qualifier (RMR01 IV/OI invoice, CM credit memo, DM
debit memo, any other kept as sent), so that the amounts paid add up to BPR02: RMR04 paid,
RMR05 invoice total, RMR06 discount, with its REF*PO, DTM*003 (invoice date) and ADX
adjustments. ENT only groups RMR loops: all of
them become one invoice list, and one ENT is written back. The heading's REF and DTM are left
to the raw text. The payer is N1*PR (else the interchange sender), the
payee N1*PE (else the receiver).
"""

from __future__ import annotations

from typing import Any

from crossdock.mapping.x12.maps.common import party

_MONEY = {"type": "decimal"}


def _amount(path: str) -> dict[str, Any]:
    return {"path": f"{path}.amount", **_MONEY}


MAP_820: dict[str, Any] = {
    "code": "820",
    "document_type": "remittance_advice",
    "envelope": {"payer": "sender", "payee": "receiver"},
    "defaults": {"currency": "USD"},
    "codes": {
        "handling": {
            "C": "payment_and_remittance",
            "D": "payment_only",
            "I": "remittance_only",
            "P": "prenotification",
            "U": "split",
            "*": "pass",
        },
        "direction": {"C": "credit", "D": "debit"},
        "kind": {"IV": "invoice", "OI": "invoice", "CM": "credit_memo", "DM": "debit_memo"}
        | {"*": "pass"},
        "method": {
            "ACH": "ach",
            "CHK": "check",
            "FWT": "wire",
            "SWT": "wire",
            "CAS": "cash",
            "BOP": "bank_option",
            "NON": "none",
            "*": "pass",
        },
    },
    "segments": [
        {
            "tag": "BPR",
            "required": True,
            "set": {"payment_amount.currency": "=currency"},
            "elements": {
                # BPR01 is mandatory: a document stating no handling is sent as C.
                1: [{"const": "C"}, {"path": "handling", "codes": "handling"}],
                2: _amount("payment_amount"),
                3: {"path": "direction", "codes": "direction"},
                4: {"path": "payment_method", "codes": "method"},
                16: {"path": "payment_date", "type": "date"},
            },
        },
        {
            "tag": "TRN",
            "required": True,
            "elements": {1: {"const": "1"}, 2: "trace_number"},
        },
        {"tag": "CUR", "elements": {1: {"const": "PR"}, 2: "currency"}},
        party("payer", ["PR"], contact=True),
        party("payee", ["PE"]),
        {
            "tag": "ENT",
            "emit_if": "invoices",
            "elements": {1: {"const": "1"}},
            "children": [
                {
                    "tag": "RMR",
                    "path": "invoices",
                    "list": True,
                    "set": {
                        "paid_amount.currency": "=currency",
                        "invoice_amount.currency": "=currency",
                        "discount_amount.currency": "=currency",
                    },
                    "elements": {
                        1: {"path": "kind", "codes": "kind"},
                        2: "invoice_number",
                        4: _amount("paid_amount"),
                        5: _amount("invoice_amount"),
                        6: _amount("discount_amount"),
                    },
                    "children": [
                        {
                            "name": "invoices.po_number",
                            "tag": "REF",
                            "when": {1: "PO"},
                            "elements": {2: "po_number"},
                        },
                        {
                            "name": "invoices.invoice_date",
                            "tag": "DTM",
                            "when": {1: "003"},
                            "elements": {2: {"path": "invoice_date", "type": "date"}},
                        },
                        {
                            "tag": "ADX",
                            "path": "adjustments",
                            "list": True,
                            "set": {"amount.currency": "=currency"},
                            "elements": {1: _amount("amount"), 2: "reason_code"},
                        },
                    ],
                }
            ],
        },
    ],
}

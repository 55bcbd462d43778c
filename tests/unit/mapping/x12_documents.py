"""Hypothesis strategies for canonical documents, limited to what the X12 maps carry.

Each strategy produces valid documents (the models' own rules hold) whose every field is
mapped, so "canonical -> X12 -> canonical" must give the same document back. Where a map
is knowingly lossy (one N1 id per party, no party codes, no base_unit, ...) the strategy
leaves that field out; the map modules' docstrings say why.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import strategies as st

from tests.unit.mapping.x12_strategies import (
    address,
    amounts,
    code,
    currencies,
    days,
    drop_none,
    item,
    moments,
    numbered,
    optional,
    party,
    payment_terms,
    quantities,
    quantity,
    ssccs,
    text,
)


def purchase_orders() -> st.SearchStrategy[dict[str, Any]]:
    def build(currency: str) -> st.SearchStrategy[dict[str, Any]]:
        line = st.fixed_dictionaries(
            {
                "item": item(),
                "quantity": quantity(),
                "unit_price": st.fixed_dictionaries(
                    {"amount": amounts, "currency": st.just(currency)}
                ),
                "requested_delivery_date": optional(days),
                "note": optional(text),
            }
        ).map(drop_none)
        return st.fixed_dictionaries(
            {
                "po_number": code,
                "purpose": st.sampled_from(["original", "replace", "cancel"]),
                "order_type": st.sampled_from(["standard", "blanket", "release", "drop_ship"]),
                "issued_at": moments,
                "currency": st.just(currency),
                "buyer": party("buyer", with_contact=True),
                "supplier": party("supplier", with_contact=True),
                "ship_to": party("ship_to", with_contact=True),
                "bill_to": optional(party("bill_to", with_contact=True)),
                "requested_ship_date": optional(days),
                "requested_delivery_date": optional(days),
                "payment_terms": optional(payment_terms()),
                "incoterms": optional(st.sampled_from(["FCA", "EXW", "DDP", "FOB"])),
                "contract_number": optional(code),
                "notes": st.lists(text, max_size=3),
                "lines": st.lists(line, min_size=1, max_size=5).map(numbered),
            }
        ).map(drop_none)

    return currencies.flatmap(build)


def acknowledgments() -> st.SearchStrategy[dict[str, Any]]:
    def line(currency: str | None) -> st.SearchStrategy[dict[str, Any]]:
        status = st.sampled_from(["accepted", "changed", "rejected", "backordered"])

        def shaped(values: tuple[str, dict[str, Any]]) -> dict[str, Any]:
            state, fields = values
            fields = {**fields, "status": state}
            if state == "rejected" and "promised_quantity" in fields:
                fields["promised_quantity"] = {**fields["promised_quantity"], "value": Decimal(0)}
            if state == "backordered":
                fields.setdefault("promised_date", date(2030, 1, 1))
            return fields

        price = (
            st.fixed_dictionaries({"amount": amounts, "currency": st.just(currency)})
            if currency
            else st.none()
        )
        fields = st.fixed_dictionaries(
            {
                "item": item(),
                "ordered_quantity": optional(quantity()),
                "promised_quantity": optional(quantity()),
                "promised_date": optional(days),
                "unit_price": optional(price),
                "reason": optional(text),
            }
        ).map(drop_none)
        return st.tuples(status, fields).map(shaped)

    def build(currency: str | None, status: str) -> st.SearchStrategy[dict[str, Any]]:
        lines = st.lists(line(currency), min_size=1, max_size=5).map(numbered)
        if status == "accepted":
            lines = lines.map(lambda found: [_accepted(entry) for entry in found])
        return st.fixed_dictionaries(
            {
                "acknowledgment_number": optional(code),
                "po_number": code,
                # BAK04 is mandatory: without a PO date the map sends the acknowledgment's
                # date there, which reads back as the PO date (knowingly lossy).
                "po_date": days,
                "status": st.just(status),
                "acknowledged_at": moments,
                "currency": st.just(currency),
                "supplier": party("supplier", with_contact=True),
                "buyer": party("buyer", with_contact=True),
                "sales_order_number": optional(code),
                "notes": st.lists(text, max_size=3),
                "lines": lines,
            }
        ).map(drop_none)

    statuses = st.sampled_from(["accepted", "accepted_with_changes", "rejected"])
    return st.tuples(optional(currencies), statuses).flatmap(lambda pair: build(*pair))


def _lot(parts: tuple[str, date | None, date | None]) -> dict[str, Any]:
    number, produced, expires = parts
    if produced and expires and expires < produced:
        produced, expires = expires, produced
    return drop_none({"lot_number": number, "production_date": produced, "expiry_date": expires})


def _accepted(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "status": "accepted"}


def ship_notices() -> st.SearchStrategy[dict[str, Any]]:
    lot = st.tuples(code, optional(days), optional(days)).map(_lot)
    pack_item = st.fixed_dictionaries(
        {
            "po_line_number": st.integers(min_value=1, max_value=999),
            "item": item(),
            "quantity": quantity(),
            "lot": optional(lot),
        }
    ).map(drop_none)
    weight = st.fixed_dictionaries({"value": quantities, "unit": st.sampled_from(["LB", "KG"])})

    def packs(labels: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
        one = st.fixed_dictionaries(
            {
                "package_type": optional(st.sampled_from(["PX", "CT", "PLT94"])),
                "gross_weight": optional(weight),
                "items": st.lists(pack_item, min_size=1, max_size=3),
            }
        ).map(drop_none)
        return st.lists(one, min_size=len(labels), max_size=len(labels)).map(
            lambda found: [
                {"sscc": label, **pack} for label, pack in zip(labels, found, strict=True)
            ]
        )

    def orders(labels: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
        cut = len(labels) // 2 or 1
        groups = [labels[:cut], labels[cut:]] if len(labels) > 1 else [labels]
        return st.tuples(
            *[
                st.fixed_dictionaries(
                    {"po_number": code, "po_date": optional(days), "packs": packs(g)}
                ).map(drop_none)
                for g in groups
            ]
        ).map(list)

    transport = (
        st.fixed_dictionaries(
            {
                "carrier_scac": optional(
                    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4)
                ),
                "mode": optional(
                    st.sampled_from(["parcel", "ltl", "ftl", "air", "rail", "ocean", "intermodal"])
                ),
                "bill_of_lading": optional(code),
                "pro_number": optional(code),
                "tracking_number": optional(code),
                # TD303 holds 10 characters and TD309 15; longer equipment numbers (an ISO 6346
                # container number is 11, which X12 splits into TD302 + TD303) are not mapped.
                "trailer_number": optional(code.filter(lambda found: len(found) <= 10)),
                "seal_number": optional(code.filter(lambda found: len(found) <= 15)),
            }
        )
        .map(drop_none)
        .filter(bool)
    )
    return st.lists(ssccs, min_size=1, max_size=4, unique=True).flatmap(
        lambda labels: st.fixed_dictionaries(
            {
                "asn_number": code,
                "issued_at": moments,
                "shipped_at": moments,
                "estimated_delivery_at": optional(moments),
                "supplier": party("supplier"),
                "ship_from": party("ship_from"),
                "ship_to": party("ship_to"),
                "buyer": optional(party("buyer")),
                "carrier": optional(party("carrier")),
                "transport": optional(transport),
                "gross_weight": optional(weight),
                "orders": orders(labels),
            }
        ).map(drop_none)
    )


_CENT = Decimal("0.01")


def invoices() -> st.SearchStrategy[dict[str, Any]]:
    def build(currency: str) -> st.SearchStrategy[dict[str, Any]]:
        def money(amount: Decimal) -> dict[str, Any]:
            return {"amount": amount, "currency": currency}

        line = st.fixed_dictionaries(
            {
                "po_number": optional(code),
                "po_line_number": optional(st.integers(min_value=1, max_value=9999)),
                "item": item(),
                "quantity": quantity(),
                "unit_price": amounts.map(money),
            }
        ).map(drop_none)
        entry = st.fixed_dictionaries(
            {
                "is_charge": st.booleans(),
                "code": optional(st.sampled_from(["D240", "C310", "F050"])),
                "reason": text,
                "amount": amounts.map(money),
            }
        ).map(drop_none)

        def finish(doc: dict[str, Any]) -> dict[str, Any]:
            lines = numbered(doc["lines"])
            for found in lines:
                value = (found["quantity"]["value"] * found["unit_price"]["amount"]).quantize(
                    _CENT, rounding=ROUND_HALF_UP
                )
                found["line_amount"] = money(value)
            entries = doc["allowances_charges"]
            total = sum((found["line_amount"]["amount"] for found in lines), Decimal(0))
            allowances = sum(
                (e["amount"]["amount"] for e in entries if not e["is_charge"]), Decimal(0)
            )
            charges = sum((e["amount"]["amount"] for e in entries if e["is_charge"]), Decimal(0))
            tax = doc.pop("tax")
            doc["lines"] = lines
            doc["totals"] = {
                "line_extension_amount": money(total),
                "allowance_total_amount": money(allowances),
                "charge_total_amount": money(charges),
                "tax_amount": money(tax),
                "payable_amount": money(total - allowances + charges + tax),
            }
            if "due_date" in doc and doc["due_date"] < doc["issue_date"]:
                doc["due_date"] = doc["issue_date"]
            return doc

        return (
            st.fixed_dictionaries(
                {
                    "invoice_number": code,
                    "invoice_type": st.sampled_from(["commercial", "credit_note"]),
                    "issue_date": days,
                    "due_date": optional(days),
                    "currency": st.just(currency),
                    "supplier": party("supplier", with_contact=True),
                    "buyer": party("buyer", with_contact=True),
                    "bill_to": optional(party("bill_to")),
                    "remit_to": optional(party("remit_to")),
                    "ship_to": optional(party("ship_to")),
                    "po_numbers": st.lists(code, max_size=3),
                    "asn_number": optional(code),
                    "payment_terms": optional(payment_terms()),
                    "notes": st.lists(text, max_size=3),
                    "lines": st.lists(line, min_size=1, max_size=5),
                    "allowances_charges": st.lists(entry, max_size=3),
                    "tax": amounts,
                }
            )
            .map(drop_none)
            .map(finish)
        )

    return currencies.flatmap(build)


def fulfillment_orders() -> st.SearchStrategy[dict[str, Any]]:
    site = st.fixed_dictionaries(
        {"code": code, "name": optional(text), "address": optional(address())}
    ).map(drop_none)
    line = st.fixed_dictionaries(
        {
            "item": item(max_ids=2),
            "quantity": quantity(),
            "lot": optional(code.map(lambda lot: {"lot_number": lot})),
            "customer_line_reference": optional(code),
            "note": optional(text),
        }
    ).map(drop_none)
    return st.fixed_dictionaries(
        {
            "order_number": code,
            "customer_order_number": optional(code),
            "released_at": moments,
            "ship_from": site,
            "customer": party("customer"),
            "ship_to": party("ship_to", with_contact=True),
            "bill_to": optional(party("bill_to")),
            "carrier": optional(party("carrier")),
            "service_level": optional(code),
            "requested_ship_date": optional(days),
            "requested_delivery_date": optional(days),
            "notes": st.lists(text, max_size=3),
            "lines": st.lists(line, min_size=1, max_size=5).map(numbered),
        }
    ).map(drop_none)

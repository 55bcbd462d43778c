"""The transport document types are routable like any other: a route may name them, filter
on their fields and flatten them, and the config check knows their schemas."""

from __future__ import annotations

from pathlib import Path

from crossdock.config import load_settings
from tests.unit.test_config import problems_of, write

ROUTES = """
endpoints: {ap: {type: folder, path: out}, tms: {type: folder, path: tms}}
routes:
  - name: freight-bills
    when: {document_type: freight_invoice, where: {carrier_scac: BRFX}}
    deliver:
      endpoint: ap
      transform: fields
      fields:
        invoice: invoice_number
        due: amount_due.amount
        first_charge: lines[0].charges[0].code
  - name: tenders
    when: {document_type: load_tender, where: {purpose: original}}
    deliver:
      endpoint: tms
      transform: fields
      fields:
        load: shipment_id
        pickup: stops[0].earliest_at
  - name: tender-answers
    when: {document_type: load_tender_response, where: {decision: declined}}
    deliver: {endpoint: tms}
  - name: routing-requests
    when: {document_type: routing_request}
    deliver:
      endpoint: tms
      transform: fields
      fields:
        po: orders[0].po_number
  - name: routing-instructions
    when: {document_type: routing_instructions, where: {carrier_scac: BRFX}}
    deliver: {endpoint: tms}
"""


def test_routes_for_the_transport_types_load(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ROUTES), env={})
    assert [r.when.document_type for r in settings.routes] == [
        "freight_invoice",
        "load_tender",
        "load_tender_response",
        "routing_request",
        "routing_instructions",
    ]


def test_their_field_paths_are_checked(tmp_path: Path) -> None:
    bad = ROUTES.replace("amount_due.amount", "amount_due.total").replace(
        "decision: declined", "answer: declined"
    )
    problems = {p.path for p in problems_of(write(tmp_path, bad))}
    assert problems == {"routes[0].deliver.fields.due", "routes[2].when.where.answer"}

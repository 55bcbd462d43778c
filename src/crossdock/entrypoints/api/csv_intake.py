"""``POST /v1/messages/{type}`` with ``Content-Type: text/csv``: a partner's flat file.

The authenticated partner's map for the type (``partners.<name>.csv.maps.<type>``) reads
the file; each document is recorded as its own message (`crossdock.hub.csv_intake`). The
answer is 202 with a summary when every document was accepted, else a 422 problem with the
same summary: each document's rows, message id, status and errors (row, column, reason). A
caller without a map for the type gets a 415 problem, recorded like every refusal.
"""

from __future__ import annotations

import io

import orjson

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.intake_core import IntakeCall, Reply, problem_reply, refuse
from crossdock.hub.csv_intake import CsvCall, CsvIntake
from crossdock.hub.intake import IntakeRequest
from crossdock.mapping.csv import PartnerCsvConfig

CSV_TYPES = ("text/csv",)
CHANNEL = "http-csv"


def _partner_csv(hub: HubServices, partner: str | None) -> PartnerCsvConfig | None:
    config = hub.settings.partners.get(partner or "")
    return None if config is None else config.csv


async def handle_csv(hub: HubServices, call: IntakeCall, req: IntakeRequest) -> Reply:
    """Read and record a checked ``text/csv`` request (`req`: its refusal record)."""
    config = _partner_csv(hub, call.sender.partner)
    csv_map = None if config is None else config.maps.get(call.document_type)
    if config is None or csv_map is None or call.body is None:
        who = call.sender.partner
        detail = (
            f"partner {who!r} has no CSV map for {call.document_type}; send application/json"
            if who
            else "CSV is read with the sending partner's map: authenticate as a partner"
        )
        return await refuse(hub, req, 415, detail, call.path)

    def wake() -> None:
        hub.wake("route.")
        hub.wake("flow.")

    intake = CsvIntake(hub.runner, hub.lane_for, wake)
    csv_call = CsvCall(call.sender, req.source, CHANNEL, req.idempotency_key)
    receipt = await intake.receive(
        io.BytesIO(call.body), csv_map, csv_call, all_or_nothing=config.all_or_nothing
    )
    for status, count in (("accepted", receipt.accepted), ("rejected", receipt.rejected)):
        if count:
            hub.metrics.intake_count(call.document_type, status, count)
    summary = receipt.summary()
    if not receipt.has_errors:
        return Reply(202, orjson.dumps(summary))
    detail = (
        f"{receipt.rejected} of {len(receipt.documents)} {call.document_type} documents "
        "were rejected (recorded; see results for rows and columns)"
        if receipt.documents
        else "the file holds no documents"
    )
    return problem_reply(422, detail, call.path, **summary)

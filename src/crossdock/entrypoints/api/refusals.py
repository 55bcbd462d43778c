"""Refusals recorded like any rejected document, on every channel.

PO intake has always recorded what it refuses (too large, wrong content type) before it
answers; the EDI, business-system and carrier channels now do the same through this one
function, so a sender's support ticket ("you answered 413") finds a message id in the log with
why. Only metadata and a bounded prefix of the body are kept: an oversized body is never read
into memory to be recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.problems import Problem
from crossdock.entrypoints.api.requests import BodyTooLarge, bounded_body
from crossdock.entrypoints.api.senders import proven_sender
from crossdock.hub.group_commit import Overloaded
from crossdock.hub.intake import IntakeRequest, reject
from crossdock.hub.intake_pipeline import NOBODY, Sender
from crossdock.hub.limits import REFUSED_BODY_KEEP, SOURCE_CHARS
from crossdock.hub.records import FieldError


async def refusal(
    hub: HubServices,
    status: int,
    detail: str,
    *,
    document_type: str,
    source: str,
    channel: str,
    content_type: str,
    raw: bytes = b"",
    sender: Sender = NOBODY,
) -> Problem:
    """Record the refused request as a rejected message (with who sent it); the problem to
    answer names it."""
    request = IntakeRequest(
        document_type=document_type,
        raw=raw[:REFUSED_BODY_KEEP],
        content_type=content_type[:128] or "application/octet-stream",
        source=source[:SOURCE_CHARS],
        channel=channel,
        received_at=datetime.now(UTC),
        sender=sender.subject,
        partner=sender.partner,
    )
    message = reject(request, hub.lane_for(document_type), [FieldError("$", detail, "refused")])
    try:
        [outcome] = await hub.recorder.submit([message])
    except Overloaded as exc:
        return Problem(503, f"the hub is busy ({exc}); retry in a second")
    hub.metrics.intake_count(document_type, "rejected")
    return Problem(status, detail, message_id=outcome.message_id)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


async def document_body(
    hub: HubServices, request: Request, *, document_type: str, source: str, channel: str
) -> bytes:
    """The request's body within `max_body_bytes`; past it, the refusal recorded and raised
    (the JSON channels of business systems and carriers share this rule)."""
    try:
        return await bounded_body(request, hub.limits.document_bytes)
    except BodyTooLarge as exc:
        raise await refusal(
            hub,
            413,
            exc.detail,
            document_type=document_type,
            source=source,
            channel=channel,
            content_type=media_type(request.headers.get("content-type")),
            raw=exc.prefix,
            sender=proven_sender(request.scope),
        ) from None

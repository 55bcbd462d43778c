"""The answer to an inbound request whose signature was refused (carriers, systems).

An HMAC mismatch is answered 401 and not recorded (it is not known to come from the sender).
A Standard Webhooks refusal (bad signature, stale timestamp, a replay) is recorded as a
refused message with the reason, like every other refused request (`refusals.refusal`), and
the 401 names that message, so a partner's support ticket finds it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.problems import problem_response
from crossdock.entrypoints.api.refusals import media_type, refusal
from crossdock.hub.webhooks import BadSignature, WebhookRefused


async def signature_refused(
    hub: HubServices,
    request: Request,
    exc: BadSignature,
    body: bytes,
    *,
    document_type: str,
    source: str,
    channel: str,
    realm: str,
) -> Response:
    """401 problem+json with the challenge; a Standard Webhooks refusal recorded first."""
    extra = {}
    if isinstance(exc, WebhookRefused):
        problem = await refusal(
            hub,
            401,
            f"refused: {exc}",
            document_type=document_type,
            source=source,
            channel=channel,
            content_type=media_type(request.headers.get("content-type")),
            raw=body,
        )
        if problem.status != 401:  # the hub is too busy to record it: say so instead
            return problem_response(problem.status, problem.detail, instance=request.url.path)
        extra = problem.extra
        scheme = "Standard-Webhooks"
    else:
        scheme = "HMAC"
    response = problem_response(401, str(exc), instance=request.url.path, **extra)
    response.headers["WWW-Authenticate"] = f'{scheme} realm="{realm}"'
    return response

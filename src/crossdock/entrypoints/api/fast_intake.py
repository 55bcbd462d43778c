"""A raw ASGI front for intake, ahead of FastAPI.

Intake is the hot path; FastAPI's middleware stack, router walk and request objects cost more
per request than validating and recording the document. This front answers
``POST /v1/messages/{type}`` and ``.../batch`` itself (with the same `intake_core` as the
documented routes) and hands every other request to the FastAPI app untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.intake_core import (
    IntakeCall,
    Reply,
    busy_reply,
    handle_batch,
    handle_single,
    intake_limit,
)
from crossdock.entrypoints.api.problems import PROBLEM_JSON, problem_body
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.entrypoints.api.senders import proven_sender
from crossdock.hub.group_commit import Overloaded
from crossdock.hub.identity import MESSAGES_WRITE
from crossdock.observability.tracing import tracing

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger(__name__)
_PREFIX = "/v1/messages/"


class FastIntake:
    def __init__(self, app: Any, hub: HubServices) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _intake_route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        document_type, batch = route
        principal = scope.get("state", {}).get(PRINCIPAL_STATE)
        if principal is not None and not principal.has(MESSAGES_WRITE):
            # the middleware proved who calls; this caller may not post documents
            refusal = problem_body(
                403,
                f"this action needs the scope {MESSAGES_WRITE!r}",
                instance=scope["path"],
                required_scope=MESSAGES_WRITE,
            )
            await _send(send, Reply(403, refusal, PROBLEM_JSON))
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        # The request's trace, from the headers read anyway (`TraceRequests` does it for the
        # other routes): the context its messages are stamped with and its log lines name.
        tracer = tracing()
        if tracer.recording:
            with tracer.server("POST", headers.get("traceparent")) as span:
                assert span is not None
                span.set_attribute("http.request.method", "POST")
                span.set_attribute("url.path", scope["path"])
                status = await self._intake(scope, receive, send, headers, document_type, batch)
                span.set_attribute("http.response.status_code", status)
            return
        token = tracer.begin_request(headers.get("traceparent"))
        try:
            await self._intake(scope, receive, send, headers, document_type, batch)
        finally:
            tracer.end_request(token)

    async def _intake(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[str, str],
        document_type: str,
        batch: bool,
    ) -> int:
        """Read, record and answer one intake request; returns the status (0: no answer)."""
        hub = self.hub
        limit = intake_limit(hub, headers, batch)
        try:
            body = await _read(receive, headers, limit)
        except _Disconnected:
            return 0  # the sender gave up before the body arrived: nothing to record or answer
        call = IntakeCall(document_type, scope["path"], headers, body, proven_sender(scope))
        try:
            reply = await (handle_batch(hub, call) if batch else handle_single(hub, call))
        except Overloaded as exc:
            reply = busy_reply(scope["path"], exc)
        except Exception as exc:  # the store failed: say so, as the FastAPI app would
            log.exception("intake failed")
            detail = f"the message could not be recorded: {type(exc).__name__}; retry later"
            reply = Reply(503, problem_body(503, detail, instance=scope["path"]), PROBLEM_JSON)
        await _send(send, reply)
        return reply.status


class _Disconnected(Exception):
    """The client went away mid-request."""


def _intake_route(scope: Scope) -> tuple[str, bool] | None:
    """(document type, is batch) for an intake POST, else None."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path: str = scope["path"]
    if not path.startswith(_PREFIX):
        return None
    rest = path[len(_PREFIX) :]
    if rest.endswith("/batch"):
        name, batch = rest[: -len("/batch")], True
    else:
        name, batch = rest, False
    if not name or "/" in name:
        return None
    return name, batch


async def _read(receive: Receive, headers: dict[str, str], limit: int) -> bytes | None:
    """The body, or None past `limit` (checked on Content-Length and while reading)."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _send(send: Send, reply: Reply) -> None:
    raw_headers = [
        (b"content-type", reply.media_type.encode()),
        (b"content-length", str(len(reply.body)).encode()),
    ]
    raw_headers.extend((k.lower().encode(), v.encode()) for k, v in reply.headers.items())
    await send({"type": "http.response.start", "status": reply.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": reply.body})

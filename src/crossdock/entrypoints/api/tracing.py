"""Trace every HTTP request: continue the caller's W3C ``traceparent`` or start a new trace.

A raw ASGI layer around the FastAPI app (the intake fast path, ahead of it, does the same
from the headers it reads anyway): one header scan per request is all it costs when tracing
does not record. The context it sets is the one the messages a request records are stamped
with (`IntakeRecorder.submit`, `StoreRunner.write`), and every log line written while the
request is handled carries its trace id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from crossdock.observability.tracing import tracing

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_TRACEPARENT = b"traceparent"


class TraceRequests:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        inbound = None
        for name, value in scope["headers"]:
            if name == _TRACEPARENT:
                inbound = value.decode("latin-1")
                break
        tracer = tracing()
        if not tracer.recording:  # the common case: set the context, nothing more
            token = tracer.begin_request(inbound)
            try:
                await self.app(scope, receive, send)
            finally:
                tracer.end_request(token)
            return
        # The span is named by the method alone: a path names documents and would make
        # every span name unique (the conventions ask for a low-cardinality name).
        with tracer.server(scope["method"], inbound) as span:
            assert span is not None

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            span.set_attribute("http.request.method", scope["method"])
            span.set_attribute("url.path", scope["path"])
            await self.app(scope, receive, send_traced)

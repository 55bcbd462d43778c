"""Bounded request heads, enforced by the HTTP protocol before any application code runs.

uvicorn's httptools protocol accepts a request head of any size: the parser grows a header
value by concatenation, so a 128 MB header was read in full (16 s of one core, its copies
costing hundreds of MB) while every other request, ``/healthz`` included, waited. This
protocol counts the head's bytes as they arrive and its fields as they are parsed, and past
the limits answers ``431`` (RFC 9457 problem details) and closes the connection — for every
route, the raw intake front included, since none of them sees the request.

After the refusal the connection lingers briefly, reading and discarding, before it closes:
closing a socket with unread data makes the kernel reset it, and a reset can destroy the 431
before the client reads it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from crossdock.entrypoints.api.problems import PROBLEM_JSON, problem_body

log = logging.getLogger(__name__)

#: How long a refused connection keeps draining what the client still sends.
LINGER_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class HeadLimits:
    """Bytes of the whole head (request line and headers), of one header field (name and
    value) or the request target, and the number of header fields."""

    total_bytes: int = 65_536
    line_bytes: int = 16_384
    count: int = 100


class _HeadRefused(Exception):
    """Raised from a parser callback; carries the problem's detail."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with bounded heads; `guarded_protocol` sets the limits."""

    limits: ClassVar[HeadLimits] = HeadLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = True  # bytes arriving now belong to a request head
        self._head_bytes = 0  # raw bytes received since the head started
        self._head_fields = 0
        self._head_parsed = 0  # bytes of target and fields parsed so far
        self._refusal: str | None = None
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # draining after a 431: nothing more is parsed
        self._unset_keepalive_if_required()
        if self._head_open:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse(self._refusal)
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        limit = self.limits.total_bytes
        if self._head_open and self._head_bytes > limit:
            self._refuse(f"the request head is larger than {limit} bytes")

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._head_parsed += len(url)
        limit = self.limits.line_bytes
        if len(self.url) > limit:
            self._stop(f"the request target is longer than {limit} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        limits = self.limits
        self._head_fields += 1
        size = len(name) + len(value)
        self._head_parsed += size + 4  # ": " and CRLF
        if self._head_fields > limits.count:
            self._stop(f"the request has more than {limits.count} header fields")
        if size > limits.line_bytes:
            self._stop(f"a header field is larger than {limits.line_bytes} bytes")
        if self._head_parsed > limits.total_bytes:
            self._stop(f"the request head is larger than {limits.total_bytes} bytes")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._head_bytes = self._head_fields = self._head_parsed = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._head_open = True
        super().on_message_complete()

    def _stop(self, detail: str) -> None:
        self._refusal = detail
        raise _HeadRefused(detail)

    def _refuse(self, detail: str) -> None:
        """Answer 431 and close (after draining a moment), unless a response is under way on
        this connection — then only closing is safe."""
        self._refused = True
        log.warning("refused a request head: %s", detail)
        transport = self.transport
        if self.cycle is not None and not self.cycle.response_complete:
            transport.close()
            return
        body = problem_body(431, detail)
        head = (
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: " + PROBLEM_JSON.encode() + b"\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n"
        )
        transport.write(head + body)
        if transport.can_write_eof():
            transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, transport.close)


def guarded_protocol(limits: HeadLimits) -> type[asyncio.Protocol]:
    """The protocol class for uvicorn's ``http=``, with these limits."""
    return type("GuardedHttpTools", (GuardedHttpToolsProtocol,), {"limits": limits})

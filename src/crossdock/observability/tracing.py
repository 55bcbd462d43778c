"""Traces: W3C trace context from the inbound request, through the message log, to deliveries.

Every message carries a trace context (a ``traceparent`` string, stored in its log row): the
one its sender passed, continued, or a new trace when it passed none. A delivery continues the
stored context, and its outbound request carries ``traceparent`` with the same trace id and a
new span id, so a trace crosses the hub even though the message waits in the log in between.

Two modes, chosen once per process by `configure_tracing`:

- **off** (the default: no exporter): no OpenTelemetry span is made and the SDK is not
  imported. A request's context is the caller's ``traceparent`` (validated) or a new trace,
  and its messages store it unchanged, as OpenTelemetry's API passes a context through when
  nothing records; a delivery sends a new span id of that trace. A regex match or a few random
  bits per request: the intake path stays as fast as it was.
- **recording** (``tracing.otlp_endpoint`` set, or a test's exporter): the OpenTelemetry SDK
  records spans per the messaging conventions: a SERVER span per HTTP request, a PRODUCER
  span ``send <document type>`` when a message is recorded (its context is the one stored), a
  CONSUMER span ``process <subject>`` per delivery, parented to and linked with the stored
  context, exported by a batch processor.

The current context lives in a context variable, which the log processor (`add_trace_id`)
reads, so every log line written while a request or a delivery is handled names its trace.
"""

from __future__ import annotations

import contextvars
import random
import re
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK is imported only when tracing records
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

TRACEPARENT = "traceparent"
#: The `messaging.system` attribute of the hub's own message log and bus.
MESSAGING_SYSTEM = "crossdock"

_TRACEPARENT_RE = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16

#: The trace context of what this task is doing (a request, a delivery): a traceparent.
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "crossdock_traceparent", default=None
)
_bits = random.getrandbits


def parse_traceparent(value: str | None) -> str | None:
    """The version-00 form of a valid W3C ``traceparent``, or None (the header is ignored,
    as the spec says: a new trace starts). Upper-case hex, all-zero ids and version ff are
    invalid; a later version's extra fields are dropped."""
    if not value:
        return None
    found = _TRACEPARENT_RE.fullmatch(value.strip())
    if found is None:
        return None
    version, trace_id, span_id, flags, rest = found.groups()
    if version == "ff" or (rest and version == "00"):
        return None
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return f"00-{trace_id}-{span_id}-{flags}"


def trace_id_of(traceparent: str | None) -> str | None:
    """The 32 hex digits of the trace id (what logs and the message API show)."""
    return traceparent[3:35] if traceparent else None


def _span_id() -> str:
    return f"{_bits(64) or 1:016x}"


def new_traceparent() -> str:
    """A new trace (not sampled: nothing was recorded for it)."""
    return f"00-{_bits(128) or 1:032x}-{_span_id()}-00"


def child_traceparent(parent: str) -> str:
    """The same trace, a new span id, the parent's flags: the next hop of an unrecorded trace."""
    return f"{parent[:36]}{_span_id()}{parent[52:]}"


def current_traceparent() -> str | None:
    return _current.get()


@contextmanager
def use_traceparent(traceparent: str | None) -> Iterator[None]:
    """Make `traceparent` this task's current context (log lines name it) for the block."""
    token = _current.set(traceparent)
    try:
        yield
    finally:
        _current.reset(token)


def add_trace_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the current trace id on the log line (none outside a trace)."""
    traceparent = _current.get()
    if traceparent is not None and "trace_id" not in event_dict:
        event_dict["trace_id"] = traceparent[3:35]
    return event_dict


@dataclass(slots=True, frozen=True)
class TracingOptions:
    """What `configure_tracing` needs (built from the ``tracing`` settings by bootstrap)."""

    otlp_endpoint: str | None = None
    service_name: str = "crossdock"
    sample_ratio: float = 1.0
    otlp_timeout_seconds: float = 10.0


class Tracing:
    """The process's tracing: off (ids only) or recording (OpenTelemetry SDK spans)."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self.provider = provider
        self._tracer: Tracer | None = (
            provider.get_tracer("crossdock") if provider is not None else None
        )

    @property
    def recording(self) -> bool:
        return self._tracer is not None

    # -- inbound requests ---------------------------------------------------------------

    def begin_request(self, inbound: str | None) -> contextvars.Token[str | None]:
        """Off mode, per inbound request: its context (the caller's, validated, or a new
        trace) becomes current; `end_request` with the token restores the previous one.
        Two calls rather than a context manager: this runs once per intake request."""
        parent = parse_traceparent(inbound) if inbound else None
        return _current.set(parent or new_traceparent())

    @staticmethod
    def end_request(token: contextvars.Token[str | None]) -> None:
        _current.reset(token)

    @contextmanager
    def server(self, name: str, inbound: str | None) -> Iterator[Span | None]:
        """An inbound HTTP request: continues `inbound` (a raw header value) or starts a trace;
        the context is current for the block. Recording, a SERVER span is its context."""
        if self._tracer is None:
            token = self.begin_request(inbound)
            try:
                yield None
            finally:
                _current.reset(token)
            return
        from opentelemetry.trace import SpanKind, use_span

        parent = parse_traceparent(inbound)
        span = self._tracer.start_span(name, _remote(parent), SpanKind.SERVER)
        with use_span(span, end_on_exit=True), use_traceparent(_traceparent_of(span)):
            yield span

    # -- the message log (producer) -----------------------------------------------------

    def stamp(self, messages: Sequence[Any]) -> list[Span]:
        """Give each message without a ``trace_context`` the producer context of its recording.
        Recording, a PRODUCER span is started per message (a child of the current context, or a
        new trace) and returned, for the caller to end once the message is durable; off, the
        current context itself (or a new trace when there is none)."""
        parent = _current.get()
        if self._tracer is None:
            # No span is made, so none gets an id: the context passes through unchanged, as
            # OpenTelemetry's API does without an SDK (the delivery's hop gets a new span id).
            for message in messages:
                if message.trace_context is None:
                    message.trace_context = parent or new_traceparent()
            return []
        from opentelemetry.trace import SpanKind

        spans = []
        context = _remote(parent)
        for message in messages:
            if message.trace_context is not None:
                continue
            span = self._tracer.start_span(
                f"send {message.document_type}",
                context,
                SpanKind.PRODUCER,
                attributes={
                    "messaging.system": MESSAGING_SYSTEM,
                    "messaging.operation.type": "send",
                    "messaging.operation.name": "send",
                    "messaging.destination.name": message.document_type,
                    "messaging.message.id": message.id,
                    "crossdock.channel": message.channel,
                },
            )
            message.trace_context = _traceparent_of(span)
            spans.append(span)
        return spans

    # -- consumers ----------------------------------------------------------------------

    @contextmanager
    def process(
        self,
        stored: str | None,
        destination: str,
        attributes: Mapping[str, str | int] | None = None,
    ) -> Iterator[str]:
        """Process one message from the bus (a delivery): continues the producer's stored
        context, linked to it; yields the traceparent to send onwards, current for the block."""
        parent = parse_traceparent(stored)
        if self._tracer is None:
            onward = child_traceparent(parent) if parent else new_traceparent()
            with use_traceparent(onward):
                yield onward
            return
        from opentelemetry.trace import Link, SpanKind, use_span

        remote = _remote(parent)
        links = [Link(_span_context(parent))] if parent else None
        span = self._tracer.start_span(
            f"process {destination}",
            remote,
            SpanKind.CONSUMER,
            attributes={
                "messaging.system": MESSAGING_SYSTEM,
                "messaging.operation.type": "process",
                "messaging.operation.name": "process",
                "messaging.destination.name": destination,
                **(attributes or {}),
            },
            links=links,
        )
        onward = _traceparent_of(span)
        with use_span(span, end_on_exit=True), use_traceparent(onward):
            yield onward

    def failed(self, error: str) -> None:
        """Recording: mark the current span (a delivery's) as failed, with why."""
        if self._tracer is None:
            return
        from opentelemetry.trace import Status, StatusCode, get_current_span

        get_current_span().set_status(Status(StatusCode.ERROR, error))

    def process_batch(self, stored: Sequence[str | None], destination: str) -> Span | None:
        """A batch consumer's span (routing): a new trace linked to every message's producer
        context, as the conventions say for batches. None when not recording (the caller
        skips it); the caller ends it."""
        if self._tracer is None:
            return None
        from opentelemetry.trace import Link, SpanKind

        parsed = [p for p in (parse_traceparent(s) for s in stored) if p]
        return self._tracer.start_span(
            f"process {destination}",
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": MESSAGING_SYSTEM,
                "messaging.operation.type": "process",
                "messaging.operation.name": "process",
                "messaging.destination.name": destination,
                "messaging.batch.message_count": len(stored),
            },
            links=[Link(_span_context(p)) for p in parsed],
        )

    def shutdown(self) -> None:
        """Flush and stop the exporter (at process exit)."""
        provider, self.provider, self._tracer = self.provider, None, None
        if provider is not None:
            provider.shutdown()


def _span_context(traceparent: str) -> Any:
    from opentelemetry.trace import SpanContext, TraceFlags

    return SpanContext(
        int(traceparent[3:35], 16),
        int(traceparent[36:52], 16),
        is_remote=True,
        trace_flags=TraceFlags(int(traceparent[53:55], 16)),
    )


def _remote(parent: str | None) -> Any:
    """An OpenTelemetry context whose parent is `parent` (None: a root span)."""
    if parent is None:
        return None
    from opentelemetry.trace import NonRecordingSpan, set_span_in_context

    return set_span_in_context(NonRecordingSpan(_span_context(parent)))


def _traceparent_of(span: Span) -> str:
    ctx = span.get_span_context()
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


#: The process's tracing; `configure_tracing` replaces it. Off until then.
_tracing = Tracing()


def tracing() -> Tracing:
    return _tracing


def configure_tracing(
    options: TracingOptions | None = None,
    *,
    exporter: SpanExporter | None = None,
    batch: bool = True,
) -> Tracing:
    """Set the process's tracing. No endpoint and no `exporter`: off (the SDK is not even
    imported). `exporter` (tests: an in-memory one) takes the place of OTLP's."""
    global _tracing
    options = options or TracingOptions()
    if exporter is None and options.otlp_endpoint is None:
        _tracing.shutdown()
        _tracing = Tracing()
        return _tracing
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Headers (an API key) come from OTEL_EXPORTER_OTLP_HEADERS, read by the exporter.
        exporter = OTLPSpanExporter(
            endpoint=options.otlp_endpoint, timeout=options.otlp_timeout_seconds
        )
    provider = TracerProvider(
        resource=Resource.create({"service.name": options.service_name}),
        sampler=ParentBased(TraceIdRatioBased(options.sample_ratio)),
    )
    provider.add_span_processor(
        BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    )
    _tracing.shutdown()
    _tracing = Tracing(provider)
    return _tracing

"""Traces: a W3C ``traceparent`` sent with a document comes back on its message and on its
delivery's request to a real loopback receiver; a document without one gets a new trace;
log lines name the trace; recorded spans follow the OpenTelemetry messaging conventions; OTLP
export is off unless configured, and exports to a real (loopback) collector when it is.

The hub runs in process (real SQLite store, runtime loops) behind its real ASGI stack."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.observability.logging import configure_logging
from crossdock.observability.tracing import (
    child_traceparent,
    configure_tracing,
    new_traceparent,
    parse_traceparent,
    tracing,
    use_traceparent,
)
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
INBOUND_SPAN = "00f067aa0ba902b7"
INBOUND = f"00-{TRACE_ID}-{INBOUND_SPAN}-01"


@pytest.fixture(autouse=True)
def tracing_off() -> Iterator[None]:
    """Every test starts and ends with the process's default (off) tracing."""
    configure_tracing()
    yield
    configure_tracing()


# --- the header ----------------------------------------------------------------------------


def test_a_valid_traceparent_is_kept_and_an_invalid_one_starts_a_new_trace() -> None:
    assert parse_traceparent(INBOUND) == INBOUND
    assert parse_traceparent(f"  {INBOUND} ") == INBOUND
    # a later version's extra fields are dropped; the ids are kept
    assert parse_traceparent(f"01-{TRACE_ID}-{INBOUND_SPAN}-01-extra") == INBOUND
    for bad in (
        None,
        "",
        INBOUND.upper(),  # upper-case hex is invalid
        f"00-{'0' * 32}-{INBOUND_SPAN}-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero span id
        f"ff-{TRACE_ID}-{INBOUND_SPAN}-01",  # version ff
        f"00-{TRACE_ID}-{INBOUND_SPAN}-01-extra",  # version 00 has exactly four fields
        f"00-{TRACE_ID[:-1]}g-{INBOUND_SPAN}-01",
        f"00-{TRACE_ID}-{INBOUND_SPAN}-1",
        "00_" + INBOUND[3:],
    ):
        assert parse_traceparent(bad) is None, bad


def test_a_child_keeps_the_trace_and_flags_with_a_new_span_id() -> None:
    child = child_traceparent(INBOUND)
    assert parse_traceparent(child) == child
    assert child[3:35] == TRACE_ID and child.endswith("-01")
    assert child[36:52] != INBOUND_SPAN
    fresh = new_traceparent()
    assert parse_traceparent(fresh) == fresh and fresh[3:35] != TRACE_ID
    assert fresh.endswith("-00")  # nothing was recorded for it: not sampled


# --- log lines -----------------------------------------------------------------------------


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(json=True)
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    root.handlers[:], root.level = saved


def test_log_lines_carry_the_trace_id_of_the_work_in_hand(json_log: io.StringIO) -> None:
    log = logging.getLogger("crossdock.test")
    log.warning("outside any trace")
    with tracing().server("POST", INBOUND):
        log.warning("while a request is handled")
    with use_traceparent(new_traceparent()) as _:
        log.warning("while a delivery is handled")
    outside, inside, other = (json.loads(line) for line in json_log.getvalue().splitlines())
    assert "trace_id" not in outside
    assert inside["event"] == "while a request is handled" and inside["trace_id"] == TRACE_ID
    assert len(other["trace_id"]) == 32 and other["trace_id"] != TRACE_ID


# --- end to end ----------------------------------------------------------------------------


@dataclass
class Receiver:
    """A loopback HTTP receiver that keeps every request's headers."""

    url: str = ""
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    status: int = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    found.url = f"http://127.0.0.1:{port}"
    try:
        yield found
    finally:
        await runner.cleanup()


def hub_settings(tmp_path: Path, receiver: Receiver, **extra: Any) -> Settings:
    return Settings(
        hub={"data_dir": tmp_path / "data", "prepare_workers": 0},
        endpoints={"erp": {"type": "http", "url": f"{receiver.url}/in/erp"}},
        routes=[{"name": "po", "when": {"document_type": "purchase_order"},
                 "deliver": {"endpoint": "erp"}}],
        **extra,
    )  # fmt: skip


@dataclass
class Hub:
    hub: HubServices
    client: httpx.AsyncClient


@pytest.fixture
async def hub(tmp_path: Path, receiver: Receiver) -> AsyncIterator[Hub]:
    services = build_hub(hub_settings(tmp_path, receiver))
    await services.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(services))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(services)
        ) as client:
            yield Hub(services, client)
    finally:
        await services.stop()


async def until(check: Callable[[], Any], seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def post_po(hub: Hub, key: str, headers: dict[str, str] | None = None) -> str:
    posted = await hub.client.post(
        "/v1/messages/purchase_order",
        content=PO_RAW,
        headers={"Idempotency-Key": key, "Content-Type": "application/json", **(headers or {})},
    )
    assert posted.status_code == 202, posted.text
    message_id: str = posted.json()["id"]
    return message_id


async def delivered_to(receiver: Receiver, message_id: str) -> dict[str, str]:
    def found() -> dict[str, str] | None:
        for headers in receiver.headers:
            if headers.get("x-crossdock-message-id") == message_id:
                return headers
        return None

    await until(lambda: found() is not None)
    headers = found()
    assert headers is not None
    return headers


async def test_the_senders_trace_reaches_the_message_and_the_delivery(
    hub: Hub, receiver: Receiver
) -> None:
    message_id = await post_po(hub, "traced-1", {"traceparent": INBOUND})
    view = (await hub.client.get(f"/v1/messages/{message_id}")).json()
    assert view["trace_id"] == TRACE_ID

    sent = await delivered_to(receiver, message_id)
    outbound = sent["traceparent"]
    assert parse_traceparent(outbound) == outbound
    assert outbound[3:35] == TRACE_ID  # the same trace
    assert outbound[36:52] != INBOUND_SPAN  # a span of the hub's own
    assert outbound.endswith("-01")  # the sender's sampled flag travels on


async def test_a_document_without_a_traceparent_gets_a_new_trace(
    hub: Hub, receiver: Receiver
) -> None:
    first = await post_po(hub, "untraced-1")
    second = await post_po(hub, "untraced-2", {"traceparent": "not-a-traceparent"})
    views = [(await hub.client.get(f"/v1/messages/{m}")).json() for m in (first, second)]
    trace_ids = [v["trace_id"] for v in views]
    assert all(t and len(t) == 32 and int(t, 16) for t in trace_ids)
    assert trace_ids[0] != trace_ids[1] and TRACE_ID not in trace_ids
    for message_id, trace_id in zip((first, second), trace_ids, strict=True):
        sent = await delivered_to(receiver, message_id)
        assert sent["traceparent"][3:35] == trace_id


async def test_x12_and_batch_intake_continue_the_senders_trace(hub: Hub) -> None:
    lines = b"\n".join([PO_RAW.replace(b"\n", b""), PO_RAW.replace(b"\n", b"")])
    batch = await hub.client.post(
        "/v1/messages/purchase_order/batch",
        content=lines,
        headers={"Content-Type": "application/x-ndjson", "traceparent": INBOUND},
    )
    assert batch.status_code == 202, batch.text
    edi = await hub.client.post(
        "/v1/edi",
        content=(EXAMPLES / "purchase_order_850.x12").read_bytes(),
        headers={
            "Content-Type": "application/edi-x12",
            "Accept": "application/json",
            "traceparent": INBOUND,
        },
    )
    assert edi.status_code == 202, edi.text
    ids = [r["id"] for r in batch.json()["results"]]
    [interchange] = edi.json()["interchanges"]
    ids += [m["id"] for m in interchange["messages"]]
    ids.append(interchange["ack_message_id"])  # the 997 the hub answered with
    assert len(ids) >= 4 and all(ids), edi.text
    for message_id in ids:
        view = (await hub.client.get(f"/v1/messages/{message_id}")).json()
        assert view["trace_id"] == TRACE_ID, (message_id, view["channel"])


# --- spans ---------------------------------------------------------------------------------


def hexes(span: ReadableSpan) -> tuple[str, str]:
    ctx = span.get_span_context()
    assert ctx is not None
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


def parent_span_id(span: ReadableSpan) -> str | None:
    return f"{span.parent.span_id:016x}" if span.parent is not None else None


async def test_recorded_spans_follow_the_messaging_conventions(
    hub: Hub, receiver: Receiver
) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing(exporter=exporter, batch=False)
    message_id = await post_po(hub, "spans-1", {"traceparent": INBOUND})
    sent = await delivered_to(receiver, message_id)
    await until(
        lambda: any(s.name.startswith("process deliver.") for s in exporter.get_finished_spans())
    )
    spans = exporter.get_finished_spans()
    by_kind: dict[SpanKind, list[ReadableSpan]] = {}
    for span in spans:
        by_kind.setdefault(span.kind, []).append(span)

    # the request: a SERVER span continuing the sender's context
    [server] = [
        s
        for s in by_kind[SpanKind.SERVER]
        if str((s.attributes or {}).get("url.path")) == "/v1/messages/purchase_order"
    ]
    assert hexes(server)[0] == TRACE_ID and parent_span_id(server) == INBOUND_SPAN
    assert server.parent is not None and server.parent.is_remote
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 202

    # the record: a PRODUCER span, its context the one stored with the message
    [producer] = by_kind[SpanKind.PRODUCER]
    assert producer.name == "send purchase_order"
    assert parent_span_id(producer) == hexes(server)[1]
    assert producer.attributes is not None
    assert producer.attributes["messaging.operation.type"] == "send"
    assert producer.attributes["messaging.message.id"] == message_id
    assert producer.attributes["messaging.system"] == "crossdock"

    consumers = by_kind[SpanKind.CONSUMER]
    # routing: a batch CONSUMER span linked to the producer's context
    [routing] = [s for s in consumers if s.name.startswith("process route.")]
    assert routing.attributes is not None
    assert routing.attributes["messaging.operation.type"] == "process"
    assert [hexes_of_link(link) for link in routing.links] == [hexes(producer)]

    # the delivery: a CONSUMER span parented to and linked with the producer's context; the
    # receiver's traceparent names it
    [delivery] = [s for s in consumers if s.name == "process deliver.critical.erp"]
    assert hexes(delivery)[0] == TRACE_ID
    assert parent_span_id(delivery) == hexes(producer)[1]
    assert [hexes_of_link(link) for link in delivery.links] == [hexes(producer)]
    assert delivery.attributes is not None
    assert delivery.attributes["messaging.operation.type"] == "process"
    assert delivery.attributes["messaging.message.id"] == message_id
    assert delivery.attributes["messaging.consumer.group.name"] == "deliver.critical.erp"
    assert sent["traceparent"] == f"00-{TRACE_ID}-{hexes(delivery)[1]}-01"


async def test_a_refused_delivery_is_a_failed_span(hub: Hub, receiver: Receiver) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing(exporter=exporter, batch=False)
    receiver.status = 422  # a rejection: dead-lettered at once, no retry
    message_id = await post_po(hub, "refused-1", {"traceparent": INBOUND})
    await delivered_to(receiver, message_id)

    def delivery_spans() -> list[ReadableSpan]:
        return [s for s in exporter.get_finished_spans() if s.name.startswith("process deliver.")]

    await until(lambda: delivery_spans())
    [span] = delivery_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description and "422" in span.status.description


def hexes_of_link(link: Any) -> tuple[str, str]:
    return f"{link.context.trace_id:032x}", f"{link.context.span_id:016x}"


# --- export --------------------------------------------------------------------------------


def test_otlp_export_is_off_by_default() -> None:
    assert Settings().tracing.otlp_endpoint is None
    assert tracing().recording is False and tracing().provider is None


async def test_a_default_hub_records_no_spans(hub: Hub) -> None:
    await post_po(hub, "off-1", {"traceparent": INBOUND})
    assert tracing().recording is False and tracing().provider is None


async def test_spans_are_exported_to_the_configured_otlp_endpoint(
    tmp_path: Path, receiver: Receiver
) -> None:
    settings = hub_settings(
        tmp_path,
        receiver,
        tracing={"otlp_endpoint": f"{receiver.url}/v1/traces", "service_name": "hub-under-test"},
    )
    services = build_hub(settings)
    await services.start()
    try:
        assert tracing().recording
        transport = httpx.ASGITransport(app=create_asgi(services))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(services)
        ) as client:
            posted = await client.post(
                "/v1/messages/purchase_order",
                content=PO_RAW,
                headers={"Content-Type": "application/json", "traceparent": INBOUND},
            )
            assert posted.status_code == 202
    finally:
        await services.stop()  # flushes the batch processor: the export happens here
    assert tracing().recording is False  # the hub's tracing ended with it
    exports = [
        body
        for body, headers in zip(receiver.bodies, receiver.headers, strict=True)
        if headers.get("content-type") == "application/x-protobuf"
    ]
    assert exports, "no OTLP export reached the collector"
    names: set[str] = set()
    trace_ids: set[str] = set()
    services_seen: set[str] = set()
    for body in exports:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            for attribute in resource_spans.resource.attributes:
                if attribute.key == "service.name":
                    services_seen.add(attribute.value.string_value)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    names.add(span.name)
                    trace_ids.add(span.trace_id.hex())
    assert services_seen == {"hub-under-test"}
    assert "send purchase_order" in names
    assert TRACE_ID in trace_ids

"""A/B of the JSON intake fast path in process: what tracing costs per message.

Drives the hub's real ASGI stack (authentication, throttling, the request's trace, the raw
intake front, group commit into a real SQLite file) with `concurrency` requests in flight,
no HTTP client or socket in between, so the hub's own cost is what is measured. Run it once
per variant and compare msg/s::

    python -m bench.tracing_ab                 # this checkout, tracing off (the default)
    python -m bench.tracing_ab --recording     # spans recorded (a no-op exporter)
    PYTHONPATH=/path/to/other/src python -m bench.tracing_ab   # another checkout: the baseline

Each request carries a ``traceparent`` unless ``--no-traceparent``. The hub runs as the API
role (no routing or delivery loops), so intake alone is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.payloads import po_template, render

TRACEPARENT = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def _run(args: argparse.Namespace) -> list[tuple[float, float]]:
    from crossdock.bootstrap import build_hub
    from crossdock.bootstrap.auth import key_service
    from crossdock.bootstrap.roles import API
    from crossdock.config import Settings
    from crossdock.entrypoints.api.app import create_asgi
    from crossdock.hub.credentials import Client

    if args.recording:
        from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

        from crossdock.observability.tracing import configure_tracing

        class Discard(SpanExporter):
            def export(self, spans: Sequence[Any]) -> SpanExportResult:
                return SpanExportResult.SUCCESS

        configure_tracing(exporter=Discard())

    logging.getLogger("crossdock").setLevel(logging.ERROR)  # no slow-commit lines in the output
    # On tmpfs when there is one: fsync waits dominate and vary with the disk, not the code.
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        settings = Settings(
            hub={"data_dir": Path(tmp), "prepare_workers": 0},
            throttle={"enabled": False},
        )
        hub = build_hub(settings, role=API)
        await hub.start()
        try:
            token = key_service(hub.store.engine).issue(Client("operator", "bench")).token
            app = create_asgi(hub)
            headers = [
                (b"authorization", f"Bearer {token}".encode()),
                (b"content-type", b"application/json"),
            ]
            if not args.no_traceparent:
                headers.append((b"traceparent", TRACEPARENT))
            rates = []
            for round_ in range(args.rounds + 1):  # the first round warms up
                rate = await _round(app, headers, args.messages, args.concurrency, round_)
                if round_:
                    rates.append(rate)
            return rates
        finally:
            await hub.stop()


async def _round(
    app: Any, headers: list[tuple[bytes, bytes]], messages: int, concurrency: int, round_: int
) -> tuple[float, float]:
    """Messages per second (wall clock) and the process's CPU microseconds per message (all
    threads: steadier than the rate on a machine that other work shares)."""
    statuses: list[int] = []
    counter = iter(range(messages))
    template, _ = po_template(f"ab{round_}")

    async def one(n: int) -> None:
        body = render(template, n)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/messages/purchase_order",
            "raw_path": b"/v1/messages/purchase_order",
            "query_string": b"",
            "root_path": "",
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8080),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(scope, receive, send)

    async def worker() -> None:
        for n in counter:
            await one(n)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    refused = [s for s in statuses if s != 202]
    if refused:
        raise SystemExit(f"{len(refused)} requests were not accepted: {sorted(set(refused))}")
    return messages / elapsed, cpu / messages * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--recording", action="store_true", help="record spans (SDK on)")
    parser.add_argument("--no-traceparent", action="store_true")
    args = parser.parse_args(argv)
    rounds = asyncio.run(_run(args))
    rates, cpus = [r for r, _ in rounds], [c for _, c in rounds]
    print(
        f"msg/s per round: {', '.join(f'{r:,.0f}' for r in rates)}; "
        f"median {statistics.median(rates):,.0f}; "
        f"CPU us/msg: {', '.join(f'{c:.0f}' for c in cpus)}; median {statistics.median(cpus):.0f}"
    )


if __name__ == "__main__":
    main()

"""A small HTTP/1.1 load generator on raw asyncio streams, run in its own process.

Open loop (default): requests fire on a fixed schedule (``--rate`` per second) whatever the
server does, and each latency is measured from the request's *scheduled* send time, so a slow
server cannot hide its stalls by slowing the generator down (no coordinated omission).
Closed loop (``--closed C``): C connections send back to back, the fallback when wrk is absent.

Prints one JSON object: requests, seconds, rps, status counts, errors, latency_ms percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.payloads import render

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def percentiles(values: list[float]) -> dict[str, float]:
    """mean, max and the 50/90/99/99.9th percentiles (nearest rank), in the input's unit."""
    if not values:
        return {}
    ordered = sorted(values)
    out = {"mean": sum(ordered) / len(ordered), "max": ordered[-1]}
    for q in (50, 90, 99, 99.9):
        out[str(q)] = ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
    return {k: round(v, 3) for k, v in out.items()}


class Client:
    """Keep-alive connections to one host, each serving one request at a time."""

    def __init__(self, url: str, template: str, run_id: str, batch: int, max_conns: int) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path or "/"
        self.template, self.run_id, self.batch = template, run_id, batch
        authorization = os.environ.get("BENCH_AUTHORIZATION")  # see bench.auth
        self.auth = f"Authorization: {authorization}\r\n" if authorization else ""
        self.idle: asyncio.Queue[Conn] = asyncio.Queue()
        self.opened, self.max_conns = 0, max_conns
        self.status: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()

    async def warm(self, n: int) -> None:
        for _ in range(min(n, self.max_conns)):
            self.opened += 1
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def _acquire(self) -> Conn:
        if self.idle.empty() and self.opened < self.max_conns:
            self.opened += 1
            try:
                return await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.opened -= 1
                self.errors["connect"] += 1
                raise
        return await self.idle.get()

    def _request(self, n: int) -> bytes:
        key = f"{self.run_id}-lg-{n}"
        if self.batch == 1:
            body = render(self.template, f"lg-{n}")
            ctype, hdr = "application/json", "Idempotency-Key"
        else:
            body = b"\n".join(render(self.template, f"lg-{n}-{k}") for k in range(self.batch))
            body, ctype, hdr = body + b"\n", "application/x-ndjson", "Idempotency-Key"
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"X-Crossdock-Source: bench\r\n{hdr}: {key}\r\n{self.auth}\r\n"
        )
        return head.encode() + body

    async def send(self, n: int) -> bool:
        """One request on an idle (or new) connection; True when it was answered 2xx."""
        try:
            reader, writer = await self._acquire()
        except OSError:
            return False
        try:
            writer.write(self._request(n))
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length, close = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            if length:
                await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            self.errors["read"] += 1
            self.opened -= 1
            writer.close()
            return False
        self.status[status] += 1
        if close:
            self.opened -= 1
            writer.close()
        else:
            self.idle.put_nowait((reader, writer))
        if not 200 <= status < 300:
            self.errors["status"] += 1
            return False
        return True

    async def close(self) -> None:
        while not self.idle.empty():
            _reader, writer = self.idle.get_nowait()
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _summary(client: Client, latencies: list[float], seconds: float, n: int) -> dict[str, Any]:
    return {
        "requests": n,
        "seconds": round(seconds, 3),
        "rps": round(n / seconds, 1) if seconds else 0.0,
        "status": {str(k): v for k, v in sorted(client.status.items())},
        "errors": dict(client.errors),
        "latency_ms": percentiles(latencies),
    }


async def open_loop(
    client: Client, rate: float, duration: float, warmup: float, drain: float = 10.0
) -> dict[str, Any]:
    """Fire ``rate`` requests per second for ``duration`` s; latencies from scheduled times.

    Requests scheduled in the first ``warmup`` seconds are sent but not counted. Requests
    still unanswered ``drain`` seconds after the last send are counted as ``unfinished``, with
    their time so far as latency (a lower bound), so an overloaded server cannot look fast.
    """
    # time.perf_counter, not loop.time(): uvloop's clock only ticks in whole milliseconds.
    clock = time.perf_counter
    total = int(rate * duration)
    latencies: list[float] = []
    pending: dict[asyncio.Task[None], float] = {}
    lag_max = 0.0

    async def one(i: int, scheduled: float) -> None:
        ok = await client.send(i)
        if ok and scheduled >= start + warmup:
            latencies.append((clock() - scheduled) * 1000)

    start = clock() + 0.05
    i = 0
    while i < total:
        due = min(total, int((clock() - start) * rate) + 1)
        while i < due:
            scheduled = start + i / rate
            lag_max = max(lag_max, clock() - scheduled)
            task = asyncio.create_task(one(i, scheduled))
            pending[task] = scheduled
            task.add_done_callback(pending.pop)
            i += 1
        await asyncio.sleep(max(0.0, start + i / rate - clock()))
    if pending:
        await asyncio.wait(list(pending), timeout=drain)
    seconds = clock() - start
    unfinished = list(pending.items())
    for task, scheduled in unfinished:
        if scheduled >= start + warmup:
            latencies.append((clock() - scheduled) * 1000)
        task.cancel()
    out = _summary(client, latencies, seconds, total)
    out.update(
        offered_rate=rate,
        measured=len(latencies),
        unfinished=len(unfinished),
        warmup_s=warmup,
        max_send_lag_ms=round(lag_max * 1000, 3),
        connections=client.opened,
    )
    return out


async def closed_loop(client: Client, duration: float, limit: int) -> dict[str, Any]:
    """``max_conns`` workers send back to back for ``duration`` s (or ``limit`` requests)."""
    clock = time.perf_counter
    latencies: list[float] = []
    counter = iter(range(limit or 1 << 62))
    start = clock()
    stop_at = start + duration

    async def worker() -> None:
        for n in counter:
            if clock() >= stop_at:
                return
            t0 = clock()
            if await client.send(n):
                latencies.append((clock() - t0) * 1000)

    await asyncio.gather(*(worker() for _ in range(client.max_conns)))
    return _summary(client, latencies, clock() - start, sum(client.status.values()))


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    template = Path(args.template).read_text()
    conns = args.closed or args.max_connections
    client = Client(args.url, template, args.run_id, args.batch, conns)
    await client.warm(min(conns, 32))
    try:
        if args.closed:
            return await closed_loop(client, args.duration, args.limit)
        return await open_loop(client, args.rate, args.duration, args.warmup)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--template", required=True, help="PO template file (one JSON line)")
    parser.add_argument("--run-id", default=str(int(time.time())))
    parser.add_argument("--rate", type=float, default=1000.0, help="requests/s (open loop)")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds not counted")
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--closed", type=int, default=0, help="closed loop with N connections")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="closed loop: stop after N")
    args = parser.parse_args()
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    print(json.dumps(runner(main_async(args))))


if __name__ == "__main__":
    main()

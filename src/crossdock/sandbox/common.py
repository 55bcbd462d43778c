"""What every sandbox system shares: state and its JSON file, a clock, a schedule, the outbox,
fault injection, and the control API that scenario drivers and tests use.

A system is a :class:`Service` subclass that declares its own business routes (in its own
vocabulary, never the hub's canonical one) and its own state. The base class wraps those routes
with the injected faults and adds the control routes, all under ``/_``:

* ``GET /_health``; ``GET /_state``: the system's own view of its data plus outbox, stats, faults
* ``GET|POST /_faults``: see :mod:`crossdock.sandbox.faults`
* ``GET /_outbox[?status=pending]``; ``POST /_outbox/flush`` (retry now, release held events)
* ``GET|POST /_config``: ``{"hub_url": ..., "targets": {kind: url or /path}, "settings": {...}}``
* ``POST /_clock`` ``{"advance": seconds}``: move the system's clock forward, so scheduled work
  (a supplier's acknowledgment, a carrier's next scan) happens now instead of in an hour
* ``POST /_save``; ``POST /_reset`` (forget all data, events, faults and the state file;
  the configuration and settings stay)

State is held in memory and, with a state file, written atomically (debounced, and on shutdown),
so a restarted system keeps its documents and its undelivered events.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.sandbox.api import ApiError, Handler, fingerprint, reply
from crossdock.sandbox.control import control_routes
from crossdock.sandbox.faults import Faults
from crossdock.sandbox.outbound import Outbox, RetryPolicy


def count_by(records: Iterable[Mapping[str, Any]], *fields: str) -> dict[str, int]:
    """How many records share each combination of ``fields`` (keys joined with ``|``)."""
    counts = Counter("|".join(str(r.get(f)) for f in fields) for r in records)
    return dict(counts)


class Service:
    """One sandbox system: subclasses set ``name`` and ``default_targets`` and implement the hooks
    ``initial_data``, ``default_settings``, ``routes``, ``view`` and ``on_action``."""

    name: ClassVar[str] = "service"
    default_targets: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        *,
        hub_url: str = "http://127.0.0.1:8080",
        state_file: str | Path | None = None,
        settings: dict[str, Any] | None = None,
        retry: RetryPolicy | None = None,
        hub_key: str | None = None,
    ) -> None:
        self.hub_url = hub_url.rstrip("/")
        # The credential this system sends the hub (an API key issued to it): kept out of its
        # state file and its /_config answer, like any real system's secret.
        self.hub_key = hub_key
        self.state_file = Path(state_file) if state_file is not None else None
        self.faults = Faults()
        self.targets: dict[str, str] = {}
        self.settings: dict[str, Any] = {**self.default_settings(), **(settings or {})}
        self.clock_offset = 0.0
        self._acting_at: float | None = None
        self.data: dict[str, Any] = self.initial_data()
        # a heap of (due at, sequence, action): thousands of carrier scans stay cheap to pick
        self.schedule: list[tuple[float, int, dict[str, Any]]] = []
        self._scheduled = itertools.count()
        self.stats: dict[str, int] = {"requests": 0, "refused_down": 0, "duplicates": 0}
        self.errors: list[str] = []
        self.http: httpx.AsyncClient | None = None
        self.outbox = Outbox(
            source=self.name,
            faults=self.faults,
            resolve=self.target_url,
            on_change=self.touch,
            retry=retry,
            credentials=self.hub_credentials,
        )
        self._dirty = False
        self._last_save = 0.0
        self._save_every = 0.05
        self._load()

    # -- hooks ---------------------------------------------------------------------------------
    def initial_data(self) -> dict[str, Any]:
        return {}

    def default_settings(self) -> dict[str, Any]:
        return {}

    def routes(self) -> list[tuple[str, str, Handler]]:
        """``(method, path, handler)`` for the business API."""
        return []

    def progress(self) -> dict[str, Any]:
        """Small counters of where this system's documents stand (``GET /_progress``), so a
        driver polling thousands of documents does not fetch and parse the whole state."""
        return {}

    def view(self) -> dict[str, Any]:
        return self.data

    async def on_action(self, action: str, args: dict[str, Any]) -> None:
        """Run a scheduled action (see :meth:`later`). A service that schedules nothing has no
        actions, so anything arriving here (a stale state file, say) is an unknown action."""
        raise ValueError(f"{type(self).__name__} has no scheduled action {action!r}")

    # -- clock, schedule, outbound -------------------------------------------------------------
    def now(self) -> float:
        """This system's time: wall time plus any ``/_clock`` advance; while a scheduled action
        runs, the time it was due, so what it schedules next follows on from then."""
        if self._acting_at is not None:
            return self._acting_at
        return time.time() + self.clock_offset

    def iso(self, at: float | None = None) -> str:
        moment = datetime.fromtimestamp(self.now() if at is None else at, UTC)
        return moment.isoformat(timespec="seconds").replace("+00:00", "Z")

    def later(self, delay: float, action: str, **args: Any) -> None:
        """Schedule ``on_action(action, args)`` after ``delay`` seconds of this system's clock."""
        item: dict[str, Any] = {"at": self.now() + float(delay), "action": action, "args": args}
        heapq.heappush(self.schedule, (float(item["at"]), next(self._scheduled), item))
        self.touch()

    def hub_credentials(self, url: str) -> dict[str, str]:
        """The Authorization header for a request to `url` when it goes to the hub."""
        if self.hub_key and url.startswith(self.hub_url + "/"):
            return {"Authorization": f"Bearer {self.hub_key}"}
        return {}

    def target_url(self, kind: str) -> str:
        target = self.targets.get(kind) or self.default_targets.get(kind) or f"/_unrouted/{kind}"
        return self.hub_url + target if target.startswith("/") else target

    def emit(
        self,
        kind: str,
        body: Any,
        *,
        key: str,
        correlation: str | None = None,
        headers: dict[str, str] | None = None,
        lane: str = "",
    ) -> None:
        """Queue an outbound event for the hub (or a configured URL) with a stable key; ``lane``
        names the company sending it when this system plays several."""
        self.outbox.emit(
            kind,
            body,
            key=key,
            correlation=correlation,
            created_at=self.iso(),
            headers=headers,
            lane=lane,
        )

    def remember(self, bucket: str, key: str, body: Any, record: dict[str, Any]) -> bool:
        """Store ``record`` under ``data[bucket][key]`` once: True when new, False for a resend of
        the same ``body`` (counted as a duplicate), 409 when the key was used for another body.

        Real systems dedupe on their business keys (a receipt number, an invoice number), which
        is what makes the hub's at-least-once delivery harmless here."""
        store: dict[str, Any] = self.data.setdefault(bucket, {})
        print_ = fingerprint(body)
        if key in store:
            if store[key].get("fingerprint") != print_:
                raise ApiError(409, f"{key} already exists with different content")
            self.stats["duplicates"] += 1
            return False
        store[key] = {**record, "fingerprint": print_}
        return True

    def record(self, bucket: str, key: str) -> dict[str, Any]:
        """``data[bucket][key]``, or a 404."""
        found: dict[str, Any] | None = self.data[bucket].get(key)
        if found is None:
            raise ApiError(404, f"{key} not found")
        return found

    def list_of(self, bucket: str) -> Handler:
        """A handler answering every record of ``bucket``."""

        async def handler(_: Request) -> Response:
            return reply(list(self.data[bucket].values()))

        return handler

    def one_of(self, bucket: str, param: str = "key") -> Handler:
        """A handler answering the record named by the path parameter ``param``."""

        async def handler(request: Request) -> Response:
            return reply(self.record(bucket, request.path_params[param]))

        return handler

    # -- persistence ---------------------------------------------------------------------------
    def touch(self) -> None:
        self._dirty = True

    def save(self) -> None:
        """Write the whole state atomically (a temp file renamed over the old one)."""
        started = time.monotonic()
        self._dirty, self._last_save = False, started
        if self.state_file is None:
            return
        doc = {
            "data": self.data,
            "schedule": [item for _, _, item in sorted(self.schedule)],
            "outbox": self.outbox.dump(),
            "stats": self.stats,
            "settings": self.settings,
            "targets": self.targets,
            "hub_url": self.hub_url,
            "clock_offset": self.clock_offset,
        }
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
        tmp.write_bytes(orjson.dumps(doc, default=str))
        os.replace(tmp, self.state_file)
        # a big state (thousands of documents) is saved less often: six systems share one
        # process, so each stays under ~4 % busy saving (a crash loses at most that much)
        self._save_every = max(0.2, 25 * (time.monotonic() - started))

    def _load(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        doc = orjson.loads(self.state_file.read_bytes())
        self.data = doc["data"]
        self.schedule = [
            (float(s["at"]), next(self._scheduled), s) for s in doc.get("schedule", [])
        ]
        heapq.heapify(self.schedule)
        self.outbox.load(doc.get("outbox", {}))
        self.stats.update(doc.get("stats", {}))
        self.settings.update(doc.get("settings", {}))
        self.targets.update(doc.get("targets", {}))
        self.hub_url = doc.get("hub_url", self.hub_url)
        self.clock_offset = float(doc.get("clock_offset", 0.0))

    def reset(self) -> None:
        self.data, self.schedule, self.errors = self.initial_data(), [], []
        self.stats = dict.fromkeys(self.stats, 0)
        self.faults.reset()
        self.clock_offset = 0.0
        self.outbox.clear()
        if self.state_file is not None:
            self.state_file.unlink(missing_ok=True)

    # -- background work -----------------------------------------------------------------------
    async def run_due(self) -> int:
        """Run scheduled actions that are due (none while the system is down)."""
        ran = 0
        while not self.faults.is_down():
            if not self.schedule or self.schedule[0][0] > self.now():
                return ran
            item = heapq.heappop(self.schedule)[2]
            self.touch()
            ran += 1
            self._acting_at = float(item["at"])
            try:
                await self.on_action(item["action"], item["args"])
            except Exception as exc:  # kept visible in /_state, never silently lost
                self.errors = [*self.errors[-49:], f"{item['action']}: {exc!r}"]
            finally:
                self._acting_at = None
        return ran

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(0.02)
            await self.run_due()
            if self._dirty and time.monotonic() - self._last_save > self._save_every:
                self.save()

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        self.http = httpx.AsyncClient(timeout=self.outbox.retry.timeout)
        tasks = [asyncio.create_task(self.outbox.run()), asyncio.create_task(self._ticker())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.http.aclose()
            self.save()

    # -- the app -------------------------------------------------------------------------------
    def _guard(self, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            self.stats["requests"] += 1
            if self.faults.is_down():
                self.stats["refused_down"] += 1
                body = {"error": f"{self.name} is unavailable"}
                return JSONResponse(body, self.faults.down_status, headers={"Retry-After": "1"})
            delay = self.faults.delay()
            if delay:
                await asyncio.sleep(delay)
            try:
                response = await handler(request)
            except ApiError as exc:
                return reply({"error": exc.error, "details": exc.details}, exc.status)
            self.touch()
            return response

        return endpoint

    def build_app(self) -> Starlette:
        """The ASGI app: business routes behind the faults, control routes beside them."""
        routes = [  # a system's own /_ routes (simulation controls) ignore the faults too
            Route(
                path, handler if path.startswith("/_") else self._guard(handler), methods=[method]
            )
            for method, path, handler in self.routes()
        ]
        return Starlette(routes=[*routes, *control_routes(self)], lifespan=self._lifespan)

"""Proof of delivery pulled from the carriers' APIs once a webhook says "delivered".

Some carriers never push a signed POD: their webhook says "delivered" and the POD waits on
their API (``GET /v2/shipments/{id}/pod``). `PodFetcher` is a durable consumer group
(``pod.fetch``) over the shipment milestones the hub records: for each ``delivered`` one from a
carrier with ``carriers.<name>.pod`` it GETs the POD, maps it (`crossdock.mapping.carriers.pod`)
and records a ``proof_of_delivery`` message through intake's `record` — source the carrier,
channel ``carrier_api``, key ``pod:<carrier>:<tracking number>``, causation the milestone — so
flows (``shipment_tracking`` → ``order_to_delivery`` → ``billing_trigger``) and routes see it
like any other document.

Why a consumer group and not a task started by the webhook: the pending entry lives in the
store, so a fetch that is waiting for its next attempt survives a restart, and a retry is a
``nak`` with a delay instead of a sleeping coroutine. Every outcome is settled:

- 2xx and mappable: an accepted POD; unmappable: a rejected one with the reasons (the
  rejection watcher raises the exception). Either way the entry is acknowledged.
- 404 ("not delivered yet" at the carrier), 408/425/429, 5xx, network errors: ``nak`` with
  the carrier's backoff; once ``max_attempts`` is used up, a dead letter plus an
  ``endpoint_unavailable`` exception whose ``retry`` action fetches again.
- other 4xx (a bad key, a wrong URL), or a URL the milestone cannot fill: dead letter and
  exception at once; asking again cannot help.

Idempotency: before fetching, a POD already recorded under the key is looked up, so repeated
"delivered" events and redeliveries neither fetch nor record twice; intake's key check settles
the rest (two processes racing). The exception of a give-up is written before the dead letter:
a crash between them raises it again on the next attempt, never loses it.

KPI ``pod_update_speed``: the POD's ``delivered_at`` (carrier time) and the POD message's
``received_at`` (when the hub recorded it); its ``causation_id`` is the delivered milestone,
whose ``received_at`` is when the hub heard of the delivery.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from string import Formatter
from typing import Any
from urllib.parse import quote

from crossdock.canonical.shipment import ProofOfDelivery
from crossdock.hub.flows.exceptions import ExceptionCategory, RaisedException, to_record
from crossdock.hub.ids import new_id
from crossdock.hub.policy import RetryPolicy
from crossdock.hub.ports import Bus, FetchResponse, HttpGetter, UnitOfWork
from crossdock.hub.records import BusEntry, ConsumerGroup, FieldError, InboundMessage
from crossdock.hub.records import MessageStatus as Status
from crossdock.hub.runtime import LANES
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhooks import record_webhook
from crossdock.mapping.carriers.pod import PodContext
from crossdock.mapping.carriers.shape import Issue, PayloadError

log = logging.getLogger(__name__)

GROUP = "pod.fetch"
CHANNEL = "carrier_api"
DOCUMENT_TYPE = "proof_of_delivery"
MILESTONE = "shipment_milestone"
#: "Not delivered yet" at the carrier, or its temporary trouble: ask again later.
RETRYABLE_STATUSES = frozenset({404, 408, 425, 429})
PodMapper = Callable[[object, PodContext], ProofOfDelivery]
#: Rounds per run at most, so a backlog never keeps the scheduler's other jobs waiting.
MAX_ROUNDS = 20


#: The carrier API's answer and the GET port are the hub's generic ones (`hub.ports`).
PodResponse = FetchResponse
PodClient = HttpGetter


@dataclass(frozen=True, slots=True)
class PodSource:
    """One carrier's POD API: URL template, response mapper and patience.

    ``headers`` may hold an API key: it is sent, never logged or recorded.
    """

    carrier: str
    url: str
    mapper: PodMapper
    retry: RetryPolicy
    timeout: float = 10.0
    headers: Mapping[str, str] = field(default_factory=dict)

    def url_for(self, values: Mapping[str, str]) -> str:
        """The URL with the milestone's values filled in, percent-encoded; KeyError names a
        placeholder the milestone has no value for."""
        names = {n for _, n, _, _ in Formatter().parse(self.url) if n}
        return self.url.format_map({n: quote(values[n], safe="") for n in names})


def pod_group(max_attempts: int) -> ConsumerGroup:
    """Every lane's shipment milestones; the bus's own limit sits above every carrier's
    ``max_attempts`` because `PodFetcher` gives up (with an exception) itself."""
    subjects = tuple(f"doc.{lane}.{MILESTONE}" for lane in LANES)
    return ConsumerGroup(GROUP, subjects, lane="critical", max_deliver=max_attempts + 5)


def pod_key(carrier: str, milestone: Mapping[str, Any]) -> str:
    """One POD per carrier and shipment, whatever number of "delivered" events said so."""
    return f"pod:{carrier}:{milestone.get('tracking_number') or milestone['shipment_id']}"


@dataclass(slots=True)
class _Job:
    entry: BusEntry
    source: PodSource
    milestone: dict[str, Any]
    key: str
    url: str | None = None
    problem: str | None = None  # a permanent failure found before fetching
    response: PodResponse | None = None


@dataclass(slots=True)
class _Settlement:
    messages: list[InboundMessage] = field(default_factory=list)
    raised: list[RaisedException] = field(default_factory=list)
    ack: list[BusEntry] = field(default_factory=list)
    nak: list[tuple[BusEntry, float, str]] = field(default_factory=list)
    dead: list[tuple[BusEntry, str]] = field(default_factory=list)


class PodFetcher:
    """The ``pod.fetch`` consumer: fetch, map, record, settle (see the module docstring).

    Run `run_once` periodically; it drains what is due and returns how many entries it handled.
    """

    def __init__(
        self,
        sources: Mapping[str, PodSource],
        client: PodClient,
        runner: StoreRunner,
        bus: Bus,
        *,
        lane_for: Callable[[str], str],
        on_recorded: Callable[[], None] | None = None,
        concurrency: int = 8,
        batch_size: int = 32,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sources = dict(sources)
        self.client = client
        self._runner = runner
        self._bus = bus
        self._lane = lane_for(DOCUMENT_TYPE)
        self._on_recorded = on_recorded
        self._slots = asyncio.Semaphore(concurrency)
        self._batch = batch_size
        self._rng = rng or random.Random()
        self._clock = clock
        self.group = pod_group(
            max((s.retry.max_attempts for s in self.sources.values()), default=1)
        )
        self._ready = False

    async def run_once(self) -> int:
        """Handle due entries until none is left; returns how many were handled."""
        if not self._ready:
            await self._runner.call(self._bus.ensure_group, self.group)
            self._ready = True
        handled = 0
        for _ in range(MAX_ROUNDS):
            entries = await self._runner.call(self._bus.fetch, GROUP, self._batch)
            if not entries:
                break
            jobs, settled = await self._runner.read(partial(self._plan, entries=entries))
            await asyncio.gather(*(self._fetch(job) for job in jobs if job.problem is None))
            for job in jobs:
                self._judge(job, settled)
            if settled.messages or settled.raised:
                await self._runner.write(partial(self._record, out=settled))
            await self._runner.call(self._settle_bus, settled)
            if settled.messages and self._on_recorded is not None:
                self._on_recorded()
            handled += len(entries)
        return handled

    def _plan(self, uow: UnitOfWork, entries: Sequence[BusEntry]) -> tuple[list[_Job], _Settlement]:
        """Which entries need a fetch: delivered milestones from POD carriers without a POD."""
        settled = _Settlement()
        stored = uow.messages.get_many([e.message_id for e in entries], with_raw=False)
        jobs: list[_Job] = []
        for entry in entries:
            message = stored.get(entry.message_id)
            source = self.sources.get(message.summary.source) if message else None
            if message is None or source is None or message.canonical is None:
                settled.ack.append(entry)  # not ours (or gone): nothing to fetch
                continue
            milestone = json.loads(message.canonical)
            if milestone.get("milestone") != "delivered":
                settled.ack.append(entry)
                continue
            jobs.append(_Job(entry, source, milestone, pod_key(source.carrier, milestone)))
        known = uow.messages.find_idempotent([(j.source.carrier, j.key) for j in jobs])
        todo: list[_Job] = []
        for job in jobs:
            if (job.source.carrier, job.key) in known or job.key in {t.key for t in todo}:
                settled.ack.append(job.entry)  # already recorded, or fetched in this round
                continue
            values = {k: str(v) for k, v in job.milestone.items() if isinstance(v, str)}
            try:
                job.url = job.source.url_for(values)
            except KeyError as exc:
                job.problem = f"the delivered milestone has no {exc.args[0]} for the POD URL"
            todo.append(job)
        return todo, settled

    async def _fetch(self, job: _Job) -> None:
        assert job.url is not None
        async with self._slots:
            try:
                job.response = await self.client.get(
                    job.url, job.source.headers, job.source.timeout
                )
            except Exception as exc:  # an adapter bug must not stop the other fetches
                log.exception("POD client raised for %s", job.source.carrier)
                job.response = PodResponse(None, error=f"client error: {exc!r}")

    def _judge(self, job: _Job, out: _Settlement) -> None:
        """Turn one fetch into a recorded POD, a retry, or a give-up."""
        response = job.response
        if job.problem is not None or response is None:
            self._give_up(job, job.problem or "no response", out)
            return
        status = response.status
        if status is not None and 200 <= status < 300:
            out.messages.append(self._message(job, response))
            out.ack.append(job.entry)
            return
        error = response.error or f"HTTP {status}: {response.body[:200].decode(errors='replace')}"
        retryable = status is None or status >= 500 or status in RETRYABLE_STATUSES
        if not retryable:
            self._give_up(job, f"refused by the carrier API: {error}", out)
        elif job.entry.deliveries >= job.source.retry.max_attempts:
            self._give_up(job, f"retries exhausted after {job.entry.deliveries}: {error}", out)
        else:
            delay = job.source.retry.delay(job.entry.deliveries, self._rng)
            out.nak.append((job.entry, delay, f"{job.url}: {error}"))

    def _give_up(self, job: _Job, why: str, out: _Settlement) -> None:
        tracking = job.milestone.get("tracking_number") or job.milestone["shipment_id"]
        out.raised.append(
            RaisedException(
                ExceptionCategory.ENDPOINT_UNAVAILABLE,
                f"proof of delivery for {tracking} from {job.source.carrier} not fetched: {why}",
                evidence=[job.entry.message_id],
                correlation_key=job.milestone["shipment_id"],
                data={
                    "group": GROUP,
                    "carrier": job.source.carrier,
                    "url": job.url,
                    "dead_letter": job.entry.pending_id,
                },
            )
        )
        out.dead.append((job.entry, why))

    def _message(self, job: _Job, response: PodResponse) -> InboundMessage:
        """The POD as a message: accepted when it maps, else rejected with the reasons."""
        m = job.milestone
        context = PodContext(m["shipment_id"], m["carrier"], m.get("tracking_number"))
        message = InboundMessage(
            id=new_id(),
            document_type=DOCUMENT_TYPE,
            schema_version=ProofOfDelivery.schema_version,
            source=job.source.carrier,
            channel=CHANNEL,
            received_at=self._clock(),
            content_type=response.content_type,
            raw=response.body,
            body_sha256=hashlib.sha256(response.body).hexdigest(),
            status=Status.ACCEPTED,
            lane=self._lane,
            correlation_key=m["shipment_id"],
            causation_id=job.entry.message_id,
            idempotency_key=job.key,
        )
        try:
            pod = job.source.mapper(_decode(response.body), context)
        except PayloadError as exc:
            message.status, message.schema_version = Status.REJECTED, 0
            message.idempotency_key = f"rejected:{job.key}"
            message.errors = [FieldError(i.path, i.reason, i.type) for i in exc.issues]
            return message
        message.correlation_key = pod.correlation_key()
        message.canonical = pod.model_dump_json(exclude_none=True).encode()
        return message

    def _record(self, uow: UnitOfWork, out: _Settlement) -> None:
        """Exceptions and PODs in one commit, before the bus hears of it (a crash in between
        redelivers the entry: the POD is then found by its key, the exception raised again)."""
        now = self._clock()
        for raised in out.raised:
            uow.exceptions.add(to_record(raised, id=new_id(), created_at=now))
        record_webhook(uow, out.messages)  # a key already recorded is a duplicate
        uow.commit()

    def _settle_bus(self, out: _Settlement) -> None:
        for entry, _delay, error in out.nak:
            log.info("POD not fetched yet (attempt %d): %s", entry.deliveries, error)
        for entry, error in out.dead:
            log.error("POD fetch for %s gave up: %s", entry.message_id, error)
        self._bus.settle(GROUP, ack=out.ack, nak=out.nak, dead=out.dead)


def _decode(body: bytes) -> object:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        issue = Issue("$", f"the POD response is not JSON: {exc}", "carrier.json")
        raise PayloadError([issue]) from None

"""A rig for outbound webhook tests: a real SQLite store, the fan-out consumer, the hub's
dispatcher with the real HTTP adapter behind the signing endpoint, and a loopback receiver
(aiohttp, in the test's event loop) that verifies every request with the reference
`standardwebhooks` package and answers what the test scripts."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web
from sqlalchemy import update
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.adapters.sql.tables import bus_pending
from crossdock.hub.delivery import EndpointDispatcher, delivery_group
from crossdock.hub.identity import Principal
from crossdock.hub.intake import record
from crossdock.hub.policy import CircuitBreaker, DeliveryBudget, RetryPolicy
from crossdock.hub.records import Delivery, DeliveryAttempt, InboundMessage
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhook_endpoint import WebhookEndpoint
from crossdock.hub.webhook_events import PartnerAliases
from crossdock.hub.webhook_fanout import FANOUT_GROUP, WebhookFanout, fanout_group
from crossdock.hub.webhook_records import Subscription
from crossdock.hub.webhook_subscriptions import NewSubscription, create
from tests.conftest import EXAMPLES, SqlStore, inbound

GROUP = delivery_group("critical", "webhooks").name
OPERATOR = Principal(subject="operator:ops", kind="operator")
ALIASES = PartnerAliases.of(
    {"cascade": ["CASCADEPAPER"], "acme": ["ACMESUPPLY"], "ridgeline": [], "northline": []}
)


def partner(name: str, role: str = "supplier") -> Principal:
    return Principal(
        subject=f"partner:{name}",
        kind="partner",
        partner=name,
        partner_role=role,  # type: ignore[arg-type]
    )


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified_with: list[str]

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed


@dataclass
class Receiver:
    """Loopback receiver: `answers[path]` is a queue of statuses to give (then 200);
    `secrets[path]` the keys a receiver at that path holds (each one is tried)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: dict[str, deque[int]] = field(default_factory=dict)
    secrets: dict[str, list[str]] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        verified = []
        for secret in self.secrets.get(request.path, []):
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified.append(secret)
        self.received.append(Received(request.path, headers, body, verified))
        queue = self.answers.get(request.path)
        status = queue.popleft() if queue else 200
        return web.Response(status=status, text="" if status == 200 else f"status {status}")

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


class Rig:
    def __init__(self, store: SqlStore, receiver: Receiver) -> None:
        self.store = store
        self.receiver = receiver
        self.runner = StoreRunner(store.uow, store.uow.reader)
        self.sender = HttpEndpoint("webhooks", "http://unused.invalid/", timeout=5.0)
        self.disabled: list[tuple[str, str]] = []
        self.monotonic = [1000.0]  # the subscriptions' circuits' clock, moved by the tests
        self.endpoint = WebhookEndpoint(
            self.sender,
            self.runner,
            on_disabled=lambda s, why: self.disabled.append((s.id, why)),
            circuit=lambda name: CircuitBreaker(
                failure_threshold=2, reset_timeout=30.0, clock=lambda: self.monotonic[0]
            ),
        )
        store.bus.ensure_group(fanout_group())
        store.bus.ensure_group(delivery_group("critical", "webhooks"))
        self.fanout = WebhookFanout(ALIASES)
        self.dispatcher = EndpointDispatcher(
            self.endpoint,
            self.runner,
            store.bus,
            RetryPolicy(initial_backoff=5.0, jitter=0.0),
            CircuitBreaker(failure_threshold=1_000_000, reset_timeout=30.0, clock=time.monotonic),
            budget=DeliveryBudget(),
            sets_message_status=False,
        )

    async def close(self) -> None:
        await self.endpoint.close()
        self.runner.close()

    def subscribe(
        self, who: Principal, path: str, *types: str, for_partner: str | None = None
    ) -> tuple[Subscription, str]:
        with self.store.uow() as uow:
            sub, secret = create(
                uow,
                who,
                NewSubscription(self.receiver.url + path, types, partner=for_partner),
                datetime.now(UTC),
                private_urls=True,  # the receiver is on loopback
            )
        self.receiver.secrets.setdefault(path, []).append(secret)
        return sub, secret

    def record(
        self, example: str, replace: dict[str, str] | None = None, *, source: str = "erp"
    ) -> InboundMessage:
        raw = (EXAMPLES / example).read_text()
        for old, new in (replace or {}).items():
            raw = raw.replace(old, new)
        document_type = example.removesuffix(".json")
        message = inbound(raw.encode(), document_type=document_type, source=source)
        assert message.status == "accepted", message.errors
        with self.store.uow() as uow:
            record(uow, [message])
            uow.commit()
        return message

    def fan_out(self) -> int:
        entries = self.store.bus.fetch(FANOUT_GROUP, 100)
        with self.store.uow() as uow:
            result = self.fanout.handle_batch(uow, FANOUT_GROUP, entries)
            uow.commit()
        assert not result.failed
        self.store.bus.ack(FANOUT_GROUP, entries)
        return result.created

    async def deliver(self) -> int:
        return await self.dispatcher.run_round(GROUP)

    def make_due(self) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(
                update(bus_pending).where(bus_pending.c.group_name == GROUP).values(available_at=0)
            )

    def subscription(self, sub_id: str) -> Subscription:
        with self.store.uow.reader() as uow:
            found = uow.webhooks.get(sub_id)
        assert found is not None
        return found

    def deliveries_of(self, sub_id: str) -> list[Delivery]:
        with self.store.uow.reader() as uow:
            refs = uow.webhooks.deliveries(sub_id)
            found = uow.deliveries.get_many([r.delivery_id for r in refs])
        return [found[r.delivery_id] for r in refs]

    def attempts(self, delivery_id: str) -> list[DeliveryAttempt]:
        with self.store.uow.reader() as uow:
            return sorted(uow.deliveries.attempts([delivery_id]), key=lambda a: a.attempt)


async def start_receiver(receiver: Receiver) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"http://127.0.0.1:{port}"
    return runner

"""The one place that wires adapters into the hub, from settings.

Entrypoints (API server, CLI, demo) call `build_store` when they only need the store (operator
commands work with the hub stopped) and `build_hub` for a running hub with its workers.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from crossdock.adapters.channels.folder_drop import FolderDrop
from crossdock.adapters.endpoints.folder import FolderEndpoint
from crossdock.adapters.endpoints.http import HttpEndpoint
from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.engine import WalCheckpointer, make_engine
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.registry import document_types
from crossdock.config import FolderEndpointConfig, HttpEndpointConfig, Settings
from crossdock.config_carriers import SignatureConfig
from crossdock.config_flows import ProcureToPayConfig, TolerancesConfig
from crossdock.hub.delivery import EndpointDispatcher
from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.folder_intake import FolderIntake
from crossdock.hub.edi.outbound import X12Encoder
from crossdock.hub.edi.partners import OwnIdentity, PartnerDirectory, TradingPartner
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiService
from crossdock.hub.flows import order_to_delivery, procure_to_pay, shipment_tracking
from crossdock.hub.flows.model import FlowDefinition
from crossdock.hub.flows.order_to_delivery import OrderToDeliveryPolicy
from crossdock.hub.flows.p2p_policy import PartnerTerms, ProcureToPayPolicy
from crossdock.hub.flows.three_way_match import Tolerance, Tolerances
from crossdock.hub.flows.workers import flow_workers
from crossdock.hub.group_commit import IntakeRecorder
from crossdock.hub.inbound_systems import InboundSystemService, SystemChannel
from crossdock.hub.policy import CircuitBreaker, RetryPolicy
from crossdock.hub.ports import Endpoint
from crossdock.hub.routing import Route, Router
from crossdock.hub.runtime import LaneSettings, Runtime
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.system_transform import SystemEncoder
from crossdock.hub.webhooks import CarrierChannel, SignatureCheck, WebhookService
from crossdock.mapping.carriers import CarrierContext, normalizer
from crossdock.mapping.systems import system_format
from crossdock.mapping.x12 import X12Mapper
from crossdock.observability.metrics import HubMetrics, build_metrics
from crossdock.x12.model import Delimiters


@dataclass(slots=True)
class Store:
    engine: Engine
    uow: SqlUnitOfWorkFactory
    bus: SqlBus
    checkpointer: WalCheckpointer

    def close(self) -> None:
        self.checkpointer.stop()
        self.engine.dispose()


def build_store(settings: Settings) -> Store:
    settings.hub.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    checkpointer = WalCheckpointer(engine)
    checkpointer.start()
    return Store(
        engine=engine,
        uow=SqlUnitOfWorkFactory(engine),
        bus=SqlBus(engine),
        checkpointer=checkpointer,
    )


def build_routes(settings: Settings) -> list[Route]:
    return [
        Route(
            name=r.name,
            document_type=r.when.document_type,
            endpoint=r.deliver.endpoint,
            transform=r.deliver.transform,
            lane=settings.lane_for_route(r),
            sources=tuple(r.when.source),
            where=dict(r.when.where),
            fields=dict(r.deliver.fields),
            partner=r.deliver.partner,
            map=r.deliver.map,
        )
        for r in settings.routes
    ]


def build_flows(settings: Settings) -> list[FlowDefinition]:
    """The flows this hub runs (process managers, `crossdock.hub.flows`), from `flows:`.

    Settings become the flows' plain policies here, because the hub never reads settings.
    Order-to-delivery comes with `shipment_tracking`, which relates carrier events (keyed by
    tracking number) to their orders.
    """
    config = settings.flows
    flows: list[FlowDefinition] = []
    if config.procure_to_pay.enabled:
        flows.append(procure_to_pay.definition(_p2p_policy(config.procure_to_pay)))
    if config.order_to_delivery.enabled:
        o2d = config.order_to_delivery
        policy = OrderToDeliveryPolicy(
            milestone_every=timedelta(hours=o2d.milestone_every_hours),
            pod_due=timedelta(hours=o2d.pod_due_hours),
        )
        flows += [order_to_delivery.definition(policy), shipment_tracking.definition()]
    return flows


def _tolerances(config: TolerancesConfig) -> Tolerances:
    return Tolerances(
        quantity=Tolerance(config.quantity_percent, config.quantity_absolute),
        price=Tolerance(config.price_percent, config.price_absolute),
    )


def _p2p_policy(config: ProcureToPayConfig) -> ProcureToPayPolicy:
    def days(value: float | None) -> timedelta | None:
        return None if value is None else timedelta(days=value)

    partners = {
        name: PartnerTerms(
            ack_due=timedelta(hours=p.ack_due_hours) if p.ack_due_hours else None,
            asn_due_before_promised=days(p.asn_due_days_before_promised),
            tolerances=_tolerances(p.tolerances) if p.tolerances else None,
        )
        for name, p in config.partners.items()
    }
    return ProcureToPayPolicy(
        ack_due=timedelta(hours=config.ack_due_hours),
        asn_due_before_promised=timedelta(days=config.asn_due_days_before_promised),
        tolerances=_tolerances(config.tolerances),
        partners=partners,
    )


def build_partners(settings: Settings) -> PartnerDirectory:
    """Trading partners with X12 settings, as the hub's plain values."""
    partners = []
    for name, config in settings.partners.items():
        x12 = config.x12
        if x12 is None:
            continue
        d = x12.delimiters
        partners.append(
            TradingPartner(
                name=name,
                qualifier=x12.qualifier,
                id=x12.id,
                gs_id=x12.group_id,
                version=x12.version,
                usage=x12.usage,
                ack=x12.ack,
                ack_requested=x12.ack_requested,
                ack_endpoint=x12.ack_endpoint,
                delimiters=Delimiters(
                    element=d.element,
                    component=d.component,
                    repetition=d.repetition,
                    segment=d.segment,
                    suffix="\n" if d.newline else "",
                ),
                mapping=dict(x12.mapping),
            )
        )
    own = OwnIdentity(settings.x12.qualifier, settings.x12.id, settings.x12.gs_id)
    return PartnerDirectory(partners, own)


def mapper_factory(directory: PartnerDirectory) -> Callable[[TradingPartner | None], X12Mapper]:
    """One mapper per partner (its overrides compiled once), and one for unknown senders."""
    default = X12Mapper()
    mappers = {
        name: X12Mapper(partner.mapping) if partner.mapping else default
        for name in directory.names()
        if (partner := directory.get(name)) is not None
    }
    return lambda partner: default if partner is None else mappers.get(partner.name, default)


def build_drops(settings: Settings) -> list[FolderDrop]:
    return [
        FolderDrop(
            name,
            config.folder.inbox,
            config.folder.archive,
            config.folder.error,
            pattern=config.folder.pattern,
            settle_seconds=config.folder.settle_seconds,
        )
        for name, config in settings.partners.items()
        if config.folder is not None
    ]


def build_endpoint(name: str, config: HttpEndpointConfig | FolderEndpointConfig) -> Endpoint:
    if isinstance(config, HttpEndpointConfig):
        return HttpEndpoint(
            name=name,
            url=str(config.url),
            method=config.method,
            timeout=config.timeout_seconds,
            headers=dict(config.headers),
            bearer_token=config.token.get_secret_value() if config.token else None,
            max_connections=config.concurrency,
        )
    return FolderEndpoint(name=name, directory=config.path)


def _signature(sig: SignatureConfig | None) -> SignatureCheck | None:
    """The hub's signature check for a configured shared-secret HMAC (carriers, systems)."""
    if sig is None:
        return None
    return SignatureCheck(
        header=sig.header,
        # EasyPost normalizes the secret to NFKD before signing; a no-op for ASCII.
        secret=unicodedata.normalize("NFKD", sig.secret.get_secret_value()).encode(),
        prefix=sig.prefix,
        algorithm=sig.algorithm,
        encoding=sig.encoding,
    )


def build_systems(settings: Settings) -> dict[str, SystemChannel]:
    """Business systems posting their own JSON: each one's format, defaults and signature."""
    channels = {}
    for name, config in settings.systems.items():
        fmt = system_format(config.format)
        channels[name] = SystemChannel(
            name=name,
            format=fmt,
            defaults={**fmt.defaults, **config.defaults},
            signature=_signature(config.signature),
        )
    return channels


def build_carriers(settings: Settings) -> dict[str, CarrierChannel]:
    """Carrier webhook channels: each carrier's normalizer and signature check, by name."""
    channels = {}
    for name, config in settings.carriers.items():
        signature = _signature(config.signature)
        channels[name] = CarrierChannel(
            name=name,
            normalize=normalizer(config.format),
            context=CarrierContext(name, config.display_name, config.scac),
            signature=signature,
        )
    return channels


@dataclass(slots=True)
class HubServices:
    """The wired parts of a running hub, handed to the entrypoints (not a service locator:
    the hub core never sees this object)."""

    settings: Settings
    store: Store
    runner: StoreRunner
    recorder: IntakeRecorder
    runtime: Runtime
    metrics: HubMetrics
    document_types: dict[str, type[CanonicalDocument]]
    edi: EdiService
    webhooks: WebhookService
    lane_for: Callable[[str], str] = field(default=lambda _t: "critical")
    inbound: InboundSystemService | None = None

    @property
    def bus(self) -> SqlBus:
        return self.store.bus

    def wake(self, prefix: str) -> None:
        self.runtime.wake(prefix)

    def endpoint_states(self) -> dict[str, dict[str, Any]]:
        """Live circuit states from this process (fresher than the persisted ones)."""
        return {
            name: {
                "circuit": d.breaker.state.value,
                "consecutive_failures": d.breaker.consecutive_failures,
            }
            for name, d in self.runtime.dispatchers.items()
        }

    async def start(self) -> None:
        self.recorder.start()
        await self.runtime.start()

    async def stop(self) -> None:
        await self.recorder.stop()
        await self.runtime.stop()
        for dispatcher in self.runtime.dispatchers.values():
            await dispatcher.endpoint.close()
        self.runner.close()
        self.store.close()


def build_hub(settings: Settings, flows: Sequence[FlowDefinition] | None = None) -> HubServices:
    """Wire a complete hub; call inside the event loop that will run it (`start()` next).

    `flows` replaces `build_flows(settings)` (tests and demos bring their own)."""
    store = build_store(settings)
    runner = StoreRunner(store.uow, store.uow.reader)
    metrics = build_metrics()
    dispatchers = []
    for name, config in settings.endpoints.items():
        retry = RetryPolicy(
            max_attempts=config.retry.max_attempts,
            initial_backoff=config.retry.initial_backoff_seconds,
            multiplier=config.retry.multiplier,
            max_backoff=config.retry.max_backoff_seconds,
            jitter=config.retry.jitter,
        )
        breaker = CircuitBreaker(
            failure_threshold=config.circuit.failure_threshold,
            reset_timeout=config.circuit.reset_timeout_seconds,
            clock=time.monotonic,
            name=name,
        )
        dispatchers.append(
            EndpointDispatcher(
                build_endpoint(name, config),
                runner,
                store.bus,
                retry,
                breaker,
                concurrency=config.concurrency,
                metrics=metrics,
            )
        )
    lanes = {
        "critical": _lane(settings.lanes.critical),
        "bulk": _lane(settings.lanes.bulk),
    }
    partners = build_partners(settings)
    mappers = mapper_factory(partners)
    wake: list[Callable[[str], None]] = []  # the runtime's, once it exists

    def wake_loops(prefix: str) -> None:
        for notify in wake:
            notify(prefix)

    def wake_workers() -> None:
        for notify in wake:
            notify("route.")
            notify("flow.")
            notify("deliver.")

    edi = EdiService(
        EdiPreparer(partners, settings.lane_for, mappers), runner, ack_renderer(), wake_workers
    )
    periodic: list[tuple[float, Callable[[], Awaitable[None]]]] = [
        (5.0, _metrics_refresher(runner, store.bus, metrics, dispatchers))
    ]
    drops = build_drops(settings)
    if drops:
        folders = FolderIntake(drops, edi)

        async def poll_partner_folders() -> None:
            await folders.poll_folders()

        periodic.append((settings.hub.folder_poll_seconds, poll_partner_folders))
    consumers, flow_jobs = flow_workers(
        build_flows(settings) if flows is None else flows,
        lane_for=settings.lane_for,
        uow_factory=store.uow,
        bus=store.bus,
        runner=runner,
        wake=wake_loops,
    )
    periodic.extend(flow_jobs)
    runtime = Runtime(
        runner,
        store.bus,
        Router(
            build_routes(settings),
            {"x12": X12Encoder(partners, mappers), "system": SystemEncoder()},
        ),
        dispatchers,
        lanes,
        handler_retry=RetryPolicy(
            max_attempts=20, initial_backoff=1.0, multiplier=2.0, max_backoff=300.0, jitter=0.2
        ),
        lane_for=settings.lane_for,
        periodic=periodic,
        consumers=consumers,
    )
    wake.append(runtime.wake)

    def wake_after_intake() -> None:
        runtime.wake("route.")
        runtime.wake("flow.")

    recorder = IntakeRecorder(runner, on_commit=wake_after_intake)
    return HubServices(
        settings=settings,
        store=store,
        runner=runner,
        recorder=recorder,
        runtime=runtime,
        metrics=metrics,
        document_types=document_types(),
        edi=edi,
        webhooks=WebhookService(
            build_carriers(settings), runner, settings.lane_for, wake_after_intake
        ),
        lane_for=settings.lane_for,
        inbound=InboundSystemService(
            build_systems(settings), runner, settings.lane_for, wake_after_intake
        ),
    )


def _metrics_refresher(
    runner: StoreRunner, bus: SqlBus, metrics: HubMetrics, dispatchers: list[EndpointDispatcher]
) -> Callable[[], Awaitable[None]]:
    """The scheduler's job that keeps backlog and circuit gauges current for /metrics."""

    async def refresh_gauges() -> None:
        backlog = await runner.read(lambda _uow: bus.backlog())
        for group, count in backlog.items():
            metrics.backlog.labels(group).set(count)
        for dispatcher in dispatchers:
            is_open = dispatcher.breaker.state.value != "closed"
            metrics.circuit_open.labels(dispatcher.name).set(1 if is_open else 0)

    return refresh_gauges


def _lane(config: Any) -> LaneSettings:
    return LaneSettings(
        workers=config.workers,
        batch_size=config.batch_size,
        poll_interval=config.poll_interval_ms / 1000,
    )

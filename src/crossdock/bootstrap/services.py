"""A complete running hub: store, writer thread, intake, runtime loops, channels and flows."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crossdock.adapters.sql.bus import SqlBus
from crossdock.bootstrap.alerts import AlertWorker, build_alert_worker
from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.channels import (
    build_carriers,
    build_drops,
    build_endpoint,
    build_routes,
    build_systems,
    csv_maps,
    mapper_factory,
)
from crossdock.bootstrap.cluster import once_across_processes
from crossdock.bootstrap.flows import build_flows, delivered_subjects
from crossdock.bootstrap.inventory import build_reconciler, reconcile_job
from crossdock.bootstrap.metrics_scrape import MetricsScraper, sla_targets
from crossdock.bootstrap.oauth import OAuthServices, build_oauth
from crossdock.bootstrap.outbound_webhooks import OutboundWebhooks, build_outbound_webhooks
from crossdock.bootstrap.partners import PartnerServices, build_partner_services
from crossdock.bootstrap.pod import PodWorker, build_pod_worker
from crossdock.bootstrap.retention import retention_job
from crossdock.bootstrap.roles import UP, Role, Wakeups, build_wakeups
from crossdock.bootstrap.store import Store, build_store
from crossdock.bootstrap.unrouted import unrouted_policy
from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.registry import document_types
from crossdock.config import Settings
from crossdock.hub.cluster_jobs import per_host
from crossdock.hub.csv_intake import CsvIntake
from crossdock.hub.csv_transform import CsvEncoder
from crossdock.hub.delivery import EndpointDispatcher
from crossdock.hub.edi.acknowledging import ack_renderer
from crossdock.hub.edi.folder_intake import FolderIntake
from crossdock.hub.edi.outbound import X12Encoder
from crossdock.hub.edi.prepare import EdiPreparer
from crossdock.hub.edi.service import EdiService
from crossdock.hub.flows.model import FlowDefinition
from crossdock.hub.flows.workers import flow_workers
from crossdock.hub.group_commit import IntakeRecorder
from crossdock.hub.inbound_systems import InboundSystemService
from crossdock.hub.inventory.reconcile import Reconciler
from crossdock.hub.limits import BATCH_BYTES_FACTOR, IntakeLimits
from crossdock.hub.oauth import KeyClients
from crossdock.hub.policy import CircuitBreaker, DeliveryBudget, RetryPolicy
from crossdock.hub.prepare_pool import PoolSettings, PreparePool, default_workers
from crossdock.hub.routing import Router
from crossdock.hub.runtime import LaneSettings, Runtime
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.system_transform import SystemEncoder
from crossdock.hub.webhooks import WebhookService
from crossdock.observability.metrics import HubMetrics, build_metrics
from crossdock.observability.tracing import Tracing, TracingOptions, configure_tracing


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
    inventory: Reconciler | None = None  # the ERP / WMS reconciliation, when enabled
    pod: PodWorker | None = None
    alerts: AlertWorker | None = None  # the alert rules' evaluator, when rules are configured
    webhooks_out: OutboundWebhooks | None = None  # subscriptions, when `webhooks.enabled`
    preparer: PreparePool = field(default_factory=lambda: PreparePool(PoolSettings(workers=0)))
    #: The size limits every intake channel applies (`crossdock.hub.limits`), from settings.
    limits: IntakeLimits = field(init=False)
    warming: asyncio.Task[None] | None = field(default=None, repr=False)
    role: Role = UP  # which parts this process runs (`crossdock up`, `api`, `worker`)
    wakeups: Wakeups | None = None  # other processes' loops, woken over PostgreSQL
    oauth: OAuthServices | None = None  # /oauth/token, JWKS, the token authenticators
    partners: PartnerServices | None = None  # registry, directory, certification
    scraper: MetricsScraper | None = None  # `/metrics` with the store's state gauges
    #: The recording tracing this hub configured (`tracing.otlp_endpoint`), shut down at stop.
    _tracing: Tracing | None = field(default=None, init=False, repr=False)

    @property
    def bus(self) -> SqlBus:
        return self.store.bus

    def __post_init__(self) -> None:
        hub = self.settings.hub
        self.limits = IntakeLimits(
            document_bytes=hub.max_body_bytes,
            batch_bytes=hub.max_batch_bytes or hub.max_body_bytes * BATCH_BYTES_FACTOR,
            batch_documents=hub.max_batch_documents,
            edi_bytes=hub.max_edi_bytes,
        )

    def wake(self, prefix: str) -> None:
        """Work was committed here (a replay, a dead-letter retry): wake the loops, this
        process's and, on PostgreSQL, the other processes'."""
        self.runtime.wake(prefix)
        if self.wakeups is not None:
            self.wakeups.publish(prefix)

    def endpoint_states(self) -> dict[str, dict[str, Any]]:
        """Live circuit states from this process (fresher than the persisted ones); none
        when it delivers nothing (the api: the workers' persisted states are the truth)."""
        if not self.role.loops:
            return {}
        return {
            name: {
                "circuit": d.breaker.state.value,
                "consecutive_failures": d.breaker.consecutive_failures,
            }
            for name, d in self.runtime.dispatchers.items()
        }

    async def metrics_text(self) -> bytes:
        """What ``/metrics`` answers: the process metrics (every process's in multiprocess
        mode) and the state gauges read from the store for this scrape."""
        if self.scraper is None:
            return self.metrics.exposition()
        return await self.scraper.render()

    async def start(self) -> None:
        """Ready to serve once the loops run: nothing slow is waited for. The batch workers
        (seconds of imports each, more on a busy machine) start in the background, and so
        does the checkpointer (its first round may copy and fsync a whole WAL left by the
        previous process); a batch arriving before the workers are up just waits for them."""
        self._start_tracing()
        if self.wakeups is not None:
            await self.wakeups.start()
        if self.role.http:
            self.recorder.start()
        if self.role.loops:
            await self.runtime.start()
        self.store.start_checkpoints()
        if self.role.http:
            self.warming = asyncio.create_task(self.preparer.warm(), name="prepare-warm")

    async def stop(self) -> None:
        if self.warming is not None and not self.warming.done():
            self.warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.warming
        await self.recorder.stop()
        await self.runtime.stop(self.role.grace)
        await self.preparer.stop()
        if self.wakeups is not None:
            await self.wakeups.stop()
        for dispatcher in self.runtime.dispatchers.values():
            await dispatcher.endpoint.close()
        if self.inventory is not None:
            await self.inventory.close()
        if self.pod is not None:
            await self.pod.close()
        if self.alerts is not None:
            await self.alerts.close()
        self.runner.close()
        self.store.close()
        if self._tracing is not None:
            # Flush the spans still queued for the exporter: a blocking HTTP export, so off
            # the event loop (a collector in this process, or a slow one, must not stall it).
            await asyncio.to_thread(self._tracing.shutdown)
            configure_tracing()

    def _start_tracing(self) -> None:
        """Record and export spans when an OTLP endpoint is configured; otherwise leave the
        process's tracing alone (off by default: ids only, no SDK)."""
        config = self.settings.tracing
        if config.otlp_endpoint is None:
            return
        self._tracing = configure_tracing(
            TracingOptions(
                otlp_endpoint=config.otlp_endpoint,
                service_name=config.service_name,
                sample_ratio=config.sample_ratio,
                otlp_timeout_seconds=config.otlp_timeout_seconds,
            )
        )


def build_hub(
    settings: Settings, flows: Sequence[FlowDefinition] | None = None, *, role: Role = UP
) -> HubServices:
    """Wire a complete hub; call inside the event loop that will run it (`start()` next).

    `flows` replaces `build_flows(settings)` (tests and demos bring their own); `role` says
    which parts this process runs (`crossdock.bootstrap.roles`): one wiring for all three."""
    store = build_store(settings, checkpoints=False)  # started by `HubServices.start`
    runner = store.runner()
    metrics = build_metrics()
    definitions = build_flows(settings) if flows is None else flows
    announce = delivered_subjects(settings, definitions)
    dispatchers = []
    for name, config in settings.endpoints.items():
        retry = RetryPolicy(
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
                budget=DeliveryBudget(
                    max_age=config.retry.max_age_seconds, max_attempts=config.retry.max_attempts
                ),
                announce=announce,
            )
        )
    lanes = {
        "critical": _lane(settings.lanes.critical),
        "bulk": _lane(settings.lanes.bulk),
    }
    partner_services = build_partner_services(settings, store)
    partners = partner_services.directory  # the file's partners and the registered ones
    mappers = mapper_factory(partners)
    wake: list[Callable[[str], None]] = []  # the runtime's, once it exists
    wakeups = build_wakeups(settings, role, lambda prefix: wake_loops(prefix, here_only=True))
    elsewhere = wakeups.publish if wakeups is not None else None

    def wake_loops(prefix: str, *, here_only: bool = False) -> None:
        for notify in wake:
            notify(prefix)
        if elsewhere is not None and not here_only:
            elsewhere(prefix)

    def wake_workers() -> None:
        for prefix in ("route.", "flow.", "deliver."):
            wake_loops(prefix)

    preparer = EdiPreparer(
        partners,
        settings.lane_for,
        mappers,
        max_findings_per_set=settings.hub.max_edi_findings_per_set,
        max_findings_per_interchange=settings.hub.max_edi_findings_per_interchange,
        max_set_segments=settings.hub.max_edi_segments_per_set,
    )
    edi = EdiService(preparer, runner, ack_renderer(), wake_workers)
    # Run once across every process sharing the store (leased).
    periodic: list[tuple[float, Callable[[], Awaitable[None]]]] = []
    drops = build_drops(settings)
    if drops:
        folders = FolderIntake(
            drops,
            edi,
            checked=partners.names(),
            directory=partners,
            csv=csv_maps(settings),
            csv_intake=CsvIntake(runner, settings.lane_for, wake_workers),
        )

        async def poll_partner_folders() -> None:
            await folders.poll_folders()

        periodic.append((settings.hub.folder_poll_seconds, per_host(poll_partner_folders)))
    definitions = build_flows(settings) if flows is None else flows
    consumers, flow_jobs = flow_workers(
        definitions,
        lane_for=settings.lane_for,
        uow_factory=store.uow,
        bus=store.bus,
        runner=runner,
        wake=wake_loops,
    )
    periodic.extend(flow_jobs)
    outbound = build_outbound_webhooks(settings, runner, store.bus, metrics, partners.identifiers)
    if outbound is not None:
        dispatchers.append(outbound.dispatcher)
        consumers.append(outbound.consumer)
    inventory = build_reconciler(settings, store, runner)
    if inventory is not None:
        periodic.append(reconcile_job(inventory))
    # Proof of delivery pulled from carrier APIs (carriers.<name>.pod); a POD wakes the flows.
    pod = build_pod_worker(settings, runner, store.bus, lambda: wake_loops("flow."))
    if pod is not None:
        periodic.append((pod.interval, pod.job))
    # Old messages and completed flows archived and pruned (`retention`), in small batches.
    prune = retention_job(settings, store, runner)
    if prune is not None:
        periodic.append(prune)
    alerts = build_alert_worker(settings, store, runner)
    if alerts is not None:
        periodic.append((alerts.interval, alerts.job))
    runtime = Runtime(
        runner,
        store.bus,
        Router(
            build_routes(settings),
            {
                "x12": X12Encoder(partners, mappers),
                "system": SystemEncoder(),
                "csv": CsvEncoder(csv_maps(settings)),
            },
            unrouted=unrouted_policy(settings, definitions),
        ),
        dispatchers,
        lanes,
        handler_retry=RetryPolicy(
            max_attempts=20, initial_backoff=1.0, multiplier=2.0, max_backoff=300.0, jitter=0.2
        ),
        lane_for=settings.lane_for,
        consumers=consumers,
        metrics=metrics,
        leased=once_across_processes(settings, store, runner, periodic),
        runs=role.runs,
        scheduler=role.scheduler,
        release_leases=store.profile.single_process,
        elsewhere=elsewhere,
    )
    wake.append(runtime.wake)

    def wake_after_intake() -> None:
        wake_loops("route.")
        wake_loops("flow.")

    recorder = IntakeRecorder(runner, on_commit=wake_after_intake)

    def live_circuits() -> dict[str, str]:
        # This process's breakers are fresher than the persisted states (when it delivers).
        return {d.name: d.breaker.state.value for d in dispatchers} if role.loops else {}

    scraper = MetricsScraper(
        metrics,
        runner,
        store.bus,
        [d.name for d in dispatchers],
        sla_targets(settings),
        live_circuits,
    )
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
        inventory=inventory,
        pod=pod,
        alerts=alerts,
        webhooks_out=outbound,
        preparer=PreparePool(PoolSettings(workers=_prepare_workers(settings))),
        role=role,
        wakeups=wakeups,
        oauth=build_oauth(settings, store.engine, KeyClients(key_service(store.engine).keys)),
        partners=partner_services,
        scraper=scraper,
    )


def _prepare_workers(settings: Settings) -> int:
    configured = settings.hub.prepare_workers
    return default_workers() if configured is None else configured


def _lane(config: Any) -> LaneSettings:
    return LaneSettings(
        workers=config.workers,
        batch_size=config.batch_size,
        poll_interval=config.poll_interval_ms / 1000,
    )

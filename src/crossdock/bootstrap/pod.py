"""Wires the POD pull (`crossdock.hub.pod`) from ``carriers.<name>.pod``: one source per
carrier that declares it, the HTTP client, and the periodic job the runtime runs.

Nothing is built when no carrier declares ``pod``, so such a hub runs exactly as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from crossdock.adapters.endpoints.http_fetch import HttpPodClient
from crossdock.config import Settings
from crossdock.config.carriers import CarrierConfig, PodConfig
from crossdock.hub.pod import PodFetcher, PodSource
from crossdock.hub.policy import RetryPolicy
from crossdock.hub.ports import Bus
from crossdock.hub.store_runner import StoreRunner
from crossdock.mapping.carriers.pod import map_pod, pod_format_for

#: How often the job looks for due fetches; a POD is wanted within seconds, not milliseconds.
POD_POLL_SECONDS = 0.5


@dataclass(slots=True)
class PodWorker:
    """The fetcher, its periodic job and what to close at shutdown."""

    fetcher: PodFetcher
    interval: float
    job: Callable[[], Awaitable[None]]

    async def close(self) -> None:
        await self.fetcher.client.close()


def build_pod_sources(settings: Settings) -> dict[str, PodSource]:
    """A `PodSource` per carrier with a ``pod`` section, by carrier name."""
    return {
        name: _source(name, config, config.pod)
        for name, config in settings.carriers.items()
        if config.pod is not None
    }


def _source(name: str, carrier: CarrierConfig, pod: PodConfig) -> PodSource:
    shape = pod_format_for(carrier.format, pod.format)
    if shape is None:  # the settings validator already refused this
        raise ValueError(f"carriers.{name}.pod: no POD shape for {carrier.format!r}")
    headers = dict(pod.headers)
    if pod.auth is not None:
        headers[pod.auth.header] = pod.auth.prefix + pod.auth.secret.get_secret_value()
    retry = RetryPolicy(
        max_attempts=pod.retry.max_attempts,
        initial_backoff=pod.retry.initial_backoff_seconds,
        multiplier=pod.retry.multiplier,
        max_backoff=pod.retry.max_backoff_seconds,
        jitter=pod.retry.jitter,
    )
    return PodSource(
        carrier=name,
        url=pod.url,
        mapper=partial(map_pod, shape),
        retry=retry,
        timeout=pod.timeout_seconds,
        headers=headers,
    )


def build_pod_worker(
    settings: Settings,
    runner: StoreRunner,
    bus: Bus,
    on_recorded: Callable[[], None],
) -> PodWorker | None:
    """The POD pull for the carriers that declare one; None when none does."""
    sources = build_pod_sources(settings)
    if not sources:
        return None
    concurrency = sum(c.pod.concurrency for c in settings.carriers.values() if c.pod)
    fetcher = PodFetcher(
        sources,
        HttpPodClient(max_connections=concurrency),
        runner,
        bus,
        lane_for=settings.lane_for,
        on_recorded=on_recorded,
        concurrency=concurrency,
    )

    async def fetch_proofs_of_delivery() -> None:
        await fetcher.run_once()

    return PodWorker(fetcher, POD_POLL_SECONDS, fetch_proofs_of_delivery)

"""`crossdock worker`: the runtime's loops and the scheduler, no HTTP.

A worker serves no business port: intake, reads and the operations endpoints are the api's.
Its health is its process (systemd `Restart=`, compose `restart:`); `--metrics-port` opens a
tiny `/healthz` + `/metrics` (`worker_http.py`) for a scraper or a liveness probe. SIGTERM or SIGINT stops it cleanly: each loop finishes the batch in hand (up to
`Role.grace`), the rest is abandoned to lease expiry, and one log line says what this
process did (its share of the work).
"""

from __future__ import annotations

import asyncio
import logging
import signal

import uvloop

from crossdock.bootstrap import build_hub
from crossdock.bootstrap.roles import Role
from crossdock.config import Settings
from crossdock.entrypoints.listen import listen_socket
from crossdock.entrypoints.worker_http import serve_probe
from crossdock.observability.metrics import HubMetrics

log = logging.getLogger(__name__)


def run_worker(settings: Settings, role: Role, probe_port: int | None = None) -> None:
    """Run a worker until SIGTERM / SIGINT.

    Raises:
        PortUnavailable: `probe_port` cannot be listened on.
        SchemaMismatch: the store's schema is not the one this release expects.
    """
    uvloop.run(_work(settings, role, probe_port))


async def _work(settings: Settings, role: Role, probe_port: int | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Bound before the hub is built, as `crossdock up` does: a taken port fails at once.
    sock = (
        None
        if probe_port is None
        else listen_socket(settings.hub.host, probe_port, hint="--metrics-port")
    )
    hub = build_hub(settings, role=role)
    probe = None
    try:
        await hub.start()
        if sock is not None:
            probe = await serve_probe(sock, hub.metrics)
            bound = sock.getsockname()[1]
            log.info("worker metrics on http://%s:%d/metrics", settings.hub.host, bound)
        log.info("crossdock worker up (%s)", role.describe())
        await stop.wait()
        log.info("crossdock worker stopping")
    finally:
        if probe is not None:
            probe.close()
        elif sock is not None:
            sock.close()
        await hub.stop()
    log.info("crossdock worker stopped: %s", share(hub.metrics))


def share(metrics: HubMetrics) -> str:
    """What this process delivered, for its last log line: ``deliveries ok=N (erp=N …)``."""
    per_endpoint: dict[str, int] = {}
    for family in metrics.deliveries.collect():
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.labels.get("outcome") == "ok":
                endpoint = sample.labels.get("endpoint", "?")
                per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + int(sample.value)
    detail = " ".join(f"{name}={count}" for name, count in sorted(per_endpoint.items()))
    return f"deliveries ok={sum(per_endpoint.values())} ({detail})"

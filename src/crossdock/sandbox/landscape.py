"""The whole sandbox landscape: ERP, WMS, TMS, two carriers and the supplier portal, each its own
HTTP service on a loopback port, wired to one hub URL.

Ports are ``base_port + offset`` (ERP +0, WMS +1, TMS +2, Parcelwave +3, Ridgeline +4, supplier
portal +5), or free ports when ``base_port`` is 0 (tests). The TMS is started after the carriers
so it knows their URLs. Each service runs in its own thread and event loop, as it would in its
own process, so a slow or "down" system never holds up the others.

Used by tests (``with start_landscape(hub_url) as land: land.urls["erp"]``) and by
``crossdock sandbox up`` (which keeps the same landscape in the foreground until Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from starlette.applications import Starlette

from crossdock.sandbox.carriers import ParcelwaveCarrier, RidgelineCarrier
from crossdock.sandbox.common import Service
from crossdock.sandbox.erp import ErpService
from crossdock.sandbox.outbound import RetryPolicy
from crossdock.sandbox.serving import ServerThread
from crossdock.sandbox.supplier import SupplierPortal
from crossdock.sandbox.tms import TmsService
from crossdock.sandbox.wms import WmsService

SERVICES: dict[str, tuple[int, Callable[..., Service]]] = {
    "erp": (0, ErpService),
    "wms": (1, WmsService),
    "tms": (2, TmsService),
    "parcelwave": (3, ParcelwaveCarrier),
    "ridgeline": (4, RidgelineCarrier),
    "supplier": (5, SupplierPortal),
}
_START_ORDER = ("parcelwave", "ridgeline", "tms", "erp", "wms", "supplier")
_SCAC = {"parcelwave": "PWVE", "ridgeline": "RDGL"}


class Landscape:
    """Running sandbox services; a context manager that stops them all.

    Attributes:
        services: The service objects by name (tests may read their state after traffic stops;
            while traffic flows, prefer ``GET /_state``).
        servers: The server threads by name.
    """

    def __init__(self, services: dict[str, Service]) -> None:
        self.services = services
        self.servers: dict[str, ServerThread[Starlette]] = {}

    @property
    def urls(self) -> dict[str, str]:
        return {name: self.servers[name].url for name in SERVICES if name in self.servers}

    def start(self, base_port: int = 0) -> Landscape:
        try:
            for name in _START_ORDER:
                if name == "tms":
                    carriers = self.services["tms"].settings["carriers"]
                    for carrier, scac in _SCAC.items():
                        carriers[scac] = {**carriers[scac], "url": self.servers[carrier].url}
                self.start_one(name, base_port)
        except BaseException:
            self.stop()
            raise
        return self

    def start_one(self, name: str, base_port: int = 0) -> str:
        """(Re)start one service on its port; returns its URL. A restart keeps the port."""
        offset, _ = SERVICES[name]
        previous = self.servers.get(name)
        port = previous.port if previous else (base_port + offset if base_port else 0)
        app = self.services[name].build_app()
        self.servers[name] = ServerThread(app, port=port, lifespan="on")
        return self.servers[name].url

    def stop_one(self, name: str) -> None:
        """Stop one service (its state is saved on the way down), keeping its port for restart."""
        self.servers[name].stop()

    def restart(self, name: str, **kwargs: Any) -> Service:
        """Stop a service, build it again from its state file, and serve it on the same port."""
        old = self.services[name]
        self.stop_one(name)
        _, factory = SERVICES[name]
        self.services[name] = factory(
            hub_url=old.hub_url,
            state_file=old.state_file,
            retry=old.outbox.retry,
            hub_key=old.hub_key,
            **kwargs,
        )
        self.start_one(name)
        return self.services[name]

    def stop(self) -> None:
        """Ask every server to exit at once, then wait for each (a sequential stop is slow)."""
        for server in self.servers.values():
            server.server.should_exit = True
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> Landscape:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def build_services(
    hub_url: str,
    *,
    state_dir: str | Path | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
    opening_stock: dict[str, dict[str, float]] | None = None,
    retry: RetryPolicy | None = None,
    hub_keys: Mapping[str, str] | str | None = None,
) -> dict[str, Service]:
    """One of each service, with its state file in ``state_dir`` (``<name>.json``) if given.

    ``hub_keys``: the API key each service sends the hub (by service name), or one key for all.

    ``opening_stock`` (``{site: {item: qty}}``) is given to both ERP and WMS so that their
    inventories start in agreement; ``settings`` overrides per service name.
    """
    settings = settings or {}
    services: dict[str, Service] = {}
    for name, (_, factory) in SERVICES.items():
        own = dict(settings.get(name, {}))
        if opening_stock is not None and name in ("erp", "wms"):
            own.setdefault("opening_stock", opening_stock)
        state_file = Path(state_dir) / f"{name}.json" if state_dir is not None else None
        key = hub_keys if isinstance(hub_keys, str) or hub_keys is None else hub_keys.get(name)
        services[name] = factory(
            hub_url=hub_url, state_file=state_file, settings=own, retry=retry, hub_key=key
        )
    return services


def start_landscape(
    hub_url: str = "http://127.0.0.1:8080",
    *,
    base_port: int = 0,
    state_dir: str | Path | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
    opening_stock: dict[str, dict[str, float]] | None = None,
    retry: RetryPolicy | None = None,
    hub_keys: Mapping[str, str] | str | None = None,
) -> Landscape:
    """Build and start every service; returns once all of them accept connections."""
    services = build_services(
        hub_url,
        state_dir=state_dir,
        settings=settings,
        opening_stock=opening_stock,
        retry=retry,
        hub_keys=hub_keys,
    )
    return Landscape(services).start(base_port)

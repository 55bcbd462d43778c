"""The inventory reconciliation from settings: the two HTTP position sources, the policy, the
store's inventory unit of work, and the scheduler's job.

`build_hub` calls `build_reconciler` and adds `reconcile_job` to the runtime's periodic jobs
when ``inventory_reconciliation.enabled``; operator commands build one on a bare store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from crossdock.adapters.endpoints.http_pull import HttpPositionSource
from crossdock.adapters.sql.inventory_store import SqlInventoryUnitOfWorkFactory
from crossdock.bootstrap.store import Store
from crossdock.config import Settings
from crossdock.config.inventory import PositionSourceConfig
from crossdock.hub.inventory.compare import DriftPolicy
from crossdock.hub.inventory.reconcile import PullSide, Reconciler, Side
from crossdock.hub.store_runner import StoreRunner

#: The scheduler asks at least this often whether a run is due (a cheap conditional UPDATE);
#: the run itself happens every `every_seconds`, whichever process holds the lease.
MAX_TICK_SECONDS = 5.0


def inventory_uow(store: Store) -> SqlInventoryUnitOfWorkFactory:
    """Units of work with the inventory store, on the store's engine (reads: `.reader`)."""
    return SqlInventoryUnitOfWorkFactory(store.uow)


def build_reconciler(settings: Settings, store: Store, runner: StoreRunner) -> Reconciler | None:
    """The reconciler configured in ``inventory_reconciliation``, None when it is off."""
    config = settings.inventory_reconciliation
    if not config.enabled or config.erp is None or config.wms is None:
        return None
    sides: dict[Side, PullSide] = {
        "erp": _side(config.source_name("erp"), config.erp),
        "wms": _side(config.source_name("wms"), config.wms),
    }
    uow = inventory_uow(store)
    return Reconciler(
        sides,
        uow,
        uow.reader,
        runner,
        policy=DriftPolicy(
            grace=timedelta(seconds=config.grace_seconds),
            confirm_runs=config.confirm_runs,
            compare=tuple(config.compare),
            tolerance=config.tolerance,
            owner_role=config.owner_role,
        ),
        every=timedelta(seconds=config.every_seconds),
        in_flight=timedelta(seconds=config.in_flight_seconds),
        lane_for=settings.lane_for,
        sites=frozenset(config.sites),
        # A run holds the lease at most this long: both pulls, then one transaction.
        lease=timedelta(seconds=config.erp.timeout + config.wms.timeout + 60),
    )


def _side(name: str, config: PositionSourceConfig) -> PullSide:
    token = config.token.get_secret_value() if config.token is not None else None
    source = HttpPositionSource(name, str(config.url), timeout=config.timeout, token=token)
    return PullSide(source=source, map_name=config.map, message_source=name)


def reconcile_job(reconciler: Reconciler) -> tuple[float, Callable[[], Awaitable[None]]]:
    """The runtime's periodic job: ask often, run when due (see `Reconciler.tick`)."""
    interval = min(MAX_TICK_SECONDS, reconciler.every.total_seconds())

    async def reconcile_inventory() -> None:
        await reconciler.tick()

    return max(0.2, interval), reconcile_inventory

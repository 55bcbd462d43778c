"""The store on its own: operator commands open it with the hub stopped."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from crossdock.adapters.sql.bus import SqlBus
from crossdock.adapters.sql.checkpoint import WalCheckpointer
from crossdock.adapters.sql.engine import make_engine
from crossdock.adapters.sql.uow import SqlUnitOfWorkFactory
from crossdock.config import Settings


@dataclass(slots=True)
class Store:
    engine: Engine
    uow: SqlUnitOfWorkFactory
    bus: SqlBus
    checkpointer: WalCheckpointer

    def close(self) -> None:
        # The engine first: the checkpointer's last act closes file descriptors, which must
        # not happen while the engine's connections hold SQLite's locks on those files.
        self.engine.dispose()
        self.checkpointer.stop()


def build_store(settings: Settings, *, checkpoints: bool = True) -> Store:
    """The store; ``checkpoints=False`` leaves the checkpointer for the caller to start (the
    hub starts it once it is up, so start-up never shares the disk with the first checkpoint
    of a WAL a previous process left behind)."""
    settings.hub.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    checkpointer = WalCheckpointer(engine)
    if checkpoints:
        checkpointer.start()
    return Store(
        engine=engine,
        uow=SqlUnitOfWorkFactory(engine),
        bus=SqlBus(engine),
        checkpointer=checkpointer,
    )

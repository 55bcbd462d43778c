"""Wake-ups across hub processes: PostgreSQL ``LISTEN/NOTIFY`` as a hint, never as the truth.

The api's intake commits and a worker's routing commits create work that other processes'
loops would otherwise only see at their next poll (up to ``MAX_IDLE_SECONDS`` when idle). So
after such a commit this process sends ``NOTIFY`` with the group prefixes to wake
(``route.``, ``flow.``, ``deliver.``), and every worker LISTENs and wakes its loops.

Nothing depends on a notification arriving: the bus is polled all the same, so a lost one
(the listener reconnecting after a PostgreSQL restart, a notification sent while no worker
listened) costs at most one idle interval. That is why sending is coalesced and fire and
forget, off the request path: ``publish`` only marks prefixes; one task sends them, one
``pg_notify`` for all the commits since its last one, on a dedicated connection.

The channel is named after the connection's schema (the URL's ``search_path``), so hubs
sharing one database in different schemas do not wake each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy import make_url

log = logging.getLogger(__name__)

#: Seconds between reconnection attempts, doubling up to the last one.
RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)
#: TCP keepalives, so a listener on a dead host's connection notices within a minute.
_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def conninfo(url: str) -> str:
    """libpq's connection string for a SQLAlchemy URL (``postgresql+psycopg://…``), its
    options (``search_path``) kept, with TCP keepalives."""
    uri = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return make_conninfo(uri, **_KEEPALIVES)


async def channel_of(conn: psycopg.AsyncConnection[Any]) -> str:
    """The wake-up channel of the schema this connection works in."""
    cursor = await conn.execute("SELECT current_schema()")
    row = await cursor.fetchone()
    schema = str(row[0]) if row and row[0] else "public"
    return f"crossdock_wake:{schema}"[:63]  # an identifier's limit


class PgWakeups:
    """Sends and (when `on_wake` is given) receives wake-ups for one hub process.

    `publish` may be called from any thread; `start` and `stop` from the event loop that
    runs the hub.
    """

    def __init__(self, url: str, on_wake: Callable[[str], None] | None = None) -> None:
        self._conninfo = conninfo(url)
        self._on_wake = on_wake
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wanted: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        #: how many notifications this process received (tests and logs)
        self.received = 0
        #: set once the listener LISTENs (again, after a reconnection)
        self.listening = asyncio.Event()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wanted = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._send_loop(), name="wakeups-send"))
        if self._on_wake is not None:
            self._tasks.append(asyncio.create_task(self._listen_loop(), name="wakeups-listen"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    def publish(self, prefix: str) -> None:
        """Mark `prefix` to be sent soon (coalesced with others); never blocks."""
        with self._lock:
            if prefix in self._pending:
                return
            self._pending.add(prefix)
        loop, wanted = self._loop, self._wanted
        if loop is None or wanted is None:
            return  # not started: nobody to tell yet
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wanted.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed: the hub is stopping
                loop.call_soon_threadsafe(wanted.set)

    async def _send_loop(self) -> None:
        assert self._wanted is not None
        conn: psycopg.AsyncConnection[Any] | None = None
        channel = ""
        failures = 0
        try:
            while True:
                await self._wanted.wait()
                self._wanted.clear()
                with self._lock:
                    prefixes, self._pending = self._pending, set()
                if not prefixes:
                    continue
                try:
                    if conn is None or conn.closed:
                        conn = await psycopg.AsyncConnection.connect(
                            self._conninfo, autocommit=True
                        )
                        channel = await channel_of(conn)
                    await conn.execute(
                        "SELECT pg_notify(%s, %s)", (channel, ",".join(sorted(prefixes)))
                    )
                    failures = 0
                except (psycopg.Error, OSError) as exc:
                    # Lost: the receivers see the work at their next poll instead.
                    if conn is not None:
                        with contextlib.suppress(Exception):
                            await conn.close()
                    conn = None
                    delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                    failures += 1
                    log.warning("wake-up not sent (%s); next try in %.1fs", exc, delay)
                    await asyncio.sleep(delay)
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()

    async def _listen_loop(self) -> None:
        assert self._on_wake is not None
        failures = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    channel = await channel_of(conn)
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    if failures:
                        log.info("wake-up listener reconnected to PostgreSQL")
                        self._on_wake("")  # what was missed meanwhile: every loop looks now
                    failures = 0
                    self.listening.set()
                    async for notice in conn.notifies():
                        self.received += 1
                        for prefix in notice.payload.split(","):
                            if prefix:
                                self._on_wake(prefix)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a listener must outlive any failure
                self.listening.clear()
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                log.warning(
                    "wake-up listener lost PostgreSQL (%s); reconnecting in %.1fs", exc, delay
                )
                await asyncio.sleep(delay)

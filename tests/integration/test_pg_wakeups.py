"""`PgWakeups`: LISTEN/NOTIFY between hub processes, a hint that survives a lost connection.

Two instances in one event loop stand for two processes (each has its own connections).
Skipped without TEST_POSTGRES_URL.
"""

from __future__ import annotations

import asyncio

import psycopg

from crossdock.adapters.postgres.notify import PgWakeups, channel_of, conninfo


async def _heard(heard: list[str], wanted: str, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while wanted not in heard:
            await asyncio.sleep(0.01)


def test_published_prefixes_reach_a_listener_coalesced(postgres_url: str) -> None:
    async def scenario() -> None:
        heard: list[str] = []
        api = PgWakeups(postgres_url)  # sends only, as `crossdock api` does
        worker = PgWakeups(postgres_url, heard.append)
        await worker.start()
        await api.start()
        try:
            await asyncio.wait_for(worker.listening.wait(), 10)
            for _ in range(50):  # many commits in a burst: a few notifications
                api.publish("route.")
                api.publish("flow.")
            await _heard(heard, "route.")
            await _heard(heard, "flow.")
            assert worker.received <= 10, worker.received
        finally:
            await api.stop()
            await worker.stop()

    asyncio.run(scenario())


def test_the_listener_reconnects_by_itself_and_wakes_every_loop(postgres_url: str) -> None:
    """Its connection killed (a PostgreSQL restart looks the same to it), the listener
    reconnects, wakes every loop once for what it missed (prefix ""), and hears again."""

    async def scenario() -> None:
        heard: list[str] = []
        worker = PgWakeups(postgres_url, heard.append)
        sender = PgWakeups(postgres_url)
        await worker.start()
        await sender.start()
        try:
            await asyncio.wait_for(worker.listening.wait(), 10)
            async with await psycopg.AsyncConnection.connect(
                conninfo(postgres_url), autocommit=True
            ) as admin:
                channel = await channel_of(admin)
                cursor = await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query ILIKE %s AND pid <> pg_backend_pid()",
                    (f'LISTEN "{channel}"%',),
                )
                assert [row[0] for row in await cursor.fetchall()] == [True]
            await _heard(heard, "")  # reconnected
            sender.publish("deliver.")
            await _heard(heard, "deliver.")
        finally:
            await sender.stop()
            await worker.stop()

    asyncio.run(scenario())


def test_nothing_heard_from_another_schema(postgres_url: str) -> None:
    """The channel is the schema's: hubs in other schemas of the database are not woken."""

    async def scenario() -> None:
        heard: list[str] = []
        worker = PgWakeups(postgres_url, heard.append)
        other_url = postgres_url.split("?", 1)[0]  # the server's default schema
        other = PgWakeups(other_url)
        mine = PgWakeups(postgres_url)
        for wakeups in (worker, other, mine):
            await wakeups.start()
        try:
            await asyncio.wait_for(worker.listening.wait(), 10)
            other.publish("route.")
            await asyncio.sleep(0.5)
            mine.publish("deliver.")
            await _heard(heard, "deliver.")
            assert "route." not in heard
        finally:
            for wakeups in (worker, other, mine):
                await wakeups.stop()

    asyncio.run(scenario())

"""PostgreSQL for the profiles benchmark: a throwaway cluster of its own, or a server you name.

By default the bench starts its own cluster (initdb / pg_ctl in a temp dir, a loopback port,
trust auth), owned by an unprivileged user when we are root (initdb refuses root; the user is
``$BENCH_POSTGRES_USER``, default ``nobody``, as in ``.ci/postgres.sh``), and removes it at the
end. It runs with production durability (``fsync=on``, ``synchronous_commit=on``,
``full_page_writes=on``: a commit is on disk when the hub answers 202), unlike the test
cluster, which trades that for speed; ``--pg-fast`` turns the three off for a look at the
ceiling. ``--postgres-url`` (or ``$BENCH_POSTGRES_URL``) uses an existing server instead:
``TEST_POSTGRES_URL`` is deliberately *not* reused, as the test servers run with fsync off and
are shared, so figures from them would be neither realistic nor quiet.

Every measurement gets a fresh database (``CREATE DATABASE``), dropped again afterwards, so a
run never sees another's rows. The server's version and durability settings go into the
report next to the figures.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import free_port

SETTINGS = ("server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers",
            "max_connections", "wal_level")  # fmt: skip


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL to benchmark on; the message says why (the PG columns are skipped)."""


def find_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres live: $BENCH_POSTGRES_BINDIR, PATH (through
    symlinks), or the newest /usr/lib/postgresql/<ver>/bin."""
    candidates: list[Path] = []
    if os.environ.get("BENCH_POSTGRES_BINDIR"):
        candidates.append(Path(os.environ["BENCH_POSTGRES_BINDIR"]))
    if found := shutil.which("initdb"):
        candidates.append(Path(found).resolve().parent)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    candidates.extend(reversed(versions))
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


@dataclass
class Server:
    """A PostgreSQL server to benchmark on: its admin URL and what we learnt about it."""

    url: str
    origin: str  # "throwaway cluster" | "--postgres-url"
    settings: dict[str, str] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)

    def _admin(self) -> Any:
        import psycopg
        from sqlalchemy import make_url

        url = make_url(self.url)
        return psycopg.connect(
            host=url.host, port=url.port, user=url.username, password=url.password,
            dbname=url.database or "postgres", autocommit=True,
        )  # fmt: skip

    def read_settings(self) -> dict[str, str]:
        with self._admin() as conn:
            self.settings = {
                name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in SETTINGS
            }
        return self.settings

    def fresh_database(self, tag: str) -> str:
        """A new empty database; its URL (the server's URL with the database swapped)."""
        from sqlalchemy import make_url

        name = f"bench_{tag}_{uuid.uuid4().hex[:8]}".lower()
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_databases(self) -> None:
        """Drop the databases this run made (sessions still open are ended first)."""
        with contextlib.suppress(Exception), self._admin() as conn:
            for name in self.databases:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.databases.clear()


def _owner() -> str | None:
    """The unprivileged user that owns the cluster when we are root, else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    user = os.environ.get("BENCH_POSTGRES_USER", "nobody")
    try:
        pwd.getpwnam(user)
    except KeyError:
        raise PostgresUnavailable(f"user {user} (BENCH_POSTGRES_USER) does not exist") from None
    return user


def _as_owner(argv: list[str], owner: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    full = ["runuser", "-u", owner, "--", *argv] if owner else argv
    return subprocess.run(full, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


@contextlib.contextmanager
def throwaway_cluster(durable: bool = True) -> Iterator[Server]:
    """Start a cluster in a temp dir on a free loopback port; stop and remove it on exit."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql, set "
            "BENCH_POSTGRES_BINDIR, or pass --postgres-url"
        )
    owner = _owner()
    tmp = Path(tempfile.mkdtemp(prefix="crossdock-bench-pg-"))
    data, log = tmp / "data", tmp / "server.log"
    if owner:
        shutil.chown(tmp, owner)
    started = False
    try:
        done = _as_owner(
            [str(bindir / "initdb"), "-D", str(data), "-U", "crossdock", "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync"], owner, tmp,
        )  # fmt: skip
        if done.returncode:
            raise PostgresUnavailable(f"initdb failed: {(done.stderr or done.stdout)[-500:]}")
        port = free_port()
        on_off = "on" if durable else "off"
        options = (
            f"-k {tmp} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            f"-c fsync={on_off} -c synchronous_commit={on_off} -c full_page_writes={on_off}"
        )
        done = _as_owner(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
             "-o", options, "start"], owner, tmp,
        )  # fmt: skip
        if done.returncode:
            tail = log.read_text(errors="replace")[-500:] if log.exists() else done.stderr
            raise PostgresUnavailable(f"pg_ctl start failed: {tail}")
        started = True
        server = Server(f"postgresql+psycopg://crossdock@127.0.0.1:{port}/postgres",
                        f"throwaway cluster ({bindir}, {tmp})")  # fmt: skip
        server.read_settings()
        try:
            yield server
        finally:
            server.drop_databases()
    finally:
        if started:
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60",
                       "stop"], owner, tmp)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def external_server(url: str) -> Iterator[Server]:
    """A server someone runs: we only create (and later drop) our own databases on it."""
    server = Server(url, "--postgres-url")
    try:
        server.read_settings()
    except Exception as exc:
        raise PostgresUnavailable(f"cannot connect to {url}: {exc}") from exc
    try:
        yield server
    finally:
        server.drop_databases()

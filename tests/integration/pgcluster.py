"""A throwaway PostgreSQL cluster that a test owns, for faults that stop or restart the server.

The shared server (TEST_POSTGRES_URL) is never restarted by a test: a test that needs
`pg_ctl restart -m immediate` starts its own cluster in a temp dir on a loopback port, like
`.ci/postgres.sh` does for CI (trust auth, fsync off; as root the cluster belongs to an
unprivileged user, as initdb refuses to run as root), and removes it at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.integration.hubproc import free_port

OWNER = os.environ.get("TEST_POSTGRES_USER", "nobody")


def find_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres live ($TEST_POSTGRES_BINDIR, PATH, Debian's dirs)."""
    candidates: list[Path] = []
    if configured := os.environ.get("TEST_POSTGRES_BINDIR"):
        candidates.append(Path(configured))
    elif initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)  # next to the real initdb
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    for directory in candidates:
        if all(
            (directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres", "createdb")
        ):
            return directory
    return None


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or None when one can."""
    if find_bindir() is None:
        return "initdb/pg_ctl not found (PATH, TEST_POSTGRES_BINDIR, /usr/lib/postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root and no runuser to start PostgreSQL as an unprivileged user"
    return None


class PgCluster:
    """initdb + pg_ctl in a temp dir; `url` is a SQLAlchemy URL to its `crossdock` database."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(unavailable_reason())
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="crossdock-pgfault-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://crossdock@127.0.0.1:{self.port}/crossdock"

    def _run(self, *args: str, timeout: float = 90) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OWNER, "--", *command]
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            server_log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}\n{server_log}"
            )

    def init(self) -> PgCluster:
        if os.geteuid() == 0:
            shutil.chown(self.root, user=OWNER)
        self._run(
            "initdb", "-D", str(self.data), "-U", "crossdock", "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "crossdock",
                  "crossdock")  # fmt: skip
        return self

    def _options(self) -> str:
        return (
            # fsync off is safe here (the tests crash PostgreSQL, never the OS); synchronous
            # commit stays on, or a crash would lose commits the hub already acknowledged.
            f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=200"
        )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", self._options(), "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; ``immediate`` is a crash (no checkpoint, recovery at next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w",
                  "-t", "60", "-o", self._options(), "restart")  # fmt: skip

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        """Stop the server if it runs and remove everything; safe to call more than once."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            if self.running():
                self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """A started cluster, destroyed on exit (also when the test fails or start-up does)."""
    cluster = PgCluster()
    try:
        yield cluster.init()
    finally:
        cluster.destroy()

"""A real `crossdock up` process for integration tests, with its own config and data dir
(or `crossdock api` / `crossdock worker`: ``command=``, on a PostgreSQL store)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests import ports
from tests.auth_helpers import admin_key, bearer

ROOT = Path(__file__).resolve().parents[2]
CROSSDOCK = Path(sys.executable).with_name("crossdock")


def free_port() -> int:
    """A port for a hub this test starts (below the ephemeral range: ``tests.ports``)."""
    return ports.free_port()


def sink_config(
    sink_url: str,
    *,
    endpoint: str = "erp",
    retry: dict[str, Any] | None = None,
    circuit: dict[str, Any] | None = None,
    routes: list[dict[str, Any]] | None = None,
    extra_endpoints: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "endpoints": {
            endpoint: {
                "type": "http",
                "url": f"{sink_url}/in/{endpoint}",
                "timeout_seconds": 2,
                "retry": retry
                or {
                    "max_attempts": 50,
                    "initial_backoff_seconds": 0.05,
                    "max_backoff_seconds": 0.3,
                },
                "circuit": circuit or {"failure_threshold": 5, "reset_timeout_seconds": 0.5},
            },
            **(extra_endpoints or {}),
        },
        "routes": routes
        or [
            {
                "name": "po-to-erp",
                "when": {"document_type": "purchase_order"},
                "deliver": {"endpoint": endpoint},
            }
        ],
    }


def _limit_address_space(limit: int) -> Any:
    """A preexec_fn capping the child's address space: a hub that tries to hold a hostile
    input in memory fails (MemoryError) instead of taking the machine down."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


class HubProcess:
    def __init__(
        self,
        workdir: Path,
        config: dict[str, Any],
        *,
        memory_limit: int | None = None,
        command: tuple[str, ...] = ("up",),
        env: dict[str, str] | None = None,
        name: str = "hub",
    ) -> None:
        """``memory_limit`` (bytes) caps the hub's virtual memory (RLIMIT_AS), so a test
        feeding hostile input fails on MemoryError instead of exhausting the machine.
        ``command`` is the subcommand and its options (``("worker", "--lane", "bulk")``; a
        worker serves no port: it is ready when it logs so); ``env`` adds variables.

        Authentication is on, as in production: the hub gets its own admin key
        (``CROSSDOCK_ADMIN_KEY``, unless ``env`` names one); `headers` carry it, `client()`
        is an httpx client sending it."""
        self.admin_key = (env or {}).get("CROSSDOCK_ADMIN_KEY") or admin_key()
        self.headers = bearer(self.admin_key)
        self.memory_limit = memory_limit
        self.command = command
        self.extra_env = env or {}
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = workdir / "crossdock.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.data_dir = workdir / "data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{name}.log"

    def start(self, timeout: float = 60.0) -> HubProcess:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "CROSSDOCK_ADMIN_KEY": self.admin_key,
            **self.extra_env,
        }
        if self.memory_limit:
            env["MALLOC_ARENA_MAX"] = "2"  # per-thread arenas would eat the address space
        env.pop("CROSSDOCK_CONFIG", None)
        # A restarted worker is ready when *it* logs so: the log keeps the earlier runs' lines.
        logged_before = self.log.stat().st_size if self.log.exists() else 0
        self.proc = subprocess.Popen(
            [
                str(CROSSDOCK),
                *self.command,
                *(() if self.command[0] == "worker" else ("--port", str(self.port))),
                "--data-dir",
                str(self.data_dir),
                "--config",
                str(self.config_path),
            ],
            cwd=self.workdir,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            preexec_fn=_limit_address_space(self.memory_limit) if self.memory_limit else None,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"hub exited with {self.proc.returncode}:\n{self.log.read_text()}"
                )
            if self.command[0] == "worker":
                if b"crossdock worker up" in self.log.read_bytes()[logged_before:]:
                    return self
                time.sleep(0.05)
                continue
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()  # a hub that never became ready is not left running behind the test
        raise RuntimeError(f"hub did not become ready:\n{self.log.read_text()}")

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on the hub's URL, authenticated as its operator."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def peak_rss(self) -> int:
        """The hub's peak resident memory so far, in bytes (Linux VmHWM)."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM in /proc/<pid>/status")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(CROSSDOCK),
                *args,
                "--config",
                str(self.config_path),
                "--data-dir",
                str(self.data_dir),
            ],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=60,
        )


def wait_for(predicate: Any, timeout: float = 20.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")

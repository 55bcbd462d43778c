"""Subprocesses for the benchmarks: start them in their own session, wait until they answer,
and always stop the ones we started (by their own process group id), even on failure."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from bench.auth import auth_env

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
TMP = RESULTS / "tmp"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now (bind to 0, read it back, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StartupError(RuntimeError):
    """A benchmark process exited or never became ready."""


class Processes:
    """The processes one benchmark run starts; closing stops every one still running."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self._procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        # src/ on the path too, so the hub runs even when the venv lacks its editable install.
        path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p)
        full_env = {
            **os.environ,
            **auth_env(),
            **(env or {}),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": path,
        }
        proc = subprocess.Popen(
            argv,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            start_new_session=True,  # its own group: we can stop it and its children by id
        )
        log.close()
        self._procs.append((name, proc))
        return proc

    def running(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        """The started processes not stopped yet, by name."""
        return list(self._procs)

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, name: str, url: str, timeout: float = 30.0) -> None:
        """Poll ``url`` until it answers 200; fail early when the process exits."""
        proc = dict(self._procs)[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StartupError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise StartupError(f"{name} not ready at {url} after {timeout}s:\n{self.log_tail(name)}")

    def stop(self, proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=grace)
        self._procs = [(n, p) for n, p in self._procs if p is not proc]

    def close(self) -> None:
        for _name, proc in reversed(list(self._procs)):
            self.stop(proc)

    def __enter__(self) -> Processes:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

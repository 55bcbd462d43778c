"""Serve a sandbox ASGI app with uvicorn on a loopback port, from a background thread.

Tests and benchmarks need a real HTTP server (real sockets, keep-alive, timeouts) without a
subprocess to manage; binding the socket ourselves gives a free port with no race.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

import uvicorn

AppT = TypeVar("AppT", bound=Callable[..., Any])


def bind_socket(host: str = "127.0.0.1", port: int = 0, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one (read it from ``getsockname()``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


class ServerThread(Generic[AppT]):
    """A uvicorn server running one app in a daemon thread; a context manager that stops it.

    Attributes:
        app: The ASGI app being served (to inspect its state directly in tests).
        port: The bound port.
        url: ``http://127.0.0.1:<port>``, without a trailing slash.
    """

    def __init__(
        self,
        app: AppT,
        *,
        port: int = 0,
        lifespan: Literal["auto", "on", "off"] = "auto",
        startup_timeout: float = 10.0,
        **config: Any,
    ) -> None:
        self.app = app
        sock = bind_socket("127.0.0.1", port)
        self.port: int = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config.setdefault("log_level", "warning")
        config.setdefault("access_log", False)
        self.server = uvicorn.Server(uvicorn.Config(app, lifespan=lifespan, **config))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True, name=self.url
        )
        self.thread.start()
        deadline = time.monotonic() + startup_timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.server.should_exit = True
                sock.close()
                raise RuntimeError(f"server on {self.url} failed to start")
            time.sleep(0.005)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to finish in-flight requests and exit; wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> ServerThread[AppT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

"""Listening sockets for the commands that serve: bound before anything says it is up.

uvicorn binds its port only after the application's start-up ran, so a taken port used to
show up as "crossdock up on …" followed by a bind error; binding first (and handing uvicorn
the socket) makes a taken port one clear line before any work is done.
"""

from __future__ import annotations

import errno
import socket


class PortUnavailable(Exception):
    """The port cannot be listened on; the message names it and says what to do."""


def listen_socket(
    host: str, port: int, backlog: int = 2048, *, hint: str = "--port"
) -> socket.socket:
    """A bound, listening TCP socket on `host:port` (port 0: a free one, read it back with
    `getsockname()`).

    Raises:
        PortUnavailable: the address is taken, or not one of this machine's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise PortUnavailable(_explain(host, port, exc, hint)) from None
    sock.set_inheritable(True)
    return sock


def free_port(host: str = "127.0.0.1", port: int = 0, *, hint: str = "--port") -> int:
    """`port` when it can be listened on now (0: a free port chosen by the system), for a
    child process that binds it a moment later.

    Raises:
        PortUnavailable: the port is taken.
    """
    with listen_socket(host, port, backlog=1, hint=hint) as sock:
        return int(sock.getsockname()[1])


def _explain(host: str, port: int, exc: OSError, hint: str) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use (another crossdock or "
            f"program holds it); choose another with {hint}, or 0 for any free port"
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need root); choose another with {hint}"
    return f"cannot listen on {where}: {exc.strerror or exc}"

"""Free loopback ports for servers a test starts in another process.

A port the kernel hands out for ``bind(0)`` comes from the ephemeral range
(``ip_local_port_range``, 32768-60999 by default), the same range client connections take their
local ports from: between a test closing its probe socket and the server binding the port, a
client elsewhere (another xdist worker's httpx, say) can take it, and the server fails with
"port already in use". Ports below that range are never given to client connections, so a
random one that binds now stays free unless another test picks the very same number.
"""

from __future__ import annotations

import random
import socket

_LOW, _HIGH = 20_000, 32_000


def free_port() -> int:
    """A loopback port below the ephemeral range that nothing listens on now."""
    for _ in range(200):
        port = random.randrange(_LOW, _HIGH)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_LOW}-{_HIGH} after 200 tries")

"""Tokens already verified, by their exact text: a client sends the same access token on
every request for its lifetime, so only its first request pays for the signature.

The key is the whole token (header, claims and signature): a hit means these exact bytes were
verified before, so nothing can be forged into a hit. Each hit re-checks what changes with
time: `exp` (with the leeway) and whether the signing key is still live. Entries are
dropped oldest first beyond `size`, so memory stays bounded whatever the traffic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from crossdock.hub.identity import Principal


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    expires: float  # exp + leeway
    kid: str


class VerifiedTokens:
    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, token: str, now: float, live: Callable[[str], bool]) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.expires or not live(entry.kid):
            self._entries.pop(token, None)
            return None
        return entry.principal

    def put(self, token: str, principal: Principal, expires: float, kid: str) -> None:
        with self._lock:
            while len(self._entries) >= self._size:
                self._entries.pop(next(iter(self._entries)), None)
            self._entries[token] = _Entry(principal, expires, kid)

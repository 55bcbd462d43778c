"""The hub's signing keys as one process sees them: cached, rotated with overlap.

Every process on the store reads the keys at most every ``key_cache_seconds`` (and at once,
at most once a second, when a token names a `kid` it does not know: another process
rotated). Rotation makes a new current key and gives the previous ones a retirement time
far enough out that every token they can still sign expires first: a process may go on
signing with the old key for up to one cache period, its tokens live
``access_token_seconds``, and verifiers allow ``leeway_seconds`` past `exp`. Until then the
old key stays in the JWKS and verifies; after it, it leaves both and is purged at the next
rotation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwt import PyJWK

from crossdock.adapters.oauth.keys import (
    PrivateKey,
    new_signing_key,
    private_key_of,
    public_jwk_of,
    verifier_of,
)
from crossdock.hub.oauth import SigningKey, SigningKeyStore

#: Fewest seconds between two reads caused by unknown `kid`s (forged ones cost one read/s).
UNKNOWN_KID_REFRESH = 1.0


@dataclass(frozen=True, slots=True)
class KeyringPolicy:
    algorithm: str = "RS256"
    token_seconds: int = 300
    cache_seconds: float = 30.0
    leeway_seconds: int = 30
    secret: bytes | None = None

    @property
    def overlap(self) -> float:
        """How long a rotated-out key keeps verifying (see the module docstring)."""
        return self.token_seconds + self.cache_seconds + self.leeway_seconds


class Keyring:
    """Signing and verification keys of one process, read from a `SigningKeyStore`."""

    def __init__(
        self,
        store: SigningKeyStore,
        policy: KeyringPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = []
        self._verifiers: dict[str, PyJWK] = {}
        self._private: dict[str, PrivateKey] = {}
        self._read_at = float("-inf")
        self._kid_read_at = float("-inf")  # the last read an unknown `kid` caused

    def _refresh(self, now: float) -> None:
        keys = self._store.signing_keys()
        self._verifiers = {k.kid: self._verifiers.get(k.kid) or verifier_of(k) for k in keys}
        self._private = {kid: v for kid, v in self._private.items() if kid in self._verifiers}
        self._keys = keys
        self._read_at = now

    def _fresh(self) -> list[SigningKey]:
        now = self._clock()
        if now - self._read_at >= self.policy.cache_seconds:
            with self._lock:
                if now - self._read_at >= self.policy.cache_seconds:
                    self._refresh(now)
        return self._keys

    def signing_key(self) -> tuple[SigningKey, PrivateKey]:
        """The current key and its private half; the first key is made on first use."""
        now = self._clock()
        live = [k for k in self._fresh() if k.live(now)]
        if not live or live[0].retire_after is not None:
            self.rotate()
            live = [k for k in self._keys if k.live(now)]
        key = live[0]
        private = self._private.get(key.kid)
        if private is None:
            private = self._private[key.kid] = private_key_of(key, self.policy.secret)
        return key, private

    def verifier(self, kid: str) -> tuple[SigningKey, PyJWK] | None:
        """The live key named `kid` and its parsed public half; None for an unknown or
        retired key. An unknown `kid` re-reads the store at once (another process rotated),
        but such reads happen at most once a second, however many made-up `kid`s arrive."""
        self._fresh()
        now = self._clock()
        if kid not in self._verifiers and now - self._kid_read_at >= UNKNOWN_KID_REFRESH:
            with self._lock:
                if kid not in self._verifiers and now - self._kid_read_at >= UNKNOWN_KID_REFRESH:
                    self._kid_read_at = now
                    self._refresh(now)
        key = next((k for k in self._keys if k.kid == kid), None)
        if key is None or not key.live(now):
            return None
        return key, self._verifiers[kid]

    def jwks(self) -> dict[str, Any]:
        """The JWK Set: every live key's public half, the current one first. The first key
        is made here if none exists yet, so resource servers can fetch it before any token."""
        now = self._clock()
        live = [k for k in self._fresh() if k.live(now)]
        if not live:
            self.rotate()
            live = [k for k in self._keys if k.live(now)]
        return {"keys": [public_jwk_of(k) for k in live]}

    def rotate(self) -> SigningKey:
        """Make a new current key now; the previous ones retire after the overlap."""
        now = self._clock()
        newest = max((k.created_at for k in self._store.signing_keys()), default=now)
        # strictly newer than every key, so "newest is current" holds even on a coarse clock
        created = max(now, newest + 0.001)
        new = new_signing_key(self.policy.algorithm, created, self.policy.secret)
        self._store.rotate(new, retire_after=now + self.policy.overlap)
        self._store.purge(before=now)
        with self._lock:
            self._refresh(now)
        return new

    def keys(self) -> list[SigningKey]:
        """Every stored key, newest first, read now (for the CLI)."""
        with self._lock:
            self._refresh(self._clock())
        return list(self._keys)

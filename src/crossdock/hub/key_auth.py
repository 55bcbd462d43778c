"""Resolving an API key to its principal, fast: verified keys are trusted from memory briefly.

Every request carries its key, so a store read per request would put the store on the intake's
hot path. Instead a key's record is kept for `cache_seconds` (default 5): the secret is still
checked on every request (a keyed BLAKE2b, about a microsecond, compared in constant time),
and expiry against the clock on every request; only *revocation done by another process*
waits for the cached record to age out. That is the bound: a key revoked anywhere stops
working on every process within `cache_seconds` (plus one store read); a key revoked through
this process (`forget`) stops at once. Unknown key ids are remembered the same way, so a flood
of made-up keys costs one store read per id per period, not one per request (the memory is
bounded: `MAX_ENTRIES`).

Last-used times are never written on the request path: a use marks the key, and when a mark
is due (the key not written for `last_used_seconds`, or never used before) one batch is
written from a worker thread, fire and forget. So a key costs at most one store write a minute
however many requests it makes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from crossdock.hub.credentials import PREFIX, ApiKey, ApiKeys, matches, parse_key
from crossdock.hub.identity import Principal

log = logging.getLogger(__name__)
MAX_ENTRIES = 10_000
_NO_SALT, _NO_DIGEST = b"\0" * 16, b"\0" * 32


@dataclass(frozen=True, slots=True)
class _Entry:
    key: ApiKey | None
    principal: Principal | None
    fresh_until: float


class KeyAuthenticator:
    """The API-key `Authenticator`: ``cdk_…`` tokens only (None for anything else)."""

    def __init__(
        self,
        keys: ApiKeys,
        *,
        cache_seconds: float = 5.0,
        last_used_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
        on_first_use: Callable[[list[ApiKey]], None] | None = None,
    ) -> None:
        self.keys = keys
        self.cache_seconds = cache_seconds
        self.last_used_seconds = last_used_seconds
        self.clock = clock
        self.on_first_use = on_first_use
        self._cache: dict[str, _Entry] = {}
        self._loading: dict[str, asyncio.Future[_Entry]] = {}
        self._written: dict[str, float] = {}  # key id -> when its last use was last written
        self._pending: dict[str, float] = {}
        self._flushing: asyncio.Future[None] | None = None

    @staticmethod
    def claims(token: str) -> bool:
        """Whether the token is ours to judge (no other authenticator gets a ``cdk_`` one)."""
        return token.startswith(PREFIX)

    async def authenticate(self, token: str) -> Principal | None:
        parsed = parse_key(token)
        if parsed is None:
            return None
        now = self.clock()
        entry = self._cache.get(parsed.key_id)
        if entry is None or now >= entry.fresh_until:
            entry = await self._load(parsed.key_id)
        key = entry.key
        # The digest is computed and compared whatever the record says (a dummy for an unknown
        # id), so the time taken does not tell a wrong secret from an unknown or revoked key.
        salt, stored = (key.salt, key.digest) if key else (_NO_SALT, _NO_DIGEST)
        good = matches(salt, stored, parsed.secret)
        if key is None or not good or not key.usable(now):
            return None
        self._used(key, now)
        return entry.principal

    def forget(self, key_id: str) -> None:
        """Drop a key from memory (revoked or rotated through this process: effective now)."""
        self._cache.pop(key_id, None)

    async def _load(self, key_id: str) -> _Entry:
        """One store read per key id at a time, however many requests wait for it."""
        loading = self._loading.get(key_id)
        if loading is not None:
            return await asyncio.shield(loading)
        future: asyncio.Future[_Entry] = asyncio.get_running_loop().create_future()
        self._loading[key_id] = future
        try:
            key = await asyncio.to_thread(self.keys.get, key_id)
            entry = _Entry(key, key.principal() if key else None, self.clock() + self.cache_seconds)
            if len(self._cache) >= MAX_ENTRIES:
                self._cache.clear()
            self._cache[key_id] = entry
            future.set_result(entry)
            return entry
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            del self._loading[key_id]

    def _used(self, key: ApiKey, now: float) -> None:
        written = self._written.get(key.key_id)
        if written is None:
            written = key.last_used_at if key.first_used_at is not None else None
        if written is not None and now - written < self.last_used_seconds:
            return
        self._written[key.key_id] = now
        self._pending[key.key_id] = now
        if self._flushing is None:
            self._flushing = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, {}
                try:
                    first = await asyncio.to_thread(self.keys.touch, batch)
                except Exception:
                    log.exception("recording when %d API key(s) were last used failed", len(batch))
                    continue
                if first and self.on_first_use is not None:
                    used = [e.key for k in first if (e := self._cache.get(k)) and e.key]
                    try:
                        await asyncio.to_thread(self.on_first_use, used)
                    except Exception:
                        log.exception("recording the first use of API keys failed")
        finally:
            self._flushing = None

    async def drain(self) -> None:
        """Wait for the last-used writes in flight (shutdown, tests)."""
        if self._flushing is not None:
            await asyncio.shield(self._flushing)

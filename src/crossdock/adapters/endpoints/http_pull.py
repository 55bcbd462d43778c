"""Reading a system's listing over HTTP (the reconciliation's `PositionSource`).

httpx rather than aiohttp (which deliveries use for its lower per-request cost): a pull is one
request every few minutes, and httpx's simple client with a whole-request timeout is enough.
"""

from __future__ import annotations

import httpx

from crossdock.hub.inventory.ports import PullError


class HttpPositionSource:
    """GET one URL and hand back the body; anything but a 2xx is a `PullError`."""

    def __init__(self, name: str, url: str, *, timeout: float, token: str | None = None) -> None:
        self._name = name
        self.url = url
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.AsyncClient(timeout=timeout, headers=headers)

    @property
    def name(self) -> str:
        return self._name

    async def fetch(self) -> bytes:
        try:
            response = await self._client.get(self.url)
        except httpx.HTTPError as exc:
            raise PullError(f"GET {self.url}: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise PullError(f"GET {self.url}: HTTP {response.status_code} {response.text[:200]}")
        return response.content

    async def close(self) -> None:
        await self._client.aclose()

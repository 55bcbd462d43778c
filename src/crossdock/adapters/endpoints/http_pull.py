"""Reading a system's listing over HTTP (the reconciliation's `PositionSource`), on the same
GET client the POD pulls use (`http_fetch.HttpFetchClient`): one HTTP stack for every pull.
"""

from __future__ import annotations

from crossdock.adapters.endpoints.http_fetch import HttpFetchClient
from crossdock.hub.inventory.ports import PullError

#: A listing of a whole catalogue (tens of thousands of positions) is megabytes of JSON.
MAX_LISTING_BYTES = 256 << 20


class HttpPositionSource:
    """GET one URL and hand back the body; anything but a 2xx is a `PullError`."""

    def __init__(self, name: str, url: str, *, timeout: float, token: str | None = None) -> None:
        self._name = name
        self.url = url
        self._timeout = timeout
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = HttpFetchClient(max_connections=2, max_body_bytes=MAX_LISTING_BYTES)

    @property
    def name(self) -> str:
        return self._name

    async def fetch(self) -> bytes:
        response = await self._client.get(self.url, self._headers, self._timeout)
        if response.status is None:
            raise PullError(f"GET {self.url}: {response.error}")
        if not response.ok:
            detail = response.body[:200].decode("utf-8", "replace")
            raise PullError(f"GET {self.url}: HTTP {response.status} {detail}")
        return response.body

    async def close(self) -> None:
        await self._client.close()

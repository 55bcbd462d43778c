"""GET documents from partner APIs: the carriers' proofs of delivery, the systems' inventory
listings.

The pull side of the HTTP adapter (`crossdock.adapters.endpoints.http` pushes deliveries): one
pooled aiohttp session, per-request timeouts, and network trouble reported as a value, never
raised, so the caller (`crossdock.hub.pod`, the inventory reconciliation) decides between "ask
again later" and "give up".
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from crossdock.hub.ports import FetchResponse

#: A POD is a few hundred bytes of JSON; a carrier answering megabytes is answering wrong.
MAX_BODY_BYTES = 1 << 20


class HttpFetchClient:
    """A `crossdock.hub.ports.HttpGetter` over aiohttp.

    Proxy variables and ``.netrc`` are ignored (as for deliveries: what the hub calls is what
    its configuration says). Header values (an API key) never appear in errors.

    Args:
        max_connections: Connections kept across all hosts, and requests in flight.
        max_body_bytes: A larger 2xx body is an error (a POD is small; a listing of a whole
            catalogue is not, so the inventory pulls allow more).
    """

    def __init__(self, *, max_connections: int = 16, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._max_connections = max_connections
        self._max_body = max_body_bytes
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a session belongs to the event loop that runs the fetches.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                trust_env=False,
                headers={"User-Agent": "crossdock", "Accept": "application/json"},
            )
        return self._session

    async def get(self, url: str, headers: Mapping[str, str], timeout: float) -> FetchResponse:
        """GET ``url``; the body of a 2xx (up to ``max_body_bytes``), a short one of an error."""
        try:
            async with self._client().get(
                url,
                headers=dict(headers),
                timeout=aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as response:
                ok = 200 <= response.status < 300
                body = await response.content.read(self._max_body + 1 if ok else 800)
                if ok and len(body) > self._max_body:
                    error = f"the response from {url} is larger than {self._max_body} bytes"
                    return FetchResponse(None, error=error)
                content_type = response.headers.get("Content-Type", "application/json")[:100]
                return FetchResponse(response.status, body, content_type=content_type)
        except TimeoutError:
            return FetchResponse(None, error=f"timeout after {timeout}s from {url}")
        except aiohttp.InvalidURL as exc:
            return FetchResponse(None, error=f"invalid URL: {exc}")
        except (aiohttp.ClientError, OSError) as exc:
            return FetchResponse(None, error=f"{type(exc).__name__}: {exc or 'no detail'} ({url})")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


#: The name bootstrap and the POD tests know it by.
HttpPodClient = HttpFetchClient

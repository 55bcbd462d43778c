"""GET documents from partner APIs: the carriers' proof-of-delivery endpoints.

The pull side of the HTTP adapter (`crossdock.adapters.endpoints.http` pushes deliveries): one
pooled aiohttp session, per-request timeouts, and network trouble reported as a value, never
raised, so `crossdock.hub.pod` can decide between "ask again later" and "give up".
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from crossdock.hub.pod import PodResponse

#: A POD is a few hundred bytes of JSON; a carrier answering megabytes is answering wrong.
MAX_BODY_BYTES = 1 << 20


class HttpPodClient:
    """A `crossdock.hub.pod.PodClient` over aiohttp.

    Proxy variables and ``.netrc`` are ignored (as for deliveries: what the hub calls is what
    its configuration says). Header values (an API key) never appear in errors.

    Args:
        max_connections: Connections kept across all carriers, and requests in flight.
    """

    def __init__(self, *, max_connections: int = 16) -> None:
        self._max_connections = max_connections
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

    async def get(self, url: str, headers: Mapping[str, str], timeout: float) -> PodResponse:
        """GET ``url``; the body of a 2xx (up to MAX_BODY_BYTES), a short one of an error."""
        try:
            async with self._client().get(
                url,
                headers=dict(headers),
                timeout=aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as response:
                ok = 200 <= response.status < 300
                body = await response.content.read(MAX_BODY_BYTES + 1 if ok else 800)
                if ok and len(body) > MAX_BODY_BYTES:
                    error = f"the response from {url} is larger than {MAX_BODY_BYTES} bytes"
                    return PodResponse(None, error=error)
                content_type = response.headers.get("Content-Type", "application/json")[:100]
                return PodResponse(response.status, body, content_type=content_type)
        except TimeoutError:
            return PodResponse(None, error=f"timeout after {timeout}s from {url}")
        except aiohttp.InvalidURL as exc:
            return PodResponse(None, error=f"invalid URL: {exc}")
        except (aiohttp.ClientError, OSError) as exc:
            return PodResponse(None, error=f"{type(exc).__name__}: {exc or 'no detail'} ({url})")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

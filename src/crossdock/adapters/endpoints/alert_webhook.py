"""The alert webhook: each alert open and clear POSTed as JSON to the configured URL.

The hub's outbound-webhook machinery delivers per-subscription events through the bus; alert
events need none of that (one URL, few events, already kept in the alerts table until
delivered), so this is a plain httpx POST with a few retries and backoff. When a secret is
configured the request carries Standard Webhooks headers (`crossdock.hub.webhook_signing`),
its ``webhook-id`` stable across attempts so the receiver can drop repeats.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

import httpx

from crossdock.hub.alerts import AlertEvent, alert_view
from crossdock.hub.webhook_signing import decode_secret, sign_headers

log = logging.getLogger(__name__)


def event_body(event: AlertEvent) -> bytes:
    return json.dumps(
        {"type": event.type, "id": event.id, "alert": alert_view(event.alert)},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


class HttpAlertNotifier:
    """`AlertNotifier` over HTTP: a 2xx answer delivers; anything else is retried
    `max_attempts` times with doubling backoff, then left for the next round."""

    def __init__(
        self,
        url: str,
        *,
        secret: str | None = None,
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._keys = [decode_secret(secret)] if secret else []
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._clock = clock
        self._client = httpx.AsyncClient(timeout=timeout)

    async def send(self, event: AlertEvent) -> bool:
        body = event_body(event)
        for attempt in range(1, self._max_attempts + 1):
            headers = {"content-type": "application/json"}
            if self._keys:
                headers.update(sign_headers(self._keys, event.id, int(self._clock()), body))
            try:
                response = await self._client.post(self.url, content=body, headers=headers)
                if response.is_success:
                    return True
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            log.warning("alert webhook attempt %d for %s: %s", attempt, event.id, problem)
            if attempt < self._max_attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        return False

    async def close(self) -> None:
        await self._client.aclose()

"""A credential check whose store fails answers 503 (retry), not 500 and not 401."""

from __future__ import annotations

import httpx

from crossdock.entrypoints.api.auth import Authenticate
from crossdock.hub.identity import Principal


class _StoreDown:
    """An authenticator whose key store is unreachable, as with the database stopped."""

    def claims(self, token: str) -> bool:
        return True

    async def authenticate(self, token: str) -> Principal | None:
        raise ConnectionError("the database is down")


async def _app(scope: object, receive: object, send: object) -> None:
    raise AssertionError("the request must not reach the app")


async def test_a_failing_key_store_is_a_503_with_retry_after() -> None:
    middleware = Authenticate(_app, [_StoreDown()], public=["/healthz"])
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        answer = await client.post(
            "/v1/messages/purchase_order", json={}, headers={"Authorization": "Bearer cdk_x_y"}
        )
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    assert "ConnectionError" in answer.json()["detail"]

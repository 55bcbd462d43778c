"""The inventory pulls' HTTP source over real loopback HTTP: a listing comes back as bytes, the
token goes along, and every failure (error status, no server, a body past the limit) is a
`PullError` that names the URL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.adapters.endpoints import http_pull
from crossdock.adapters.endpoints.http_pull import HttpPositionSource
from crossdock.hub.inventory.ports import PullError
from crossdock.sandbox.serving import ServerThread

LISTING = [{"site": "DC-ATL", "sku": "HP-1", "on_hand": 40}]


async def _listing(request: Request) -> Response:
    if request.headers.get("authorization") != "Bearer s3cret":
        return JSONResponse({"error": "no token"}, 401)
    return JSONResponse(LISTING)


async def _broken(_: Request) -> Response:
    return JSONResponse({"error": "database offline"}, 503)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = Starlette(routes=[Route("/inventory", _listing), Route("/broken", _broken)])
    thread = ServerThread(app, lifespan="off")
    try:
        yield thread.url
    finally:
        thread.stop()


def _fetch(url: str, token: str | None = "s3cret") -> bytes:
    async def run() -> bytes:
        source = HttpPositionSource("wms", url, timeout=5, token=token)
        try:
            return await source.fetch()
        finally:
            await source.close()

    return asyncio.run(run())


def test_a_listing_comes_back_with_the_token_sent(server: str) -> None:
    assert b'"sku":"HP-1"' in _fetch(f"{server}/inventory").replace(b" ", b"")


def test_an_error_status_is_a_pull_error_with_the_status_and_body(server: str) -> None:
    with pytest.raises(PullError, match=r"/broken: HTTP 503 .*database offline"):
        _fetch(f"{server}/broken")
    with pytest.raises(PullError, match="HTTP 401"):
        _fetch(f"{server}/inventory", token=None)


def test_no_server_is_a_pull_error_naming_the_url() -> None:
    with pytest.raises(PullError, match=r"GET http://127\.0\.0\.1:9/x: .*Connect"):
        _fetch("http://127.0.0.1:9/x")


def test_a_body_past_the_limit_is_refused(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_pull, "MAX_LISTING_BYTES", 10)
    with pytest.raises(PullError, match="larger than 10 bytes"):
        _fetch(f"{server}/inventory")

"""Inventory availability over the API: the latest position's available-to-promise with its
age, one and in bulk, conditional GET, and the fast path answering exactly as the route."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import HubServices
from tests.conftest import EXAMPLES
from tests.unit.products.harness import as_, post, serve

URL = "/v1/inventory/availability"
ITEM = {"site": "DC-ATL", "item": "HP-100877"}
EXAMPLE = json.loads((EXAMPLES / "inventory_position.json").read_text())


def position(available: int, as_of: datetime, **changes: Any) -> bytes:
    doc = copy.deepcopy(EXAMPLE)
    doc.update(as_of=as_of.isoformat(), **changes)
    doc["available"] = {"value": str(available), "unit": "CS"}
    return json.dumps(doc).encode()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[HubServices, httpx.AsyncClient]]:
    now = datetime.now(UTC)
    async with serve(tmp_path) as pair:
        client = pair[1]
        await post(client, "inventory_position", position(50, now - timedelta(hours=3)), "p1")
        await post(client, "inventory_position", position(62, now - timedelta(seconds=90)), "p2")
        other = {"site": {"code": "DC-SEA"}}
        await post(client, "inventory_position", position(7, now, **other), "p3")
        yield pair


async def test_the_latest_position_answers_with_as_of_and_staleness(api: Any) -> None:
    _, client = api
    got = await client.get(URL, params=ITEM, headers=as_("cascade"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["available_to_promise"] == "62" and body["unit"] == "CS"
    assert body["on_hand"] == "74" and body["allocated"] == "12" and body["source"] == "erp"
    assert 89 <= body["staleness_seconds"] < 150
    assert datetime.fromisoformat(body["as_of"]) < datetime.now(UTC)


async def test_the_fast_path_answers_exactly_as_the_route(api: Any) -> None:
    _, client = api
    fast = await client.get(URL, params=ITEM, headers=as_("cascade"))
    # an extra parameter is not the plain case: the FastAPI route answers (and ignores it)
    routed = await client.get(URL, params={**ITEM, "x": "1"}, headers=as_("cascade"))
    assert fast.headers["etag"] == routed.headers["etag"]
    strip = lambda r: {k: v for k, v in r.json().items() if k != "staleness_seconds"}  # noqa: E731
    assert strip(fast) == strip(routed)
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"


async def test_conditional_get_on_both_paths(api: Any) -> None:
    _, client = api
    first = await client.get(URL, params=ITEM, headers=as_("cascade"))
    etag = first.headers["etag"]
    assert etag.startswith('W/"')  # the body states its own age: equivalent, not identical
    for params in (ITEM, {**ITEM, "x": "1"}):
        again = await client.get(URL, params=params, headers=as_("cascade", **{
            "If-None-Match": etag}))  # fmt: skip
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        strong_form = etag.removeprefix("W/")  # weak comparison: the opaque tags are equal
        also = await client.get(URL, params=params, headers=as_("cascade", **{
            "If-None-Match": strong_form}))  # fmt: skip
        assert also.status_code == 304


async def test_unknown_item_missing_parameters_and_scopes(api: Any) -> None:
    _, client = api
    missing = await client.get(URL, params={"site": "DC-ATL", "item": "NOPE"},
                               headers=as_("cascade"))  # fmt: skip
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    bad = await client.get(URL, params={"site": "DC-ATL"}, headers=as_("cascade"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.item"
    assert (await client.get(URL, params=ITEM)).status_code == 401
    forbidden = await client.get(URL, params=ITEM, headers=as_("ups"))  # shipments:read only
    assert forbidden.status_code == 403 and forbidden.json()["required_scope"] == "inventory:read"


async def test_bulk_lookup_answers_each_in_place(api: Any) -> None:
    _, client = api
    asked = [ITEM, {"site": "DC-SEA", "item": "HP-100877"}, {"site": "DC-X", "item": "nope"}]
    got = await client.post(f"{URL}/lookup", json={"items": asked}, headers=as_("cascade"))
    assert got.status_code == 200, got.text
    items = got.json()["items"]
    assert [(i["site"], i.get("available_to_promise"), i["found"]) for i in items] == [
        ("DC-ATL", "62", True), ("DC-SEA", "7", True), ("DC-X", None, False)]  # fmt: skip
    too_many = {"items": [ITEM] * 101}
    refused = await client.post(f"{URL}/lookup", json=too_many, headers=as_("cascade"))
    assert refused.status_code == 422


async def test_an_authenticated_plain_read_never_reaches_the_router(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path is what answers (the route stays for everything else): with the route's
    answer function broken, the plain read still answers, an unusual one does not."""
    from crossdock.entrypoints.api import availability as route

    _, client = api

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the router answered")

    monkeypatch.setattr(route, "conditional_json", broken)
    fast = await client.get(URL, params=ITEM, headers=as_("cascade"))
    assert fast.status_code == 200 and fast.json()["available_to_promise"] == "62"
    with pytest.raises(RuntimeError, match="the router answered"):  # the route's 500
        await client.get(URL, params={**ITEM, "x": "1"}, headers=as_("cascade"))

"""Shipment status over the API, v1 and v2 side by side: timeline, POD, lookups by order and
tracking number, carrier and customer isolation (404, never another's data), the breaking
change and v1's Deprecation / Sunset / Link headers."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import HubServices
from tests.conftest import EXAMPLES
from tests.unit.products.harness import as_, eventually, post, serve

SHIPMENT = json.loads((EXAMPLES / "shipment.json").read_text())
SHIPMENT["ship_to"]["codes"] = [{"scheme": "crossdock:customer", "value": "AUGUSTA"}]
MILESTONE = json.loads((EXAMPLES / "shipment_milestone.json").read_text())
POD = json.loads((EXAMPLES / "proof_of_delivery.json").read_text())
ID = SHIPMENT["shipment_id"]
ORDER = SHIPMENT["order_numbers"][0]
TRACKING = SHIPMENT["tracking_number"]


def picked_up() -> bytes:
    early = copy.deepcopy(MILESTONE)
    early.update(milestone="picked_up", event_id="EVT-1", occurred_at="2024-11-12T08:00:00Z")
    early["location"] = {"city": "Atlanta", "region": "GA", "country": "US"}
    return json.dumps(early).encode()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[HubServices, httpx.AsyncClient]]:
    async with serve(tmp_path) as pair:
        client = pair[1]
        await post(client, "shipment", json.dumps(SHIPMENT).encode(), "s1")
        await post(client, "shipment_milestone", json.dumps(MILESTONE).encode(), "m2")
        await post(client, "shipment_milestone", picked_up(), "m1")
        await post(client, "proof_of_delivery", json.dumps(POD).encode(), "pod")

        async def linked() -> bool:  # shipment_tracking emitted the order's statuses
            got = await client.get("/v2/shipments", params={"order_number": ORDER},
                                   headers=as_("operator"))  # fmt: skip
            return len(got.json()["items"]) == 1

        assert await eventually(linked)
        yield pair


async def test_v1_timeline_pod_and_deprecation_headers(api: Any) -> None:
    _, client = api
    got = await client.get(f"/v1/shipments/{ID}", headers=as_("brfx"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert [m["code"] for m in body["milestones"]] == ["picked_up", "out_for_delivery"]
    assert body["milestones"][0]["location"] == "Atlanta, GA, US"
    assert body["status"] == "delivered" and body["proof_of_delivery"]["signed_by"]
    assert body["carrier"] == "Blue Ridge Freight"
    assert got.headers["deprecation"] == "@1796601600"  # RFC 9745 structured date
    assert parsedate_to_datetime(got.headers["sunset"]).year == 2027  # RFC 8594 HTTP-date
    assert got.headers["link"] == '<docs/migrations/shipments-v2.md>; rel="deprecation"'
    assert (Path(__file__).parents[3] / "docs/migrations/shipments-v2.md").exists()


async def test_v2_structured_locations_and_code_objects(api: Any) -> None:
    _, client = api
    got = await client.get(f"/v2/shipments/{ID}", headers=as_("augusta"))
    assert got.status_code == 200, got.text
    assert "deprecation" not in got.headers and "sunset" not in got.headers
    body = got.json()
    first = body["milestones"][0]
    assert first["location"] == {"city": "Atlanta", "region": "GA", "country": "US",
                                 "postal_code": None, "geo": None}  # fmt: skip
    assert first["code"] == {"code": "picked_up", "label": "Picked up",
                             "standard": {"epcis_biz_step": "departing", "x12_at7": "AF"}}  # fmt: skip
    assert body["status"]["code"] == "delivered"
    assert body["ship_to"]["city"] == "Augusta"


async def test_lookups_by_order_and_tracking_number(api: Any) -> None:
    _, client = api
    for version in ("v1", "v2"):
        by_order = await client.get(f"/{version}/shipments", params={"order_number": ORDER},
                                    headers=as_("augusta"))  # fmt: skip
        by_tracking = await client.get(f"/{version}/shipments",
                                       params={"tracking_number": TRACKING},
                                       headers=as_("brfx"))  # fmt: skip
        assert [s["shipment_id"] for s in by_order.json()["items"]] == [ID]
        assert [s["shipment_id"] for s in by_tracking.json()["items"]] == [ID]
    both = await client.get("/v2/shipments", params={"order_number": ORDER,
                            "tracking_number": TRACKING}, headers=as_("brfx"))  # fmt: skip
    assert both.status_code == 422


@pytest.mark.parametrize("caller", ["ups", "other-customer", "cascade-shipments"])
async def test_another_partner_sees_no_shipment_on_any_route(api: Any, caller: str) -> None:
    _, client = api
    for version in ("v1", "v2"):
        got = await client.get(f"/{version}/shipments/{ID}", headers=as_(caller))
        assert got.status_code == 404 and "Blue Ridge" not in got.text
        for params in ({"order_number": ORDER}, {"tracking_number": TRACKING}):
            found = await client.get(f"/{version}/shipments", params=params,
                                     headers=as_(caller))  # fmt: skip
            assert found.status_code == 200 and found.json()["items"] == []


async def test_etag_and_304_on_shipments(api: Any) -> None:
    _, client = api
    for version in ("v1", "v2"):
        first = await client.get(f"/{version}/shipments/{ID}", headers=as_("brfx"))
        again = await client.get(f"/{version}/shipments/{ID}", headers=as_(
            "brfx", **{"If-None-Match": first.headers["etag"]}))  # fmt: skip
        assert again.status_code == 304 and again.content == b""

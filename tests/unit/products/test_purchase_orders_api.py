"""Supplier purchase orders over the API: list / get / acknowledge, isolation, ETags."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.bootstrap import HubServices
from tests.unit.products.harness import PO_NUMBER, PO_RAW, as_, eventually, post, serve

FLOW = f"/v1/flows/procure_to_pay/{PO_NUMBER}"
URL = f"/v1/purchase-orders/{PO_NUMBER}"


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[HubServices, httpx.AsyncClient]]:
    async with serve(tmp_path) as pair:
        client = pair[1]
        await post(client, "purchase_order", PO_RAW, "po-1")
        other = json.loads(PO_RAW)
        other["po_number"] = "PO-ACME-1"
        other["supplier"] = {"role": "supplier", "name": "Acme Corp", "x12": {
            "qualifier": "ZZ", "identifier": "ACME"}}  # fmt: skip
        await post(client, "purchase_order", json.dumps(other).encode(), "po-2")

        assert await eventually(lambda: open_count(client, 2))
        yield pair


async def open_count(client: httpx.AsyncClient, n: int) -> bool:
    page = await client.get("/v1/purchase-orders", headers=as_("operator"))
    return len(page.json()["items"]) == n


def answer(**line2: Any) -> dict[str, Any]:
    return {
        "acknowledgment_number": "ACK-1",
        "lines": [
            {"line_number": 1, "action": "accept"},
            {"line_number": 2, "action": "change", "quantity": "60", "promised_date": "2026-12-20",
             "reason": "short on stock", **line2},
            {"line_number": 3, "action": "backorder", "promised_date": "2027-01-10"},
        ],
    }  # fmt: skip


async def test_a_supplier_lists_only_its_own_open_pos(api: Any) -> None:
    _, client = api
    mine = (await client.get("/v1/purchase-orders", headers=as_("cascade"))).json()
    assert [p["po_number"] for p in mine["items"]] == [PO_NUMBER]
    assert mine["items"][0]["status"] == "awaiting_acknowledgment"
    theirs = (await client.get("/v1/purchase-orders", headers=as_("acme"))).json()
    assert [p["po_number"] for p in theirs["items"]] == ["PO-ACME-1"]


async def test_another_suppliers_po_is_not_found_on_every_route(api: Any) -> None:
    _, client = api
    got = await client.get(URL, headers=as_("acme"))
    assert got.status_code == 404 and PO_NUMBER not in json.dumps(got.json()["detail"][:0])
    assert "Cascade" not in got.text and "lines" not in got.text
    acked = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("acme"))
    assert acked.status_code == 404
    flow = (await client.get(FLOW, headers=as_("operator"))).json()
    assert "ack" not in flow["data"]  # nothing was recorded for the other supplier


async def test_filters_and_cursor_pagination(api: Any) -> None:
    _, client = api
    ops = as_("operator")
    first = (await client.get("/v1/purchase-orders", params={"limit": 1}, headers=ops)).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = (await client.get("/v1/purchase-orders",
                               params={"limit": 1, "cursor": first["next_cursor"]},
                               headers=ops)).json()  # fmt: skip
    assert second["items"][0]["po_number"] != first["items"][0]["po_number"]
    third = (await client.get("/v1/purchase-orders",
                              params={"limit": 1, "cursor": second["next_cursor"]},
                              headers=ops)).json()  # fmt: skip
    assert third == {"items": [], "next_cursor": None}  # a full page may end the list
    by_ship_to = await client.get("/v1/purchase-orders", params={"ship-to": "DC-ATL"}, headers=ops)
    assert len(by_ship_to.json()["items"]) == 2
    by_item = await client.get("/v1/purchase-orders", params={"item": "nope"}, headers=ops)
    assert by_item.json()["items"] == []
    late = await client.get("/v1/purchase-orders", params={"since": "2100-01-01T00:00:00Z"},
                            headers=ops)  # fmt: skip
    assert late.json()["items"] == []
    bad = await client.get("/v1/purchase-orders", params={"cursor": "!!"}, headers=ops)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_etag_and_conditional_get(api: Any) -> None:
    _, client = api

    async def settled() -> bool:  # the flow may still move the PO on (its status is shown)
        tags = [(await client.get(URL, headers=as_("cascade"))).headers["etag"] for _ in (1, 2)]
        await asyncio.sleep(0.2)
        return tags[0] == tags[1] == (await client.get(URL, headers=as_("cascade"))).headers["etag"]

    assert await eventually(settled)
    first = await client.get(URL, headers=as_("cascade"))
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.json()["document"]["po_number"] == PO_NUMBER
    same = await client.get(URL, headers=as_("cascade", **{"If-None-Match": etag}))
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    weak = await client.get(URL, headers=as_("cascade", **{"If-None-Match": f'"x", W/{etag}'}))
    assert weak.status_code == 304
    stale = await client.get(URL, headers=as_("cascade", **{"If-None-Match": '"other"'}))
    assert stale.status_code == 200


async def test_an_acknowledgment_advances_procure_to_pay_as_the_supplier(api: Any) -> None:
    _, client = api
    before = (await client.get(URL, headers=as_("cascade"))).headers["etag"]
    acked = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("cascade"))
    assert acked.status_code == 202, acked.text
    body = acked.json()
    assert body["acknowledgment_status"] == "accepted_with_changes"

    async def acknowledged() -> dict[str, Any] | None:
        flow = (await client.get(FLOW, headers=as_("operator"))).json()
        return flow if flow["state"] == "acknowledged" else None

    flow = await eventually(acknowledged)
    assert flow, "the flow never took the acknowledgment"
    assert flow["data"]["ack"]["2"] == {"status": "changed", "promised": "60", "date": "2026-12-20"}
    assert flow["data"]["ack"]["3"]["status"] == "backordered"
    assert flow["data"]["schedule"]["2"]["expected"] == "60"
    message = (
        await client.get(f"/v1/messages/{body['message_id']}", headers=as_("operator"))
    ).json()
    assert message["source"] == "cascade" and message["channel"] == "api"
    assert message["document_type"] == "purchase_order_acknowledgment"
    after = await client.get(URL, headers=as_("cascade", **{"If-None-Match": before}))
    assert after.status_code == 200  # the representation changed: a new ETag
    assert after.json()["acknowledgment"]["2"]["status"] == "changed"


async def test_an_acknowledgment_that_contradicts_the_po_is_422_with_paths(api: Any) -> None:
    _, client = api
    wrong = answer(unit="EA")
    wrong["lines"][0] = {"line_number": 9, "action": "accept"}
    wrong["lines"][2] = {"line_number": 3, "action": "backorder"}
    refused = await client.post(f"{URL}/acknowledgment", json=wrong, headers=as_("cascade"))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    paths = {e["path"] for e in refused.json()["errors"]}
    assert paths == {"lines.0.line_number", "lines.1.unit", "lines.2.promised_date", "lines"}
    shape = await client.post(f"{URL}/acknowledgment", json={"lines": [{"line_number": 1,
                              "action": "maybe"}]}, headers=as_("cascade"))  # fmt: skip
    assert shape.status_code == 422 and shape.json()["errors"][0]["path"].startswith("body.lines")


async def test_scopes_and_credentials(api: Any) -> None:
    _, client = api
    assert (await client.get("/v1/purchase-orders")).status_code == 401
    forbidden = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("reader"))
    assert forbidden.status_code == 403
    assert forbidden.json()["required_scope"] == "purchase-orders:acknowledge"


async def test_a_retried_acknowledgment_is_a_duplicate_another_under_its_key_409(api: Any) -> None:
    _, client = api
    key = {"Idempotency-Key": "ack-1"}
    first = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("cascade", **key))
    again = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("cascade", **key))
    assert first.status_code == again.status_code == 202
    assert again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["duplicate"] is True and again.headers["idempotent-replayed"] == "true"
    other = await client.post(f"{URL}/acknowledgment", json=answer(quantity="50"),
                              headers=as_("cascade", **key))  # fmt: skip
    assert other.status_code == 409
    message = (
        await client.get(
            f"/v1/messages/{first.json()['message_id']}?raw=true", headers=as_("operator")
        )
    ).json()
    assert json.loads(message["raw"])["lines"][1]["quantity"] == "60"  # what the supplier sent


async def test_an_operator_answers_for_the_supplier(api: Any) -> None:
    _, client = api
    acked = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("operator"))
    assert acked.status_code == 202, acked.text
    message = (
        await client.get(f"/v1/messages/{acked.json()['message_id']}", headers=as_("operator"))
    ).json()
    assert message["source"] == "cascade"  # the PO's supplier, found by its X12 id


async def test_a_closed_po_cannot_be_acknowledged(api: Any) -> None:
    _, client = api
    cancel = json.loads(PO_RAW)
    cancel["purpose"] = "cancel"
    await post(client, "purchase_order", json.dumps(cancel).encode(), "po-cancel")
    assert await eventually(lambda: open_count(client, 1))
    got = await client.get(URL, headers=as_("cascade"))
    assert got.json()["status"] == "cancelled" and got.json()["completed"] is True
    refused = await client.post(f"{URL}/acknowledgment", json=answer(), headers=as_("cascade"))
    assert refused.status_code == 409

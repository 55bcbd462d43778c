"""A supplier's purchase orders over real HTTP on loopback, against a hub process: partner API
keys issued into its store, each supplier sees and acknowledges only its own PO, and the
acknowledgment advances the procure-to-pay flow in the running hub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.store import open_store
from crossdock.hub.credentials import Client
from tests.auth_helpers import bearer
from tests.conftest import EXAMPLES
from tests.integration.hubproc import HubProcess, wait_for

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())
URL = f"/v1/purchase-orders/{PO['po_number']}"
SCOPES = ["purchase-orders:read", "purchase-orders:acknowledge"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    config: dict[str, Any] = {
        "hub": {"prepare_workers": 0},
        "partners": {"cascade": {"x12": {"id": "CASCADEPAPER"}}, "acme": {"x12": {"id": "ACME"}}},
        "flows": {"procure_to_pay": {"enabled": True}},
    }
    process = HubProcess(tmp_path_factory.mktemp("suppliers"), config)
    try:
        yield process.start(timeout=90)
    finally:
        process.stop()


def keys(hub: HubProcess) -> dict[str, dict[str, str]]:
    """Partner keys issued into the running hub's store (another process, like the CLI)."""
    store = open_store(sqlite_url(hub.data_dir), checkpoints=False)
    try:
        service = key_service(store.engine)
        return {
            name: bearer(service.issue(Client("partner", name, "supplier"), SCOPES).token)
            for name in ("cascade", "acme")
        }
    finally:
        store.close()


def test_suppliers_see_and_acknowledge_only_their_own_po(hub: HubProcess) -> None:
    with hub.client(timeout=30) as ops, httpx.Client(base_url=hub.url, timeout=30) as http:
        assert ops.post("/v1/messages/purchase_order", json=PO).status_code == 202
        wait_for(lambda: ops.get("/v1/purchase-orders").json()["items"], timeout=30)
        as_ = keys(hub)
        assert http.get("/v1/purchase-orders", headers=as_["acme"]).json()["items"] == []
        mine = http.get("/v1/purchase-orders", headers=as_["cascade"]).json()["items"]
        assert [p["po_number"] for p in mine] == [PO["po_number"]]
        assert http.get(URL, headers=as_["acme"]).status_code == 404
        answer = {"lines": [{"line_number": 1, "action": "accept"},
                            {"line_number": 2, "action": "reject", "reason": "discontinued"},
                            {"line_number": 3, "action": "backorder",
                             "promised_date": "2027-01-15"}]}  # fmt: skip
        refused = http.post(f"{URL}/acknowledgment", json=answer, headers=as_["acme"])
        assert refused.status_code == 404 and "Cascade" not in refused.text
        acked = http.post(f"{URL}/acknowledgment", json=answer, headers=as_["cascade"])
        assert acked.status_code == 202, acked.text

        def acknowledged() -> dict[str, Any] | None:
            flow = ops.get(f"/v1/flows/procure_to_pay/{PO['po_number']}").json()
            return flow if flow["state"] == "acknowledged" else None

        flow = wait_for(acknowledged, timeout=30)
        assert flow, "the running hub's flow never took the acknowledgment"
        assert flow["data"]["ack"]["2"]["status"] == "rejected"
        assert flow["data"]["schedule"]["2"]["expected"] == "0"
        seen = http.get(URL, headers=as_["cascade"]).json()
        assert seen["status"] == "acknowledged" and seen["acknowledgment"]["3"]["status"] == (
            "backordered"
        )

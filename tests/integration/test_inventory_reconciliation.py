"""The ERP / WMS reconciliation end to end over loopback HTTP: the sandbox landscape, a real hub
process (`crossdock up`) pulling both systems' positions, a WMS movement the ERP never gets
(no route), the drift with both quantities and since when, one exception, the sync lag's
undelivered movement, then the ERP fixed and the drift and exception cleared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from crossdock.sandbox.landscape import Landscape, start_landscape
from tests.integration.hubproc import HubProcess, wait_for
from tests.integration.sandbox_helpers import FAST

pytestmark = pytest.mark.slow


def hub_config(urls: dict[str, str]) -> dict[str, Any]:
    return {
        "systems": {"erp": {"format": "sandbox_erp"}, "wms": {"format": "sandbox_wms"}},
        # deliberately no adjustments-to-erp route: WMS movements never reach the ERP
        "inventory_reconciliation": {
            "enabled": True,
            "every_seconds": 3600,  # one scheduled run at start-up; the rest on demand
            "grace_seconds": 0,
            "confirm_runs": 2,
            "in_flight_seconds": 0,
            "sites": ["DC-ATL"],
            "erp": {"url": f"{urls['erp']}/api/inventory", "map": "sandbox_erp.inventory_positions",
                    "timeout": 5},
            "wms": {"url": f"{urls['wms']}/wms/v1/inventory",
                    "map": "sandbox_wms.inventory_positions", "timeout": 5},
        },
    }  # fmt: skip


@pytest.fixture
def wired(tmp_path: Path) -> Iterator[tuple[Landscape, HubProcess]]:
    hub = HubProcess(tmp_path, {})
    with start_landscape(
        hub.url,
        state_dir=tmp_path / "sandbox",
        opening_stock={"DC-ATL": {"HP-1": 5, "HP-2": 4}, "DC-BOS": {"HP-1": 1}},
        retry=FAST,
        hub_keys=hub.admin_key,
    ) as land:
        targets = {"movement": "/v1/inbound/wms", "inventory": "/v1/inbound/wms"}
        httpx.post(f"{land.urls['wms']}/_config", json={"targets": targets}).raise_for_status()
        hub.config_path.write_text(yaml.safe_dump(hub_config(land.urls)))
        hub.start()
        try:
            yield land, hub
        finally:
            hub.stop()


def test_drift_appears_with_both_quantities_and_clears_when_fixed(
    wired: tuple[Landscape, HubProcess],
) -> None:
    land, hub = wired
    client = httpx.Client(base_url=hub.url, timeout=20, headers=hub.headers)
    # the start-up run found both systems in agreement
    sync = wait_for(lambda: client.get("/v1/inventory/sync").json()["last_run"])
    assert sync["status"] == "ok" and sync["items_compared"] == 2 and sync["drifting"] == 0

    adjust = {"site": "DC-ATL", "sku": "HP-1", "qty_delta": 3, "reason_code": "FOUND"}
    httpx.post(f"{land.urls['wms']}/wms/v1/inventory/adjustments", json=adjust).raise_for_status()
    wait_for(lambda: client.get("/v1/inventory/sync").json()["sync_lag"]["undelivered"] == 1)

    first = client.post("/v1/inventory/reconcile")
    assert first.status_code == 200, first.text
    assert (first.json()["drifting"], first.json()["exceptions_raised"]) == (1, 0)
    (row,) = client.get("/v1/inventory/drift").json()["items"]
    assert (row["site"], row["item"], row["erp_on_hand"], row["wms_on_hand"]) == (
        "DC-ATL", "HP-1", "5", "8")  # fmt: skip
    assert row["difference"] == "3" and row["resolved_at"] is None
    since = row["since"]
    for message_id in row["evidence"]:
        message = client.get(f"/v1/messages/{message_id}").json()
        assert message["document_type"] == "inventory_position"
        assert message["source"] in ("erp", "wms")

    second = client.post("/v1/inventory/reconcile").json()
    assert (second["drifting"], second["new_drift"], second["exceptions_raised"]) == (1, 0, 1)
    (row,) = client.get("/v1/inventory/drift", params={"site": "DC-ATL", "item": "HP-1"}).json()[
        "items"
    ]
    assert row["since"] == since and row["runs"] == 2 and row["exception_id"]
    assert client.get("/v1/inventory/drift", params={"item": "HP-2"}).json()["items"] == []
    exception = client.get(f"/v1/exceptions/{row['exception_id']}").json()
    assert exception["category"] == "inventory_drift" and exception["status"] == "open"
    assert exception["owner_role"] == "inventory_control"
    assert exception["correlation_key"] == "DC-ATL/HP-1"
    assert sorted(exception["evidence"]) == sorted(row["evidence"])

    sync = client.get("/v1/inventory/sync").json()
    lag = sync["sync_lag"]
    assert lag["undelivered"] == 1 and lag["oldest_undelivered_age_seconds"] >= 0
    assert lag["lag_seconds"]["n"] == 0
    assert sync["drifting_now"] == 1 and sync["last_run"]["drifting"] == 1

    bad = client.get("/v1/inventory/drift", params={"limit": 0})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["path"].endswith("limit")

    # the ERP books the adjustment it missed
    fix = {"movementId": "MANUAL-1", "site": "DC-ATL", "itemNo": "HP-1", "qtyDelta": 3}
    httpx.post(f"{land.urls['erp']}/api/inventory/adjustments", json=fix).raise_for_status()
    cleared = client.post("/v1/inventory/reconcile").json()
    assert (cleared["drifting"], cleared["resolved"]) == (0, 1)
    assert client.get("/v1/inventory/drift").json()["items"] == []
    exception = client.get(f"/v1/exceptions/{row['exception_id']}").json()
    assert exception["status"] == "resolved"

    done = hub.cli("inventory", "drift", "--history", "--json")
    assert done.returncode == 0, done.stderr
    (history,) = json.loads(done.stdout)
    assert history["since"] == since and history["resolved_at"] is not None
    assert (history["erp_on_hand"], history["wms_on_hand"]) == ("8", "8")
    status = hub.cli("inventory", "sync")
    assert status.returncode == 0 and "undelivered movements: 1" in status.stdout, status.stdout

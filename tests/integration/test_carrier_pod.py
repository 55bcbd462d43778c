"""Proof of delivery pulled from the sandbox carriers' POD APIs by a real hub process: a
delivered shipment gets one proof_of_delivery, the order-to-delivery flow completes and the ERP
gets one customer invoice per order — also when the carriers' POD endpoints are down for a while
and the hub is killed meanwhile (the pending fetches live in the store)."""

from __future__ import annotations

import random
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crossdock.entrypoints.cli_demo import hub_config
from crossdock.sandbox.landscape import Landscape, start_landscape
from crossdock.sandbox.scenario import landscape_settings, run_scenario
from crossdock.sandbox.serving import ServerThread
from tests.integration.hubproc import HubProcess, wait_for
from tests.integration.sandbox_helpers import FAST

pytestmark = pytest.mark.slow

ORDERS = 4
POD_RETRY = {"max_attempts": 60, "initial_backoff_seconds": 0.2, "max_backoff_seconds": 1.0}


class FlakyPods:
    """A proxy in front of the carriers' POD APIs that answers 503 until `heal()`."""

    def __init__(self, upstream: dict[str, str]) -> None:
        self.upstream = upstream
        self.down = True
        self.failed: Counter[str] = Counter()
        self.served: Counter[str] = Counter()

    def heal(self) -> None:
        self.down = False

    def app(self) -> Starlette:
        async def forward(request: Request) -> Response:
            carrier, path = request.path_params["carrier"], request.path_params["path"]
            if self.down:
                self.failed[carrier] += 1
                return Response(b'{"error":"maintenance"}', 503)
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"{self.upstream[carrier]}/{path}")
            self.served[carrier] += 1
            return Response(answer.content, answer.status_code, media_type="application/json")

        return Starlette(routes=[Route("/{carrier}/{path:path}", forward, methods=["GET"])])


def fixed_port() -> int:
    """A free port below the ephemeral range: while the hub is down, the carriers' retrying
    webhook senders must not land on its port as their own source port (a TCP self-connect
    would keep the restarted hub from binding)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20_000, 32_000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


@contextmanager
def running(
    workdir: Path, pod_base: dict[str, str] | None = None
) -> Iterator[tuple[HubProcess, Landscape]]:
    """A hub with the sandbox config (POD URLs at the landscape, or at `pod_base` per carrier)
    and the landscape, wired to each other."""
    hub = HubProcess(workdir, {})
    hub.port = fixed_port()
    hub.url = f"http://127.0.0.1:{hub.port}"
    landscape = start_landscape(
        hub.url, settings=landscape_settings(), retry=FAST, hub_keys=hub.admin_key
    )
    try:
        config = hub_config(hub.port, hub.data_dir, landscape.urls)
        for name, carrier in config["carriers"].items():
            pod = carrier["pod"]
            assert pod["url"].startswith(landscape.urls[name]), pod["url"]  # rewritten by the demo
            if pod_base is not None:
                pod["url"] = pod["url"].replace(landscape.urls[name], pod_base[name])
            pod["retry"] = POD_RETRY
        hub.config_path.write_text(yaml.safe_dump(config))
        hub.start()
        yield hub, landscape
    finally:
        hub.stop()
        landscape.stop()


def items(hub: HubProcess, path: str, **params: Any) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{hub.url}{path}", params={**params, "limit": 1000}, timeout=10, headers=hub.headers
    )
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def erp_invoices(landscape: Landscape) -> dict[str, Any]:
    state = httpx.get(f"{landscape.urls['erp']}/_state", timeout=10).json()["state"]
    invoices: dict[str, Any] = state["customerInvoices"]
    return invoices


def delivered_shipments(landscape: Landscape) -> int:
    state = httpx.get(f"{landscape.urls['tms']}/_state", timeout=10).json()["state"]
    return sum(s["status"] == "DELIVERED" for s in state["shipments"].values())


def check_one_pod_and_one_invoice_per_order(hub: HubProcess, landscape: Landscape) -> None:
    invoices = wait_for(
        lambda: len(erp_invoices(landscape)) >= ORDERS and erp_invoices(landscape), 60
    )
    assert len(invoices) == ORDERS
    assert len({i["orderNo"] for i in invoices.values()}) == ORDERS
    pods = items(hub, "/v1/messages", document_type="proof_of_delivery")
    assert pods and all(p["status"] != "rejected" for p in pods)
    per_shipment = Counter(p["correlation_key"] for p in pods)
    assert set(per_shipment.values()) == {1}, per_shipment  # exactly one POD per shipment
    assert len(per_shipment) == delivered_shipments(landscape)
    assert {p["source"] for p in pods} <= {"parcelwave", "ridgeline"}
    assert {p["channel"] for p in pods} == {"carrier_api"}
    flows = items(hub, "/v1/flows", flow="order_to_delivery")
    assert len(flows) == ORDERS and all(f["completed"] for f in flows)
    billing = items(hub, "/v1/messages", document_type="billing_trigger")
    assert len(billing) == ORDERS
    # The KPI's data: the carrier's delivery time on the POD, the hub's recording time on the
    # message, and the delivered milestone as its cause.
    view = httpx.get(
        f"{hub.url}/v1/messages/{pods[0]['id']}", timeout=10, headers=hub.headers
    ).json()
    assert view["canonical"]["delivered_at"] and view["received_at"] and view["causation_id"]


def test_delivered_shipments_get_their_pod_and_the_customer_is_billed(tmp_path: Path) -> None:
    with running(tmp_path) as (hub, landscape):
        report = run_scenario(hub.url, landscape, hub_key=hub.admin_key, purchase_orders=0, suppliers=1, orders=ORDERS,
                              timeout=60)  # fmt: skip
        assert report.settled, report.notes
        check_one_pod_and_one_invoice_per_order(hub, landscape)
        assert not [e for e in items(hub, "/v1/exceptions") if e["category"] != "short_shipment"]


def test_pod_apis_down_for_a_while_and_a_hub_crash_still_end_in_one_pod_and_one_invoice(
    tmp_path: Path,
) -> None:
    flaky = FlakyPods({})
    proxy = ServerThread(flaky.app(), lifespan="off")
    try:
        base = {name: f"{proxy.url}/{name}" for name in ("parcelwave", "ridgeline")}
        with running(tmp_path, base) as (hub, landscape):
            flaky.upstream = dict(landscape.urls)
            # no POD while the APIs are down, so nothing is billed yet: settle without it
            report = run_scenario(hub.url, landscape, hub_key=hub.admin_key, purchase_orders=0, suppliers=1,
                                  orders=ORDERS, timeout=60, expect_billing=False)  # fmt: skip
            assert report.settled, report.notes
            wait_for(lambda: sum(flaky.failed.values()) >= 2 * ORDERS, 30)  # retried meanwhile
            assert not items(hub, "/v1/messages", document_type="proof_of_delivery")
            hub.kill9()  # the pending fetches survive in the store
            hub.start()
            time.sleep(1.0)
            flaky.heal()
            check_one_pod_and_one_invoice_per_order(hub, landscape)
            assert sum(flaky.served.values()) == delivered_shipments(landscape)
            categories = {e["category"] for e in items(hub, "/v1/exceptions")}
            assert "endpoint_unavailable" not in categories
    finally:
        proxy.stop()

"""Issue 10 in a running hub (in process, over its HTTP API): bootstrap wires the dispatcher's
delivered notices to procure-to-pay, so the acknowledgment clock starts when the supplier's
endpoint took the PO — and a PO the hub cannot deliver is never the supplier's lateness."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from crossdock.bootstrap import build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES

PO_RAW = (EXAMPLES / "purchase_order.json").read_bytes()
PO_NUMBER = json.loads(PO_RAW)["po_number"]
ACK_DUE_HOURS = 0.0002  # 0.72 s


def settings(tmp_path: Path, supplier: dict[str, Any]) -> Settings:
    return Settings(
        hub={"data_dir": tmp_path / "data"},
        endpoints={"supplier": supplier},
        routes=[{"name": "po-to-supplier", "when": {"document_type": "purchase_order"},
                 "deliver": {"endpoint": "supplier"}}],
        flows={"procure_to_pay": {"enabled": True, "ack_due_hours": ACK_DUE_HOURS}},
    )  # fmt: skip


async def run_po(config: Settings, wait: float) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Post the PO, wait `wait` seconds, return (late acknowledgments, the flow instance)."""
    hub = build_hub(config)
    await hub.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(hub)
        ) as client:
            headers = {"Idempotency-Key": "po-1", "X-Crossdock-Source": "erp",
                       "Content-Type": "application/json"}  # fmt: skip
            posted = await client.post(
                "/v1/messages/purchase_order", content=PO_RAW, headers=headers
            )
            assert posted.status_code == 202, posted.text
            await asyncio.sleep(wait)
            page = await client.get("/v1/exceptions", params={"category": "late_acknowledgment"})
            flow = (await client.get(f"/v1/flows/procure_to_pay/{PO_NUMBER}")).json()
            return page.json()["items"], flow
    finally:
        await hub.stop()


async def test_the_clock_starts_when_the_supplier_endpoint_took_the_po(tmp_path: Path) -> None:
    config = settings(tmp_path, {"type": "folder", "path": str(tmp_path / "out")})
    late, flow = await run_po(config, 4.0)
    [raised] = late
    clock = flow["data"]["ack_clock"]
    assert (clock["route"], clock["endpoint"]) == ("po-to-supplier", "supplier")
    assert "delivered to the supplier at" in raised["detail"]
    [ack_due] = [t for t in flow["timers"] if t["name"] == "ack_due"]
    delivered_at = datetime.fromisoformat(clock["delivered_at"])
    due = datetime.fromisoformat(ack_due["due_at"])
    assert abs((due - delivered_at).total_seconds() - ACK_DUE_HOURS * 3600) < 0.01


async def test_a_po_the_hub_cannot_deliver_is_not_late_for_the_supplier(tmp_path: Path) -> None:
    unreachable = {"type": "http", "url": "http://127.0.0.1:9/po",
                   "retry": {"max_attempts": 50, "initial_backoff_seconds": 0.05}}  # fmt: skip
    late, flow = await run_po(settings(tmp_path, unreachable), 3.0)
    assert late == []
    assert "ack_clock" not in flow["data"]
    assert not [t for t in flow["timers"] if t["name"] == "ack_due"]

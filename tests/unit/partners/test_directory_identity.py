"""Partner identity from ONE place, the partner directory: a partner registered through the
admin API (no restart) owns its X12 sender ids, its purchase orders (by GLN, D-U-N-S) and
its webhook events; one that is registered but not live is refused (403 problem+json,
recorded) on JSON intake, X12 over HTTP, its drop folder and PO acknowledgment, and taken
again once live. Real HTTP in process, a real SQLite store, real API keys."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.adapters.channels.folder_drop import FolderDrop
from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.hub.credentials import Client
from crossdock.hub.edi.folder_intake import FolderIntake
from crossdock.hub.identity import (
    EDI_WRITE,
    MESSAGES_WRITE,
    PURCHASE_ORDERS_ACKNOWLEDGE,
    PURCHASE_ORDERS_READ,
    WEBHOOKS_MANAGE,
)
from tests.auth_helpers import key_headers, operator_headers
from tests.conftest import EXAMPLES, ROOT
from tests.integration.webhook_rig import Receiver, start_receiver
from tests.unit.products.harness import eventually
from tests.unit.test_webhook_subscriptions_api import until

PROBLEM = "application/problem+json"
EDI = {"Content-Type": "application/edi-x12"}
ACK_JSON = (EXAMPLES / "purchase_order_acknowledgment.json").read_bytes()
PO = json.loads((EXAMPLES / "purchase_order.json").read_bytes())
GLN, DUNS = "0860001000023", "071539299"
SCOPES = [MESSAGES_WRITE, EDI_WRITE, PURCHASE_ORDERS_READ, PURCHASE_ORDERS_ACKNOWLEDGE]


def interchange(sender: str, control: int = 1) -> bytes:
    """The 855 fixture sent by `sender` (ISA06 and GS02), under control number `control`."""
    raw = (ROOT / "tests" / "fixtures" / "x12" / "855.edi").read_bytes()
    raw = raw.replace(b"*CROSSDOCKTEST  *", b"*" + sender.ljust(15).encode() + b"*", 1)
    raw = raw.replace(b"GS*PR*CROSSDOCKTEST*", b"GS*PR*" + sender.encode() + b"*", 1)
    return raw.replace(b"000000001", f"{control:09d}".encode())


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        partners={"acme": {"x12": {"id": "ACMEX12"}}},
        flows={"procure_to_pay": {"enabled": True}},
        webhooks={"enabled": True},
    )
    services: HubServices = build_hub(settings)
    await services.start()
    try:
        yield services
    finally:
        await services.stop()


@pytest.fixture
async def client(hub: HubServices) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_asgi(hub))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
        yield c


@pytest.fixture
def keys(hub: HubServices) -> dict[str, dict[str, str]]:
    supplier = "supplier"
    return {
        "ops": operator_headers(hub, "ops"),
        "northwind": key_headers(hub, Client("partner", "northwind", supplier), SCOPES),
        "acme": key_headers(hub, Client("partner", "acme", supplier), SCOPES),
    }


NORTHWIND = {
    "name": "northwind",
    "kind": "supplier",
    "identifiers": {"gln": GLN, "duns": DUNS, "codes": {"erp": "V-NW-7"}},
    "x12": {"qualifier": "ZZ", "id": "NORTHWINDX"},
    "checklist": [],
}
BASE = "/v1/admin/partners/northwind"


async def state(client: httpx.AsyncClient, ops: dict[str, str], target: str) -> None:
    moved = await client.post(BASE + "/state", json={"state": target, "reason": "t"}, headers=ops)
    assert moved.status_code == 200 and moved.json()["state"] == target, moved.text


async def register_live(client: httpx.AsyncClient, ops: dict[str, str]) -> None:
    created = await client.post("/v1/admin/partners", json=NORTHWIND, headers=ops)
    assert created.status_code == 201, created.text
    await state(client, ops, "testing")
    await state(client, ops, "live")


def refused(answer: httpx.Response, hub: HubServices, partner: str, state: str) -> str:
    """The answer is a 403 problem naming the partner's state; the refusal is in the message
    log, rejected, under that partner; returns its message id."""
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert f"partner {partner!r}" in problem["detail"] and state in problem["detail"]
    with hub.store.uow.reader() as uow:
        stored = uow.messages.get(problem["message_id"])
    assert stored is not None and stored.summary.status == "rejected"
    assert stored.summary.partner == partner and stored.errors[0]["type"] == "refused"
    return str(problem["message_id"])


async def test_a_registered_partners_x12_id_is_its_own_and_no_one_elses(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    await register_live(client, keys["ops"])
    own = await client.post("/v1/edi", content=interchange("NORTHWINDX"),
                            headers=keys["northwind"] | EDI)  # fmt: skip
    assert own.status_code == 202, own.text
    spoofed = await client.post("/v1/edi", content=interchange("NORTHWINDX", 2),
                                headers=keys["acme"] | EDI)  # fmt: skip
    assert spoofed.status_code == 403, spoofed.text
    assert "not a sender id of partner 'acme'" in spoofed.json()["detail"]
    other = await client.post("/v1/edi", content=interchange("ACMEX12", 3),
                              headers=keys["northwind"] | EDI)  # fmt: skip
    assert other.status_code == 403, other.text
    assert "not a sender id of partner 'northwind'" in other.json()["detail"]


async def post_po(
    client: httpx.AsyncClient, ops: dict[str, str], number: str, supplier: Any
) -> None:
    po = {**PO, "po_number": number, "supplier": supplier}
    posted = await client.post("/v1/messages/purchase_order", json=po,
                               headers=ops | {"X-Crossdock-Source": "erp"})  # fmt: skip
    assert posted.status_code == 202, posted.text


async def test_a_registered_suppliers_pos_are_its_own_by_gln_and_duns(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    await register_live(client, keys["ops"])
    await post_po(client, keys["ops"], "PO-NW-GLN", {"role": "supplier", "name": "NW", "gln": GLN})
    await post_po(client, keys["ops"], "PO-NW-DUNS", {"role": "supplier", "duns": DUNS})
    await post_po(client, keys["ops"], "PO-ACME", {"role": "supplier", "name": "acme"})

    async def listed(who: str) -> list[str]:
        page = await client.get("/v1/purchase-orders", headers=keys[who])
        return sorted(p["po_number"] for p in page.json()["items"])

    assert await eventually(lambda: _has(listed("northwind"), 2))
    assert await listed("northwind") == ["PO-NW-DUNS", "PO-NW-GLN"]
    assert await listed("acme") == ["PO-ACME"]
    one = await client.get("/v1/purchase-orders/PO-NW-GLN", headers=keys["northwind"])
    assert one.status_code == 200 and one.json()["document"]["supplier"]["gln"] == GLN
    theirs = await client.get("/v1/purchase-orders/PO-NW-GLN", headers=keys["acme"])
    assert theirs.status_code == 404


async def _has(found: Any, n: int) -> bool:
    return len(await found) == n


async def test_a_registered_partner_owns_its_webhook_events_by_its_identifiers(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], hub: HubServices
) -> None:
    assert hub.webhooks_out is not None
    await register_live(client, keys["ops"])
    aliases = hub.webhooks_out.aliases()
    assert aliases.partner_for({"gln": GLN}) == "northwind"
    assert aliases.partner_for({"codes": [{"scheme": "erp", "value": "v-nw-7"}]}) == "northwind"
    assert aliases.partner_for({"x12": {"identifier": "ACMEX12"}}) == "acme"


async def test_a_partner_not_live_is_refused_on_json_and_x12_until_live_again(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], hub: HubServices
) -> None:
    ops, mine = keys["ops"], keys["northwind"]
    json_ = {"Content-Type": "application/json", "Idempotency-Key": "ack-1"}
    await client.post("/v1/admin/partners", json=NORTHWIND, headers=ops)
    draft = await client.post("/v1/messages/purchase_order_acknowledgment", content=ACK_JSON,
                              headers=mine | json_)  # fmt: skip
    refused(draft, hub, "northwind", "draft")
    await state(client, ops, "testing")
    testing = await client.post("/v1/edi", content=interchange("NORTHWINDX"), headers=mine | EDI)
    refused(testing, hub, "northwind", "testing")
    sample = await client.post("/v1/certification/edi", content=interchange("NORTHWINDX"),
                               headers=mine | EDI)  # fmt: skip
    assert sample.status_code == 200 and sample.json()["passed"] is True, sample.text
    await state(client, ops, "live")
    await state(client, ops, "suspended")
    suspended = await client.post("/v1/messages/purchase_order_acknowledgment",
                                  content=ACK_JSON, headers=mine | json_)  # fmt: skip
    refused(suspended, hub, "northwind", "suspended")
    batch = await client.post("/v1/messages/purchase_order_acknowledgment/batch",
                              content=ACK_JSON.replace(b"\n", b"") + b"\n",
                              headers=mine | {"Content-Type": "application/x-ndjson"})  # fmt: skip
    refused(batch, hub, "northwind", "suspended")
    x12 = await client.post("/v1/edi", content=interchange("NORTHWINDX", 2), headers=mine | EDI)
    refused(x12, hub, "northwind", "suspended")
    # operators are never refused by this: they may post for a suspended partner
    by_ops = await client.post("/v1/edi", content=interchange("NORTHWINDX", 3), headers=ops | EDI)
    assert by_ops.status_code == 202, by_ops.text

    await state(client, ops, "live")
    again = await client.post("/v1/messages/purchase_order_acknowledgment", content=ACK_JSON,
                              headers=mine | json_)  # fmt: skip
    assert again.status_code == 202 and again.json()["duplicate"] is False, again.text
    x12_again = await client.post("/v1/edi", content=interchange("NORTHWINDX", 4),
                                  headers=mine | EDI)  # fmt: skip
    assert x12_again.status_code == 202, x12_again.text


async def test_a_suspended_supplier_cannot_acknowledge_until_live_again(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], hub: HubServices
) -> None:
    ops, mine = keys["ops"], keys["northwind"]
    await register_live(client, ops)
    # named by its partner name, so the PO was its own before the directory, too
    await post_po(client, ops, "PO-NW-1", {**PO["supplier"], "name": "northwind", "gln": GLN})
    url = "/v1/purchase-orders/PO-NW-1"

    async def visible() -> bool:
        return (await client.get(url, headers=mine)).status_code == 200

    assert await eventually(visible)
    lines = [{"line_number": line["line_number"], "action": "accept"} for line in PO["lines"]]
    answer = {"acknowledgment_number": "ACK-NW-1", "lines": lines}
    await state(client, ops, "suspended")
    no = await client.post(url + "/acknowledgment", json=answer, headers=mine)
    refused(no, hub, "northwind", "suspended")
    assert not (await client.get(url, headers=mine)).json()["acknowledgment"]
    await state(client, ops, "live")
    yes = await client.post(url + "/acknowledgment", json=answer, headers=mine)
    assert yes.status_code == 202, yes.text


async def test_a_suspended_partners_folder_files_go_to_its_error_folder(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], hub: HubServices, tmp_path: Path
) -> None:
    await register_live(client, keys["ops"])
    inbox, archive, error = (tmp_path / n for n in ("inbox", "archive", "error"))
    drop = FolderDrop("northwind", inbox, archive, error, settle_seconds=0)
    assert hub.partners is not None
    folders = FolderIntake([drop], hub.edi, checked=["northwind"],
                           directory=hub.partners.directory)  # fmt: skip
    await state(client, keys["ops"], "suspended")
    (inbox / "one.edi").write_bytes(interchange("NORTHWINDX"))
    assert await folders.poll_folders() == 1
    [report] = [p for p in error.iterdir() if p.name.endswith("one.edi.report.json")]
    kept = report.with_name(report.name.removesuffix(".report.json"))
    assert kept.read_bytes() == interchange("NORTHWINDX")  # nothing lost
    assert "'northwind' is suspended" in json.loads(report.read_text())["refused"]
    assert not archive.exists() or not any(archive.iterdir())

    await state(client, keys["ops"], "live")
    (inbox / "two.edi").write_bytes(interchange("NORTHWINDX", 2))
    assert await folders.poll_folders() == 1
    assert any(p.name.endswith("two.edi") for p in archive.iterdir())


async def test_a_registered_partners_subscription_gets_the_events_of_its_pos(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    server = await start_receiver(receiver)
    settings = Settings(
        hub={"data_dir": tmp_path / "data", "prepare_workers": 0},
        partners={"acme": {"x12": {"id": "ACMEX12"}}},
        webhooks={"enabled": True, "allow_private_urls": True},  # the receiver is on loopback
    )
    hub: HubServices = build_hub(settings)
    await hub.start()
    try:
        ops = operator_headers(hub)
        mine = key_headers(hub, Client("partner", "northwind", "supplier"), [WEBHOOKS_MANAGE])
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            await register_live(client, ops)
            body = {"url": receiver.url + "/nw", "event_types": ["purchase_order.created"]}
            created = await client.post("/v1/webhooks/subscriptions", json=body, headers=mine)
            assert created.status_code == 201, created.text
            receiver.secrets["/nw"] = [created.json()["secret"]]
            await post_po(client, ops, "PO-NW-HOOK", {"role": "supplier", "gln": GLN})
            await until(lambda: len(receiver.at("/nw")) == 1)
            [got] = receiver.at("/nw")
            assert got.verified_with and b"PO-NW-HOOK" in got.body
    finally:
        await hub.stop()
        await server.cleanup()

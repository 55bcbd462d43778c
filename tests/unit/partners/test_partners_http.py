"""The admin API (`/v1/admin/partners`) and certification (`/v1/certification/...`) over
HTTP, on a hub in process with a real SQLite store, called with real API keys: an operator
key (every scope), an operator key without ``admin``, and the partner's own key."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.adapters.sql.audit_log import SqlAuditLog
from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from crossdock.hub.credentials import Client
from crossdock.hub.identity import EDI_WRITE, MESSAGES_WRITE, OPERATIONS
from crossdock.hub.records import MessageFilter
from tests.auth_helpers import key_headers, operator_headers
from tests.conftest import EXAMPLES, ROOT

PROBLEM = "application/problem+json"
ACK = (EXAMPLES / "purchase_order_acknowledgment.json").read_bytes()
ASN = (EXAMPLES / "advance_ship_notice.json").read_bytes()
INVOICE = (EXAMPLES / "invoice.json").read_bytes()
X12_855 = (ROOT / "tests" / "fixtures" / "x12" / "855.edi").read_bytes()
JSON = {"Content-Type": "application/json"}
EDI = {"Content-Type": "application/edi-x12"}


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubServices]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        partners={"acme": {"x12": {"id": "ACMEX12"}}},
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
    """Authorization headers: ``admin`` (an operator, every scope), ``reader`` (an operator
    without ``admin``) and ``cascade`` (the partner's own key)."""
    return {
        "admin": operator_headers(hub, "ops"),
        "reader": operator_headers(hub, "viewer", [OPERATIONS]),
        "cascade": key_headers(hub, Client("partner", "cascade", "supplier"),
                               [MESSAGES_WRITE, EDI_WRITE]),
    }  # fmt: skip


As = Callable[..., dict[str, str]]


@pytest.fixture
def as_(keys: dict[str, dict[str, str]]) -> As:
    """``as_(who, **more)``: the headers of `who`'s key (see `keys`), plus `more`."""

    def headers(who: str, **more: str) -> dict[str, str]:
        return {**keys[who], **more}

    return headers


CASCADE = {
    "name": "cascade",
    "kind": "supplier",
    "display_name": "Cascade Paper Products",
    "identifiers": {"gln": "0860001000016"},
    "channels": ["edi", "http"],
    "x12": {"qualifier": "ZZ", "id": "CROSSDOCKTEST"},
    "contacts": [{"name": "Dana", "email": "edi@cascade.example", "role": "edi"}],
}


async def create(
    client: httpx.AsyncClient, as_: As, body: dict[str, Any] = CASCADE
) -> httpx.Response:
    return await client.post("/v1/admin/partners", json=body, headers=as_("admin"))


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, Any] = answer.json()
    return body


async def test_partners_are_created_listed_read_and_updated(
    client: httpx.AsyncClient, as_: As
) -> None:
    created = await create(client, as_)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/admin/partners/cascade"
    body = created.json()
    assert (body["state"], body["origin"]) == ("draft", "store")
    assert body["checklist_status"]["missing"] == [
        "purchase_order_acknowledgment", "advance_ship_notice", "invoice",
    ]  # fmt: skip

    listed = (await client.get("/v1/admin/partners", headers=as_("admin"))).json()["partners"]
    assert [(p["name"], p["origin"], p["state"]) for p in listed] == [
        ("acme", "file", "live"), ("cascade", "store", "draft"),
    ]  # fmt: skip
    assert (await client.get("/v1/admin/partners/acme", headers=as_("admin"))).json()[
        "origin"
    ] == "file"

    patched = await client.patch(
        "/v1/admin/partners/cascade", json={"sla": {"acknowledgment_hours": 24}},
        headers=as_("admin"),
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    again = (await client.get("/v1/admin/partners/cascade", headers=as_("admin"))).json()
    assert again["sla"]["acknowledgment_hours"] == 24 and again["channels"] == ["edi", "http"]
    gone = await client.delete("/v1/admin/partners/cascade", headers=as_("admin"))
    assert gone.status_code == 405  # suspend, never delete


async def test_conflicts_and_bad_input_are_problems(client: httpx.AsyncClient, as_: As) -> None:
    assert (await create(client, as_)).status_code == 201
    same = problem(await create(client, as_), 409)
    assert same["field"] == "name"
    file_name = problem(await create(client, as_, {**CASCADE, "name": "acme"}), 409)
    assert "crossdock.yaml" in file_name["detail"]
    file_sender = problem(
        await create(client, as_, {**CASCADE, "name": "copy", "x12": {"id": "acmex12"}}), 409
    )
    assert (file_sender["field"], file_sender["owner"]) == ("x12.id", "acme")
    store_sender = problem(await create(client, as_, {**CASCADE, "name": "copy2"}), 409)
    assert store_sender["owner"] == "cascade"
    bad = problem(
        await create(
            client, as_, {**CASCADE, "name": "x", "contacts": [{"name": "a", "email": "a"}]}
        ),
        422,
    )
    assert any(e["path"].endswith("email") for e in bad["errors"])
    problem(await client.get("/v1/admin/partners/nobody", headers=as_("admin")), 404)
    problem(await client.patch("/v1/admin/partners/acme", json={"display_name": "A"},
                               headers=as_("admin")), 409)  # fmt: skip


async def test_the_admin_api_needs_the_admin_scope(client: httpx.AsyncClient, as_: As) -> None:
    problem(await client.get("/v1/admin/partners"), 401)
    assert (
        problem(await client.get("/v1/admin/partners", headers=as_("reader")), 403)[
            "required_scope"
        ]
        == "admin"
    )
    problem(await client.post("/v1/admin/partners", json=CASCADE, headers=as_("cascade")), 403)


async def test_onboarding_certify_then_go_live(
    client: httpx.AsyncClient, as_: As, hub: HubServices
) -> None:
    base = "/v1/admin/partners/cascade"
    await create(client, as_)
    early = problem(await client.post("/v1/certification/invoice", content=INVOICE,
                                      headers=as_("cascade", **JSON)), 409)  # fmt: skip
    assert early["state"] == "draft"
    wrong = problem(await client.post(base + "/state", json={"state": "live"},
                                      headers=as_("admin")), 409)  # fmt: skip
    assert wrong["allowed"] == ["testing"]
    moved = await client.post(base + "/state", json={"state": "testing"}, headers=as_("admin"))
    assert moved.json()["state"] == "testing"

    broken = json.loads(ACK)
    del broken["po_number"]
    bad = await client.post("/v1/certification/purchase_order_acknowledgment",
                            json=broken, headers=as_("cascade"))  # fmt: skip
    assert bad.status_code == 200 and bad.json()["passed"] is False
    assert [e["path"] for e in bad.json()["documents"][0]["errors"]] == ["po_number"]
    blocked = problem(await client.post(base + "/go-live", json={}, headers=as_("admin")), 409)
    assert blocked["missing"] == [
        "purchase_order_acknowledgment", "advance_ship_notice", "invoice",
    ]  # fmt: skip

    x12 = await client.post("/v1/certification/edi", content=X12_855, headers=as_("cascade", **EDI))
    assert x12.json()["passed"] is True, x12.text
    assert x12.json()["documents"][0]["document_type"] == "purchase_order_acknowledgment"
    for path, raw in (("advance_ship_notice", ASN), ("invoice", INVOICE)):
        good = await client.post(f"/v1/certification/{path}", content=raw,
                                 headers=as_("cascade", **JSON))  # fmt: skip
        assert good.json()["passed"] is True, good.text

    live = await client.post(base + "/go-live", json={}, headers=as_("admin"))
    assert live.status_code == 200, live.text
    assert live.json()["state"] == "live" and live.json()["checklist_status"]["complete"]
    history = (await client.get(base + "/certifications", headers=as_("admin"))).json()
    assert [c["passed"] for c in history["certifications"]] == [True, True, True, False]
    # Nothing of the certification reached the message log, hence nothing was routed.
    with hub.store.uow.reader() as uow:
        assert uow.messages.find(MessageFilter()) == []
    kpis = (await client.get("/v1/kpis", headers=as_("admin"))).json()
    assert kpis["onboarding_duration"]["n"] == 1


async def test_certification_is_for_the_partners_own_credentials(
    client: httpx.AsyncClient,
    as_: As,
) -> None:
    problem(await client.post("/v1/certification/invoice", content=INVOICE,
                              headers=as_("admin", **JSON)), 403)  # fmt: skip
    problem(await client.post("/v1/certification/invoice", content=INVOICE,
                              headers=as_("cascade", **JSON)), 409)  # fmt: skip
    await create(client, as_)
    await client.post("/v1/admin/partners/cascade/state", json={"state": "testing"},
                      headers=as_("admin"))  # fmt: skip
    problem(await client.post("/v1/certification/no_such_type", content=INVOICE,
                              headers=as_("cascade", **JSON)), 404)  # fmt: skip
    problem(await client.post("/v1/certification/invoice", content=INVOICE,
                              headers=as_("cascade")), 415)  # fmt: skip
    huge = X12_855 + b" " * (4 * 1024 * 1024)  # a sample is read whole: 4 MiB at most
    problem(await client.post("/v1/certification/edi", content=huge,
                              headers=as_("cascade", **EDI)), 413)  # fmt: skip


async def test_a_suspended_partner_is_not_active(
    client: httpx.AsyncClient, as_: As, hub: HubServices
) -> None:
    await create(client, as_, {**CASCADE, "checklist": []})
    base = "/v1/admin/partners/cascade"
    assert hub.partners is not None
    directory = hub.partners.directory
    assert not directory.is_active("cascade")  # draft
    await client.post(base + "/state", json={"state": "testing"}, headers=as_("admin"))
    await client.post(base + "/go-live", json={}, headers=as_("admin"))
    assert directory.is_active("cascade")
    suspended = await client.post(base + "/state", json={"state": "suspended", "reason": "x"},
                                  headers=as_("admin"))  # fmt: skip
    assert suspended.json()["state"] == "suspended"
    assert not directory.is_active("cascade") and directory.is_active("acme")


async def test_a_partner_created_through_the_api_is_known_to_the_next_interchange(
    client: httpx.AsyncClient, as_: As, hub: HubServices
) -> None:
    before = await client.post("/v1/edi", content=X12_855, headers=as_("admin", **EDI))
    assert before.status_code == 202, before.text
    await create(client, as_, {**CASCADE, "checklist": []})

    after = await client.post("/v1/edi", content=X12_855.replace(b"000000001", b"000000002"),
                              headers=as_("admin", **EDI))  # fmt: skip
    assert after.status_code == 202, after.text
    with hub.store.uow.reader() as uow:
        sources = sorted(m.source for m in uow.messages.find(MessageFilter(
            document_type="purchase_order_acknowledgment")))  # fmt: skip
    assert sources == ["cascade", "x12:CROSSDOCKTEST"]


async def test_every_registry_change_is_audited_with_who_and_from_where(
    client: httpx.AsyncClient, as_: As, hub: HubServices
) -> None:
    base = "/v1/admin/partners/cascade"
    await create(client, as_)
    await client.post(base + "/state", json={"state": "testing"}, headers=as_("admin"))
    await client.post(base + "/go-live", json={"force": True}, headers=as_("admin"))
    await client.post(base + "/go-live", json={"force": True, "reason": "pilot"},
                      headers=as_("admin"))  # fmt: skip
    events = list(reversed(SqlAuditLog(hub.store.engine).query(action="partner.")))
    assert [(e.action, e.target, e.actor, e.outcome) for e in events] == [
        ("partner.create", "partner:cascade", "operator:ops", "ok"),
        ("partner.state", "partner:cascade", "operator:ops", "ok"),
        ("partner.go_live.forced", "partner:cascade", "operator:ops", "refused"),
        ("partner.go_live.forced", "partner:cascade", "operator:ops", "ok"),
    ]
    assert events[-1].source_ip == "127.0.0.1" and events[-1].detail["reason"] == "pilot"

"""`POST /v1/edi` with the sender check, over HTTP on a real hub: a partner posting another
partner's interchange gets 403 problem+json carrying the TA1, and the interchange is
recorded rejected with why and with who sent it; its own interchange goes through; an
operator may post for any partner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from tests.conftest import ROOT
from tests.unit.test_partner_isolation import keyed_client

FIXTURE = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_bytes()  # ISA06 CROSSDOCKTEST
EDI = {"Content-Type": "application/edi-x12"}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        partners={
            "acme": {"x12": {"qualifier": "ZZ", "id": "CROSSDOCKTEST"}},
            "globex": {"x12": {"qualifier": "ZZ", "id": "GLOBEXEDI"}},
        },
    )
    hub: HubServices = build_hub(settings)
    await hub.start()
    try:
        async with keyed_client(hub) as c:
            yield c
    finally:
        await hub.stop()


async def test_a_spoofed_sender_is_403_with_the_ta1_and_recorded(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(
        "/v1/edi", content=FIXTURE, headers=EDI | {"x-test-principal": "globex"}
    )
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert "not a sender id of partner 'globex'" in problem["detail"]
    assert "TA1*000000001*" in problem["ack"] and "*R*006~" in problem["ack"]
    [message_id] = problem["message_ids"]
    # recorded, rejected, with why and who: the spoofing partner reads its own refusal
    stored = await client.get(f"/v1/messages/{message_id}", headers={"x-test-principal": "globex"})
    assert stored.status_code == 200
    view = stored.json()
    assert view["status"] == "rejected" and view["errors"][0]["type"] == "x12.sender_mismatch"
    assert (view["sender"], view["partner"]) == ("partner:globex", "globex")
    # ... and acme, whose id was claimed, does not see it
    theirs = await client.get(f"/v1/messages/{message_id}", headers={"x-test-principal": "acme"})
    assert theirs.status_code == 404


async def test_the_rightful_partner_and_an_operator_are_accepted(
    client: httpx.AsyncClient,
) -> None:
    own = await client.post("/v1/edi", content=FIXTURE, headers=EDI | {"x-test-principal": "acme"})
    assert own.status_code == 202, own.text
    assert "AK9*A*1*1*1~" in own.text
    second = FIXTURE.replace(b"*000000001*", b"*000000002*", 1).replace(
        b"IEA*1*000000001", b"IEA*1*000000002"
    )
    by_operator = await client.post(
        "/v1/edi", content=second, headers=EDI | {"x-test-principal": "ops"}
    )
    assert by_operator.status_code == 202, by_operator.text
    listed = await client.get(
        "/v1/messages", params={"document_type": "purchase_order"},
        headers={"x-test-principal": "ops"},
    )  # fmt: skip
    senders = sorted(m["sender"] for m in listed.json()["items"])
    assert senders == ["operator:tests", "partner:acme"]


async def test_a_refused_body_is_recorded_with_who_sent_it(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/edi",
        content=b"ISA*",
        headers={"Content-Type": "image/png", "x-test-principal": "globex"},
    )
    assert answer.status_code == 415
    view = await client.get(
        f"/v1/messages/{answer.json()['message_id']}", headers={"x-test-principal": "globex"}
    )
    assert view.status_code == 200 and view.json()["sender"] == "partner:globex"

"""A real hub process on loopback, real partner keys from `crossdock keys create`: a
supplier's interchange claiming another partner's sender id is refused with the TA1, and
every cross-partner read of what was recorded is 404 / filtered out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.auth_helpers import bearer
from tests.integration.hubproc import ROOT, HubProcess

FIXTURE = (ROOT / "tests" / "fixtures" / "x12" / "850.edi").read_bytes()  # ISA06 CROSSDOCKTEST
EDI = {"Content-Type": "application/edi-x12"}


def _key(hub: HubProcess, partner: str) -> dict[str, str]:
    made = hub.cli(
        "keys", "create", "--partner", partner, "--role", "supplier",
        "--scope", "edi:write", "--scope", "messages:write", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    token: str = json.loads(made.stdout)["key"]
    return bearer(token)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    config: dict[str, Any] = {
        "partners": {
            "acme": {"x12": {"qualifier": "ZZ", "id": "CROSSDOCKTEST"}},
            "globex": {"x12": {"qualifier": "ZZ", "id": "GLOBEXEDI"}},
        }
    }
    process = HubProcess(tmp_path / "hub", config).start()
    try:
        yield process
    finally:
        process.stop()


def test_spoofed_x12_is_refused_and_no_partner_reads_anothers(hub: HubProcess) -> None:
    acme, globex = _key(hub, "acme"), _key(hub, "globex")
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        spoofed = http.post("/v1/edi", content=FIXTURE, headers=EDI | globex)
        assert spoofed.status_code == 403, spoofed.text
        assert "*R*006~" in spoofed.json()["ack"]
        [refused_id] = spoofed.json()["message_ids"]
        own = http.post(
            "/v1/edi", content=FIXTURE, headers=EDI | acme | {"Accept": "application/json"}
        )
        assert own.status_code == 202, own.text
        [own_id] = [m["id"] for m in own.json()["interchanges"][0]["messages"]]

        for me, mine, theirs in ((acme, own_id, refused_id), (globex, refused_id, own_id)):
            assert http.get(f"/v1/messages/{mine}", headers=me).status_code == 200
            for raw in ("false", "true"):
                other = http.get(f"/v1/messages/{theirs}", params={"raw": raw}, headers=me)
                assert other.status_code == 404, other.text
            listed = http.get("/v1/messages", headers=me).json()["items"]
            assert theirs not in {m["id"] for m in listed} and mine in {m["id"] for m in listed}
            assert all(
                e["message_id"] != theirs for e in http.get("/v1/dlq", headers=me).json()["items"]
            )
        everything = http.get("/v1/messages", headers=hub.headers).json()["items"]
        senders = {m["id"]: m["sender"] for m in everything}
        assert senders[refused_id] == "partner:globex" and senders[own_id] == "partner:acme"

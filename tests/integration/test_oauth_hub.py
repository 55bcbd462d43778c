"""OAuth on a real hub process: a partner's API key (made with `crossdock keys create`)
exchanged for an access token that the hub's middleware accepts; forged tokens refused; a
revoked key gets no new token; a signing key rotated by `crossdock oauth rotate-signing-key`
(another process) appears in the running hub's JWKS."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.hubproc import HubProcess, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def hub(workdir: Path) -> Iterator[HubProcess]:
    config = {"oauth": {"issuer": "https://hub.example", "key_cache_seconds": 1}}
    process = HubProcess(workdir, config).start()
    yield process
    process.stop()


def _kids(hub: HubProcess) -> list[str]:
    response = httpx.get(f"{hub.url}/.well-known/jwks.json", timeout=10)
    assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=1"
    return [k["kid"] for k in response.json()["keys"]]


def _token(hub: HubProcess, key_id: str, key: str) -> httpx.Response:
    return httpx.post(
        f"{hub.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "inventory:read"},
        auth=(key_id, key),
        timeout=10,
    )


def _kpis(hub: HubProcess, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{hub.url}/v1/kpis", headers=headers, timeout=10).status_code


def test_a_partner_key_buys_a_token_the_hub_accepts_until_forged(hub: HubProcess) -> None:
    made = hub.cli(
        "keys", "create", "--partner", "acme", "--role", "supplier",
        "--scope", "inventory:read", "--scope", "purchase-orders:read", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    response = _token(hub, key["key_id"], key["key"])
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert response.json()["scope"] == "inventory:read"
    assert _kpis(hub, token) == 200
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["scope"] = "admin operations"
    raised = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert _kpis(hub, f"{head}.{raised}.{signature}") == 401
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=").decode()
    assert _kpis(hub, f"{unsigned}.{body}.") == 401
    revoked = hub.cli("keys", "revoke", key["key_id"])
    assert revoked.returncode == 0, revoked.stderr
    again = _token(hub, key["key_id"], key["key"])
    assert (again.status_code, again.json()["error"]) == (401, "invalid_client")
    assert _kpis(hub, token) == 200  # the documented bound: valid until its exp


def test_the_hub_serves_metadata_and_jwks_and_publishes_a_key_rotated_from_the_cli(
    hub: HubProcess,
) -> None:
    meta = httpx.get(f"{hub.url}/.well-known/oauth-authorization-server", timeout=10).json()
    assert meta["issuer"] == "https://hub.example"
    assert meta["token_endpoint"] == f"{hub.url}/oauth/token"
    [first] = _kids(hub)
    done = hub.cli("oauth", "rotate-signing-key")
    assert done.returncode == 0, done.stderr
    kids = wait_for(lambda: len(k := _kids(hub)) == 2 and k)
    assert kids[1] == first  # the new key first, the previous one still published
    listed = hub.cli("oauth", "keys", "--json")
    assert kids[0] in listed.stdout and "PRIVATE" not in listed.stdout

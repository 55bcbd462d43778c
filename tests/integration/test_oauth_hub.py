"""OAuth on a real hub process: the JWKS and metadata it serves, and a signing key rotated
by `crossdock oauth rotate-signing-key` (another process) appearing in its JWKS."""

from __future__ import annotations

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


def test_the_hub_serves_metadata_and_jwks_and_publishes_a_key_rotated_from_the_cli(
    hub: HubProcess,
) -> None:
    [first] = _kids(hub)
    done = hub.cli("oauth", "rotate-signing-key")
    assert done.returncode == 0, done.stderr
    kids = wait_for(lambda: len(k := _kids(hub)) == 2 and k)
    assert kids[1] == first  # the new key first, the previous one still published
    listed = hub.cli("oauth", "keys", "--json")
    assert kids[0] in listed.stdout and "PRIVATE" not in listed.stdout
    # (one hub process for both checks: starting one is the slow part)
    meta = httpx.get(f"{hub.url}/.well-known/oauth-authorization-server", timeout=10).json()
    assert meta["issuer"] == "https://hub.example"
    assert meta["token_endpoint"] == f"{hub.url}/oauth/token"
    response = httpx.post(
        meta["token_endpoint"],
        data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
        timeout=10,
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert response.headers["cache-control"] == "no-store"

"""Authentication in a real `crossdock up`: a key issued by `crossdock keys create` (another
process, on the same store) works; revoked by `crossdock keys revoke` it stops within the
cache period; and no key or secret ever reaches the hub's log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crossdock.hub.credentials import new_key
from tests.auth_helpers import bearer, secret_of
from tests.integration.hubproc import HubProcess, wait_for

CACHE_SECONDS = 1.0


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path, {"auth": {"key_cache_seconds": CACHE_SECONDS}})
    process.start()
    yield process
    process.stop()


def test_a_cli_key_works_and_its_revocation_reaches_the_running_hub_within_the_bound(
    hub: HubProcess,
) -> None:
    created = hub.cli("keys", "create", "--system", "erp", "--scope", "messages:write", "--json")
    assert created.returncode == 0, created.stderr
    issued = json.loads(created.stdout)
    token, key_id = issued["key"], issued["key_id"]
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        assert client.get("/v1/messages", headers=bearer(token)).status_code == 200
        assert client.post("/v1/replay", json={}, headers=bearer(token)).status_code == 403
        revoked = hub.cli("keys", "revoke", key_id)
        assert revoked.returncode == 0, revoked.stderr
        at = time.monotonic()
        wait_for(
            lambda: client.get("/v1/messages", headers=bearer(token)).status_code == 401,
            timeout=10,
            interval=0.1,
        )
        assert time.monotonic() - at <= CACHE_SECONDS + 2  # the bound, plus one request
    listed = hub.cli("keys", "list", "--json")
    assert secret_of(token) not in listed.stdout  # listings never show a secret
    audit = hub.cli("audit", "--action", "key.", "--json")
    assert '"key.revoked"' in audit.stdout and '"key.issued"' in audit.stdout


def test_no_key_reaches_the_log(hub: HubProcess) -> None:
    forged = hub.admin_key[:-6] + "AAAAAA"
    unknown = new_key()
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        for token in (hub.admin_key, forged, unknown):
            client.get("/v1/messages", headers=bearer(token))
            client.post("/v1/messages/purchase_order", content=b"{", headers=bearer(token))
        client.get("/v1/messages", headers={"Authorization": f"Basic {hub.admin_key}"})
    hub.stop()
    log = hub.log.read_text()
    for token in (hub.admin_key, forged, unknown):
        assert secret_of(token) not in log

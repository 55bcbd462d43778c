"""Schemathesis against a live hub: every operation of the OpenAPI document, fed input that
fits the schema, input that breaks it and its boundary values (the coverage phase), must never
answer 5xx nor take the hub down.

A bounded run (a few examples per operation, a time budget) so it stays around half a minute.
It runs schemathesis' own runner (its CLI, in a subprocess): the coverage phase that probes the
boundaries is only there, and its pytest plugin does not run on this pytest. Every answer must
also match the document: a documented status, content type and body schema. A deeper run by
hand: ``SCHEMATHESIS_HOOKS=tests.integration.schemathesis_hooks schemathesis --config-file
<toml with the parameters below> run http://127.0.0.1:PORT/openapi.json --checks
not_a_server_error --max-examples 50``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.adapters.sqlite.engine import sqlite_url
from crossdock.bootstrap.auth import key_service
from crossdock.bootstrap.store import open_store
from crossdock.hub.credentials import Client
from tests.conftest import EXAMPLES
from tests.integration.hubproc import ROOT, HubProcess, wait_for

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
#: No 5xx, and every answer documented: its status, its content type, its body's schema.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
MEMORY_LIMIT = 768 * 1_048_576
#: Path parameters that name configured things, so the fuzzer reaches past the 404s.
PARAMETERS = """
[parameters]
"path.document_type" = "purchase_order"
"path.source" = "erp"
"path.carrier" = "fedex"
"path.po_number" = "HP-PO-2024-018734"
"""
#: A supplier's key: every API product's scope, as a partner integrating fully would hold.
PARTNER_SCOPES = [
    "purchase-orders:read",
    "purchase-orders:acknowledge",
    "inventory:read",
    "shipments:read",
    "messages:write",
    "edi:write",
    "webhooks:manage",
]


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    config: dict[str, Any] = {
        "hub": {"prepare_workers": 0},
        "carriers": {"fedex": {"format": "track_v1"}},
        "systems": {"erp": {"format": "sandbox_erp"}},
        "partners": {"cascade": {"x12": {"id": "CASCADEPAPER"}}},
        "flows": {"procure_to_pay": {"enabled": True}},
    }
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    process = HubProcess(workdir, config, memory_limit=MEMORY_LIMIT)
    process.start(timeout=90)  # start-up is slow on a loaded machine
    yield process
    process.stop()


#: Operations the partner run leaves out: a partner posting on a system's or a carrier's
#: channel gets a 403 their OpenAPI entries do not document yet (their owner, the intake
#: channels, documents it; `test_a_foreign_sender_403_is_documented` says when).
#: Revoking or rotating a key: the fuzzer reads the key list and revokes the very key it runs
#: with, and every request after it is a 401 (test_openapi_responses and the auth tests cover
#: these two routes' answers).
OWN_KEY_ENDS = r"^/v1/admin/keys/[^/]+/(revoke|rotate)$"


def schemathesis_run(hub: HubProcess, token: str, max_time: int, *options: str) -> str:
    """One bounded schemathesis run as the holder of `token`; its summary (asserted passed)."""
    toml = hub.workdir / "schemathesis.toml"
    toml.write_text(PARAMETERS)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.integration.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(toml),
            "run",
            f"{hub.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--phases",
            "coverage,fuzzing",
            "--max-examples",
            "3",
            "--max-time",
            str(max_time),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
            "--seed",
            "20261206",
            *options,
        ],
        cwd=hub.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    assert " generated, " in summary and "passed" in summary, summary
    assert hub.proc is not None and hub.proc.poll() is None, "the hub died"
    return summary


def test_no_operation_answers_5xx(live_hub: HubProcess) -> None:
    """Authenticated as the operator: every route, not 401s."""
    schemathesis_run(live_hub, live_hub.admin_key, 45, "--exclude-path-regex", OWN_KEY_ENDS)


def test_a_partner_gets_no_5xx_and_only_documented_answers(live_hub: HubProcess) -> None:
    """Authenticated as a supplier with every product scope, after the ERP sent it a PO: its
    own routes answer, an operator's answer 403 (documented), and nothing is a 5xx."""
    with live_hub.client(timeout=30) as ops:
        po = (EXAMPLES / "purchase_order.json").read_bytes()
        sent = ops.post("/v1/messages/purchase_order", content=po,
                        headers={"Content-Type": "application/json"})  # fmt: skip
        assert sent.status_code == 202, sent.text
        wait_for(lambda: ops.get("/v1/purchase-orders").json()["items"], timeout=30)
    store = open_store(sqlite_url(live_hub.data_dir), checkpoints=False)
    try:
        issued = key_service(store.engine).issue(
            Client("partner", "cascade", "supplier"), PARTNER_SCOPES
        )
    finally:
        store.close()
    schemathesis_run(live_hub, issued.token, 30)


def test_a_foreign_sender_403_is_documented(live_hub: HubProcess) -> None:
    """What the partner run found: `POST /v1/inbound/erp` and `/v1/webhooks/carriers/fedex`
    with a partner's key answer 403 (`partner:cascade may not post for system 'erp'`): their
    OpenAPI entries list it."""
    paths = httpx.get(f"{live_hub.url}/openapi.json", timeout=30).json()["paths"]
    for path in ("/v1/inbound/{source}", "/v1/webhooks/carriers/{carrier}"):
        assert "403" in paths[path]["post"]["responses"], path

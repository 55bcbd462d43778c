"""The README's "Onboard a partner, end to end" section, run as written.

The section's shell blocks are read from README.md and run, one `bash -euo pipefail` per block
and in order, against a real `crossdock up` process started with the first block's settings:
the real CLI (the README's `.venv/bin/crossdock`), real curl over loopback HTTP, and a real
webhook receiver on loopback that this test starts and stops. Only addresses and paths are
rewritten (the hub's port and data dir, the receiver's port, the repository's examples), so a
command that stops working in the README fails here. The shell variables a block assigns
(``PARTNER_KEY=$(…)``) are carried into the blocks after it, as in one terminal.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import yaml
from standardwebhooks.webhooks import Webhook

from crossdock.entrypoints.asyncapi import build_asyncapi
from tests.integration.hubproc import CROSSDOCK, ROOT, HubProcess, wait_for

pytestmark = pytest.mark.slow

SECTION = "## Onboard a partner, end to end"
HUB_URL = "http://127.0.0.1:8080"
RECEIVER_URL = "http://127.0.0.1:9102"
HOOK_PATH = "/hooks/crossdock"
PO_NUMBER = "HP-PO-2024-018734"
_ASSIGNED = re.compile(r"^([A-Z_][A-Z0-9_]*)=\$\(", re.MULTILINE)
_EXPORTED = re.compile(r"^export (.+)$", re.MULTILINE)


def readme_blocks() -> list[str]:
    """The ```sh blocks of the README's onboarding section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else len(text)]
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)


def hub_environment(block: str) -> dict[str, str]:
    """The literal `export NAME=value` settings of the start block (the admin key is the
    test's own: `HubProcess` gives the hub one)."""
    env: dict[str, str] = {}
    for line in _EXPORTED.findall(block):
        for word in line.split("#")[0].split():
            name, _, value = word.partition("=")
            if not value.startswith("$("):
                env[name] = value
    return env


class Receiver:
    """A partner's webhook endpoint on loopback: keeps what it got, answers 204."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.got.append((self.path, headers, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def blocks() -> list[str]:
    found = readme_blocks()
    assert len(found) >= 5, "the README's onboarding section lost its shell blocks"
    assert "crossdock up --config crossdock.yaml --data-dir ./var/demo &" in found[0]
    return found


@pytest.fixture
def hub(workdir: Path, blocks: list[str]) -> Iterator[HubProcess]:
    """The hub as the README starts it: the repository's crossdock.yaml, the start block's
    environment."""
    config = yaml.safe_load((ROOT / "crossdock.yaml").read_text(encoding="utf-8"))
    env = hub_environment(blocks[0])
    assert env.get("CROSSDOCK_FLOWS__PROCURE_TO_PAY__ENABLED") == "true"
    process = HubProcess(workdir, config, env=env)
    try:
        yield process.start(timeout=90)
    finally:
        process.stop()


def localized(block: str, hub: HubProcess, receiver: Receiver) -> str:
    """The block with this hub's and this receiver's addresses and paths."""
    return (
        block.replace(".venv/bin/crossdock", str(CROSSDOCK))
        .replace("./var/demo", str(hub.data_dir))
        .replace("@examples/", f"@{ROOT / 'examples'}/")
        .replace(HUB_URL, hub.url)
        .replace(RECEIVER_URL, receiver.url)
    )


def run_block(script: str, env: dict[str, str], cwd: Path) -> str:
    """Run one block in bash; return its output and add the variables it assigned to `env`."""
    names = _ASSIGNED.findall(script)
    tail = "".join(f'\nprintf "\\n__VAR__ %s=%s\\n" {n} "${n}"' for n in names)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script + tail],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"README block failed:\n{script}\n{done.stdout}\n{done.stderr}"
    for line in done.stdout.splitlines():
        if line.startswith("__VAR__ "):
            name, _, value = line[len("__VAR__ ") :].partition("=")
            assert value, f"README block left {name} empty:\n{script}\n{done.stderr}"
            env[name] = value
    return done.stdout


def partner_sees_a_po(hub: HubProcess, key: str) -> bool:
    headers = {"Authorization": f"Bearer {key}"}
    return bool(httpx.get(f"{hub.url}/v1/purchase-orders", headers=headers).json()["items"])


def test_the_readme_onboards_a_partner_end_to_end(
    hub: HubProcess, receiver: Receiver, blocks: list[str]
) -> None:
    env = {
        **os.environ,
        **hub_environment(blocks[0]),
        "CROSSDOCK_ADMIN_KEY": hub.admin_key,
    }
    env.pop("CROSSDOCK_CONFIG", None)
    outputs: list[str] = []
    for block in blocks[1:]:
        if "/v1/purchase-orders -H" in block:  # the flow opens the PO a moment after intake
            wait_for(lambda: partner_sees_a_po(hub, env["PARTNER_KEY"]), timeout=30)
        outputs.append(run_block(localized(block, hub, receiver), env, hub.workdir))

    everything = "\n".join(outputs)
    assert "partner cascadepaper registered (supplier, draft)" in everything
    assert "partner cascadepaper is live" in everything
    assert everything.count('{"partner":"cascadepaper","passed":true') == 3, everything
    assert env["PARTNER_KEY"].startswith("cdk_") and env["WEBHOOK_SECRET"].startswith("whsec_")

    shown = json.loads(hub.cli("partners", "show", "cascadepaper").stdout)
    assert shown["state"] == "live" and shown["checklist_status"]["complete"] is True

    # The audit log shows the partner key's issue and first use, as the README says.
    key_id = env["PARTNER_KEY"].split("_")[1]
    audited = hub.cli("audit", "--action", "key.", "--json")
    assert audited.returncode == 0, audited.stderr
    actions = {e["action"] for e in json.loads(audited.stdout) if key_id in e["target"]}
    assert {"key.issued", "key.first_used"} <= actions, audited.stdout

    # The signed webhook: verified with the reference Standard Webhooks implementation.
    wait_for(lambda: [g for g in receiver.got if g[0] == HOOK_PATH], timeout=30)
    [(_, headers, body)] = [g for g in receiver.got if g[0] == HOOK_PATH]
    event = Webhook(env["WEBHOOK_SECRET"]).verify(body, headers)
    assert event["type"] == "purchase_order.created"
    assert event["data"]["partner"] == "cascadepaper"
    assert event["data"]["purchase_order"]["po_number"] == PO_NUMBER
    documented = build_asyncapi()["components"]
    payload = documented["messages"]["webhook.purchase_order.created"]["payload"]
    schema = jsonschema_rs.Draft202012Validator({**payload, "components": documented})
    assert [str(e) for e in schema.iter_errors(json.loads(body))] == []  # as /asyncapi.json says
    forged = {**headers, "webhook-signature": "v1," + "A" * 44}
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(env["WEBHOOK_SECRET"]).verify(body, forged)

    # The acknowledgment reached the procure-to-pay flow, as an 855 would.
    with hub.client(timeout=30) as ops:
        flow = wait_for(
            lambda: (
                (f := ops.get(f"/v1/flows/procure_to_pay/{PO_NUMBER}").json())["state"]
                == "acknowledged"
                and f
            ),
            timeout=30,
        )
    assert flow["data"]["ack"]["2"]["status"] == "rejected"

    # What the README says of another supplier: an empty list and 404 for this PO.
    other = hub.cli("partners", "create", "acme", "--kind", "supplier")
    assert other.returncode == 0, other.stderr
    issued = hub.cli("keys", "create", "--partner", "acme", "--role", "supplier",
                     "--scope", "purchase-orders:read")  # fmt: skip
    acme = {"Authorization": f"Bearer {issued.stdout.strip().splitlines()[-1]}"}
    assert httpx.get(f"{hub.url}/v1/purchase-orders", headers=acme).json()["items"] == []
    assert httpx.get(f"{hub.url}/v1/purchase-orders/{PO_NUMBER}", headers=acme).status_code == 404

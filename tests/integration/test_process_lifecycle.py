"""The hub as a process: one per store, and nothing of it left once it is gone.

Real `crossdock up` processes; the process tree is read from /proc.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink
from tests.integration.hubproc import CROSSDOCK, HubProcess, free_port, sink_config, wait_for
from tests.processes import alive, descendants

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


@pytest.fixture
def hub(workdir: Path, sink: RunningSink) -> Iterator[HubProcess]:
    config: dict[str, Any] = {**sink_config(sink.url), "hub": {"prepare_workers": 2}}
    process = HubProcess(workdir, config).start(timeout=120)
    yield process
    process.stop()


def test_a_second_hub_on_the_same_store_is_refused_naming_the_first(hub: HubProcess) -> None:
    assert hub.proc is not None
    second = subprocess.run(
        [
            str(CROSSDOCK),
            "up",
            "--port",
            str(free_port()),
            "--data-dir",
            str(hub.data_dir),
            "--config",
            str(hub.config_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode != 0
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pid {hub.proc.pid}" in lines[0], second.stderr
    assert "already running" in lines[0]
    # Operator commands still read the store beside the running hub.
    listed = hub.cli("messages", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert httpx.get(f"{hub.url}/healthz", headers=hub.headers).status_code == 200


def test_batch_workers_and_helpers_die_with_a_killed_hub(
    hub: HubProcess, po_example: dict[str, Any]
) -> None:
    assert hub.proc is not None
    lines = []
    for i in range(200):
        po_example["po_number"] = f"PO-K{i}"
        lines.append(json.dumps(po_example))
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order/batch",
        content="\n".join(lines).encode(),
        headers={
            **hub.headers,
            **{"Content-Type": "application/x-ndjson", "Idempotency-Key": "kill-batch"},
        },
        timeout=60,
    )
    assert response.status_code == 202, response.text
    children = wait_for(lambda: (found := descendants(hub.proc.pid)) and len(found) >= 3 and found)
    hub.kill9()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and alive(children):
        time.sleep(0.1)
    survivors = alive(children)
    for pid in survivors:  # leave nothing behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], f"outlived the hub: {survivors}"
    # A restart after the kill takes the store again (the kernel dropped the lock).
    hub.start(timeout=120)

"""A partner registered by another process (`crossdock partners create` on the store of a
running hub) is recognized by the running hub's X12 intake within the directory's bound
(``onboarding.directory_refresh_seconds``), without a restart. Real processes, real HTTP
on loopback, a real SQLite file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.hubproc import HubProcess, wait_for

ROOT = Path(__file__).resolve().parents[2]
X12_855 = (ROOT / "tests" / "fixtures" / "x12" / "855.edi").read_text()
BOUND = 0.5  # onboarding.directory_refresh_seconds in this hub


@pytest.fixture
def hub(workdir: Path) -> Iterator[HubProcess]:
    config = {"onboarding": {"directory_refresh_seconds": BOUND}}
    process = HubProcess(workdir, config).start()
    yield process
    process.stop()


def post_855(hub: HubProcess, control: int) -> None:
    text = X12_855.replace("000000001", f"{control:09d}")
    answer = httpx.post(f"{hub.url}/v1/edi", content=text, timeout=30,
                        headers={**hub.headers, "Content-Type": "application/edi-x12"})  # fmt: skip
    assert answer.status_code == 202, answer.text


def sources(hub: HubProcess) -> list[str]:
    found = httpx.get(f"{hub.url}/v1/messages", timeout=10, headers=hub.headers,
                      params={"document_type": "purchase_order_acknowledgment"})  # fmt: skip
    return sorted(m["source"] for m in found.json()["items"])


def test_a_partner_registered_elsewhere_is_recognized_within_the_bound(hub: HubProcess) -> None:
    post_855(hub, 1)
    wait_for(lambda: sources(hub) == ["x12:CROSSDOCKTEST"])

    created = hub.cli("partners", "create", "cascade", "--kind", "supplier",
                      "--x12-id", "CROSSDOCKTEST")  # fmt: skip
    assert created.returncode == 0, created.stderr
    registered = time.monotonic()
    listed = hub.cli("partners", "list", "--json")
    assert '"origin": "store"' in listed.stdout

    time.sleep(BOUND + 0.1)  # the bound under test: the running hub's snapshot is stale now
    post_855(hub, 2)
    assert time.monotonic() - registered < 30
    wait_for(lambda: sources(hub) == ["cascade", "x12:CROSSDOCKTEST"])

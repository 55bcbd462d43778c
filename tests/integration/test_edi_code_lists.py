"""The code-list policy through a real hub process: the same 850, with valid codes outside the
hub's partial code lists, is accepted with a noting 997 from a default partner and rejected
by the 997 of a partner with ``x12.strict`` (tests/fixtures/x12/codes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.integration.hubproc import HubProcess

pytestmark = pytest.mark.slow

SAMPLE = (ROOT / "tests" / "fixtures" / "x12" / "codes" / "850_codes_outside_lists.edi").read_text()
EDI = {"Content-Type": "application/edi-x12"}


@pytest.fixture
def hub(workdir: Path) -> Iterator[HubProcess]:
    config: dict[str, Any] = {
        "x12": {"qualifier": "ZZ", "id": "CROSSDOCK", "gs_id": "CROSSDOCK"},
        "partners": {
            "catskill": {"x12": {"qualifier": "ZZ", "id": "CODESBUYER"}},
            "hudson": {"x12": {"qualifier": "ZZ", "id": "STRICTBUYER", "strict": True}},
        },
    }
    process = HubProcess(workdir, config).start()
    yield process
    process.stop()


def post(hub: HubProcess, text: str) -> httpx.Response:
    return httpx.post(f"{hub.url}/v1/edi", content=text, headers={**hub.headers, **EDI}, timeout=30)


def test_the_997_notes_codes_for_a_default_partner_and_rejects_them_for_a_strict_one(
    hub: HubProcess,
) -> None:
    noted = post(hub, SAMPLE)
    assert noted.status_code == 202, noted.text
    assert "AK4*1*128*7*TJ~" in noted.text and "AK4*3*66*7*A~" in noted.text
    assert "AK5*E*5~" in noted.text and "AK9*E*1*1*1~" in noted.text
    strict_sample = SAMPLE.replace("*ZZ*CODESBUYER     *", "*ZZ*STRICTBUYER    *").replace(
        "GS*PO*CODESBUYER*", "GS*PO*STRICTBUYER*"
    )
    rejected = post(hub, strict_sample)
    assert rejected.status_code == 202, rejected.text
    assert "AK3*REF*4**8~" in rejected.text and "AK4*1*128*7*TJ~" in rejected.text
    assert "AK5*R*5~" in rejected.text and "AK9*R*1*1*0~" in rejected.text
    found = httpx.get(
        f"{hub.url}/v1/messages", params={"document_type": "purchase_order"},
        headers=hub.headers, timeout=10,
    ).json()["items"]  # fmt: skip
    by_source = {m["source"]: m["status"] for m in found}
    # accepted (no route is configured, hence unrouted) vs rejected
    assert by_source == {"catskill": "unrouted", "hudson": "rejected"}

"""The code-list policy through a real hub process: the same 850, with valid codes outside the
hub's partial code lists, is accepted with a plain 997 (AK5 A: the hub cannot judge those
codes, so it does not call them invalid) from a default partner, the warnings kept on the
accepted message (``GET /v1/messages/{id}``, ``crossdock messages show``), and rejected by the
997 of a partner with ``x12.strict`` (tests/fixtures/x12/codes)."""

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


def test_a_default_partner_gets_an_a_and_the_record_keeps_the_warnings_a_strict_one_an_r(
    hub: HubProcess,
) -> None:
    accepted = post(hub, SAMPLE)
    assert accepted.status_code == 202, accepted.text
    assert "AK2*850*0001~\nAK5*A~\nAK9*A*1*1*1~" in accepted.text
    assert "AK3" not in accepted.text and "AK4" not in accepted.text
    strict_sample = SAMPLE.replace("*ZZ*CODESBUYER     *", "*ZZ*STRICTBUYER    *").replace(
        "GS*PO*CODESBUYER*", "GS*PO*STRICTBUYER*"
    )
    rejected = post(hub, strict_sample)
    assert rejected.status_code == 202, rejected.text
    assert "AK3*REF*4**8~" in rejected.text and "AK4*1*128*7*F8~" in rejected.text
    assert "AK5*R*5~" in rejected.text and "AK9*R*1*1*0~" in rejected.text
    found = httpx.get(
        f"{hub.url}/v1/messages", params={"document_type": "purchase_order"},
        headers=hub.headers, timeout=10,
    ).json()["items"]  # fmt: skip
    by_source = {m["source"]: m for m in found}
    # accepted (no route is configured, hence unrouted) vs rejected
    statuses = {source: m["status"] for source, m in by_source.items()}
    assert statuses == {"catskill": "unrouted", "hudson": "rejected"}

    message_id = by_source["catskill"]["id"]
    view = httpx.get(f"{hub.url}/v1/messages/{message_id}", headers=hub.headers, timeout=10)
    assert view.status_code == 200, view.text
    record = view.json()
    assert record["errors"] == [] and record["canonical"]["po_number"] == "CL-PO-7781"
    assert [(w["element"], w["code"], w["type"]) for w in record["warnings"]] == [
        ("REF01", "F8", "x12.element.7"),
        ("N103", "A", "x12.element.7"),
    ]
    assert "partial code list" in record["warnings"][0]["reason"]
    shown = hub.cli("messages", "show", message_id)
    assert shown.returncode == 0, shown.stderr
    assert "warning" in shown.stdout and "'F8'" in shown.stdout, shown.stdout

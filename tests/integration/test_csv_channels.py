"""CSV partners through a real hub process: a file in the partner's drop folder and a
``text/csv`` post become one message per document (bad rows recorded rejected with their row
and column), and a route with ``transform: csv`` writes the partner's file back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.auth_helpers import bearer
from tests.integration.hubproc import ROOT, HubProcess, wait_for

pytestmark = pytest.mark.slow

FIXTURES = ROOT / "tests" / "fixtures" / "csv"
CSV = {"Content-Type": "text/csv"}


def _map(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "maps" / f"{name}.yaml").read_text())
    data.pop("document_type")
    return data


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    work = tmp_path_factory.mktemp("csv-hub")
    drop = {p: str(work / "smallco" / p) for p in ("inbox", "archive", "error")}
    config: dict[str, Any] = {
        "hub": {"folder_poll_seconds": 0.1},
        "endpoints": {"smallco-out": {"type": "folder", "path": str(work / "out")}},
        "partners": {
            "smallco": {
                "folder": {**drop, "settle_seconds": 0.1},
                "csv": {"maps": {"purchase_order": _map("po_grouped")}},
            },
            "nomap": {},
        },
        "routes": [
            {
                "name": "po-back-as-csv",
                "when": {"document_type": "purchase_order", "source": "smallco"},
                "deliver": {"endpoint": "smallco-out", "transform": "csv", "partner": "smallco"},
            }
        ],
    }
    process = HubProcess(work / "hub", config).start()
    process.work = work  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.stop()


def _key(hub: HubProcess, partner: str) -> dict[str, str]:
    made = hub.cli(
        "keys", "create", "--partner", partner, "--role", "supplier",
        "--scope", "messages:write", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    return bearer(json.loads(made.stdout)["key"])


def test_a_dropped_file_becomes_messages_and_comes_back_as_csv(hub: HubProcess) -> None:
    work: Path = hub.work  # type: ignore[attr-defined]
    (work / "smallco" / "inbox" / "orders.csv").write_bytes(
        (FIXTURES / "po_grouped.csv").read_bytes()
    )
    [archived] = wait_for(lambda: list((work / "smallco" / "archive").glob("*orders.csv")))
    report = json.loads(archived.with_name(archived.name + ".report.json").read_text())
    assert (report["csv"]["accepted"], report["csv"]["rejected"]) == (2, 0)
    with hub.client(timeout=10) as http:
        listed = http.get("/v1/messages", params={"channel": "csv-folder"}).json()["items"]
        found = {m["correlation_key"]: m for m in listed if m["channel"] == "csv-folder"}
        assert set(found) == {"PO-1", "PO-2"}
        assert found["PO-1"]["source"] == "smallco" and found["PO-1"]["sender"] == "folder:smallco"
    files = wait_for(lambda: sorted((work / "out").glob("*.csv")) or None)
    written = {f.read_text().splitlines()[1].split(",")[0] for f in files}
    assert written <= {"PO-1", "PO-2"}
    sent = wait_for(lambda: [f for f in (work / "out").glob("*.csv") if "PO-1," in f.read_text()])
    assert sent[0].read_text().splitlines() == [
        "po_number,issued,buyer,supplier,ship_to,line,sku,qty,uom,price,note",
        "PO-1,2024-11-04,Harbor Point,Cascade Paper,DC Atlanta,1,SKU-1,12,EA,2.50,",
        "PO-1,2024-11-04,Harbor Point,Cascade Paper,DC Atlanta,2,SKU-2,1000,CS,10,",
    ]


def test_text_csv_posts_use_the_partners_map_and_report_bad_rows(hub: HubProcess) -> None:
    smallco = _key(hub, "smallco")
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        bad = http.post(
            "/v1/messages/purchase_order",
            content=(FIXTURES / "po_bad_rows.csv").read_bytes(),
            headers=CSV | smallco,
        )
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"] == "application/problem+json"
        problem = bad.json()
        assert (problem["accepted"], problem["rejected"]) == (2, 4)
        by_key = {r["key"]: r for r in problem["results"]}
        assert by_key["GOOD-1"]["status"] == "accepted"
        assert by_key["BAD-QTY"]["errors"] == [
            {
                "row": 3,
                "column": "qty",
                "field": "lines[].quantity.value",
                "reason": "'lots' is not a number",
            }
        ]
        rejected = http.get(f"/v1/messages/{by_key['BAD-QTY']['id']}", headers=smallco).json()
        assert rejected["status"] == "rejected" and rejected["partner"] == "smallco"
        good = (FIXTURES / "po_quoted.csv").read_bytes()
        ok = http.post("/v1/messages/purchase_order", content=good, headers=CSV | smallco)
        assert ok.status_code == 202, ok.text
        assert (ok.json()["documents"], ok.json()["accepted"]) == (1, 1)
        nomap = http.post(
            "/v1/messages/purchase_order", content=good, headers=CSV | _key(hub, "nomap")
        )
        assert nomap.status_code == 415
        assert "partner 'nomap' has no CSV map for purchase_order" in nomap.json()["detail"]
        assert nomap.json()["message_id"]  # the refusal is recorded too

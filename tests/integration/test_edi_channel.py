"""X12 through a real hub process: HTTP and folder intake, our 997s, outbound 850s and the
partner's 997 settling them. Fixtures are our own files in tests/fixtures/x12."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink
from tests.conftest import EXAMPLES, ROOT
from tests.integration.hubproc import HubProcess, wait_for

pytestmark = pytest.mark.slow

FIXTURES = ROOT / "tests" / "fixtures" / "x12"
EDI = {"Content-Type": "application/edi-x12"}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def with_control(text: str, isa13: int) -> str:
    """The same interchange under another ISA13/IEA02 (a new interchange, same content)."""
    text = re.sub(
        r"(ISA(?:\*[^*]*){12}\*)\d{9}", lambda m: f"{m.group(1)}{isa13:09d}", text, count=1
    )
    return re.sub(r"IEA\*(\d+)\*\d+", lambda m: f"IEA*{m.group(1)}*{isa13:09d}", text)


@pytest.fixture
def paths(workdir: Path) -> dict[str, Path]:
    return {
        "outbox": workdir / "acme" / "out",
        "inbox": workdir / "acme" / "in",
        "archive": workdir / "acme" / "archive",
        "error": workdir / "acme" / "error",
    }


@pytest.fixture
def hub(workdir: Path, sink: RunningSink, paths: dict[str, Path]) -> Iterator[HubProcess]:
    fast = {"max_attempts": 20, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.3}
    config: dict[str, Any] = {
        "hub": {"folder_poll_seconds": 0.1, "max_edi_bytes": 1_000_000},
        "x12": {"qualifier": "ZZ", "id": "PARTNERTEST", "gs_id": "PARTNERTEST"},
        "endpoints": {
            "erp": {"type": "http", "url": f"{sink.url}/in/erp", "retry": fast},
            "acme-edi": {"type": "folder", "path": str(paths["outbox"]), "retry": fast},
        },
        "partners": {
            "acme": {
                "x12": {"qualifier": "ZZ", "id": "CROSSDOCKTEST", "ack_endpoint": "acme-edi"},
                "folder": {
                    "inbox": str(paths["inbox"]),
                    "archive": str(paths["archive"]),
                    "error": str(paths["error"]),
                    "settle_seconds": 0.1,
                },
            }
        },
        "routes": [
            {
                "name": "po-to-erp",
                "when": {"document_type": "purchase_order", "source": "acme"},
                "deliver": {"endpoint": "erp"},
            },
            {
                "name": "po-to-acme",
                "when": {"document_type": "purchase_order", "source": "erp"},
                "deliver": {"endpoint": "acme-edi", "transform": "x12", "partner": "acme"},
            },
        ],
    }
    process = HubProcess(workdir, config).start()
    yield process
    process.stop()


def post_edi(hub: HubProcess, text: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{hub.url}/v1/edi", content=text, headers={**hub.headers, **{**EDI, **headers}}, timeout=30
    )


def messages(hub: HubProcess, **params: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{hub.url}/v1/messages", params=params, timeout=10, headers=hub.headers)
    return list(response.json()["items"])


def outbox_files(paths: dict[str, Path]) -> list[str]:
    return [p.read_text() for p in sorted(paths["outbox"].glob("*.x12"))]


def test_inbound_850_is_recorded_acknowledged_and_routed(
    hub: HubProcess, sink: RunningSink, paths: dict[str, Path]
) -> None:
    response = post_edi(hub, fixture("850.edi"))
    assert response.status_code == 202, response.text
    assert response.headers["content-type"].startswith("application/edi-x12")
    ack = response.text
    assert "ST*997*" in ack and "AK1*PO*1" in ack and "AK9*A*1*1*1" in ack
    assert "*ZZ*PARTNERTEST    *ZZ*CROSSDOCKTEST  *" in ack  # sender and receiver swapped
    [po] = messages(hub, document_type="purchase_order")
    assert po["source"] == "acme" and po["correlation_key"] == "HP-PO-2024-018734"
    view = httpx.get(
        f"{hub.url}/v1/messages/{po['id']}", params={"raw": "true"}, headers=hub.headers
    ).json()
    assert view["content_type"] == "application/edi-x12"
    assert view["canonical"]["po_number"] == "HP-PO-2024-018734"
    wait_for(lambda: sink.state.received == 1)
    files = wait_for(lambda: outbox_files(paths))
    assert files == [ack]  # the same 997 is queued to the partner


def test_a_duplicate_interchange_is_reported_not_processed(hub: HubProcess) -> None:
    first = post_edi(hub, fixture("850.edi"))
    again = post_edi(hub, fixture("850.edi"))
    assert again.status_code == 202
    assert again.headers["x-crossdock-duplicate"] == "true"
    assert again.text == first.text
    assert len(messages(hub, document_type="purchase_order")) == 1
    receipt = post_edi(hub, fixture("850.edi"), Accept="application/json").json()
    assert receipt["interchanges"][0]["duplicate"] is True


def test_an_invalid_transaction_is_rejected_with_a_997_that_says_why(hub: HubProcess) -> None:
    text = with_control(fixture("850.edi"), 77)
    broken = re.sub(r"SE\*(\d+)\*0001", lambda m: f"SE*{int(m.group(1)) - 2}*0001", text)
    response = post_edi(hub, broken)
    assert response.status_code == 202
    assert "AK5*R*4" in response.text and "AK9*R*1*1*0" in response.text
    [po] = messages(hub, document_type="purchase_order", status="rejected")
    view = httpx.get(f"{hub.url}/v1/messages/{po['id']}", headers=hub.headers).json()
    assert any(e["type"] == "x12.transaction.4" for e in view["errors"])


def test_garbage_is_recorded_and_answered_with_a_problem(hub: HubProcess) -> None:
    response = post_edi(hub, "this is not EDI at all")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    [message_id] = problem["message_ids"]
    view = httpx.get(f"{hub.url}/v1/messages/{message_id}", headers=hub.headers).json()
    assert view["status"] == "rejected" and view["document_type"] == "x12_interchange"


def test_wrong_content_type_empty_and_oversized_bodies(hub: HubProcess) -> None:
    wrong = httpx.post(f"{hub.url}/v1/edi", json={"a": 1}, headers=hub.headers)
    assert wrong.status_code == 415 and "application/edi-x12" in wrong.json()["detail"]
    empty = httpx.post(f"{hub.url}/v1/edi", content=b"", headers={**hub.headers, **EDI})
    assert empty.status_code == 422
    big = fixture("850.edi") * 400  # about 0.5 MB; three of them pass the 1 MB limit
    huge = httpx.post(
        f"{hub.url}/v1/edi", content=big * 3, headers={**hub.headers, **EDI}, timeout=30
    )
    assert huge.status_code == 413
    assert huge.headers["content-type"] == "application/problem+json"


def test_folder_files_are_taken_in_archived_or_set_aside(
    hub: HubProcess, paths: dict[str, Path]
) -> None:
    good = paths["inbox"] / "po-1.x12"
    good.write_text(with_control(fixture("850.edi"), 501))
    bad = paths["inbox"] / "junk.x12"
    bad.write_text("no ISA here")
    archived = wait_for(lambda: [p for p in paths["archive"].iterdir() if p.suffix == ".x12"])
    rejected = wait_for(lambda: [p for p in paths["error"].iterdir() if p.suffix == ".x12"])
    assert archived[0].name.endswith("po-1.x12") and rejected[0].name.endswith("junk.x12")
    report = json.loads(rejected[0].with_name(rejected[0].name + ".report.json").read_text())
    assert report["interchanges"][0]["unreadable"] is True
    assert not list(paths["inbox"].glob("*.x12"))
    [po] = messages(hub, document_type="purchase_order")
    assert po["channel"] == "edi-folder"


def test_folder_links_are_refused_and_long_names_go_through(
    hub: HubProcess, paths: dict[str, Path], workdir: Path
) -> None:
    secret = workdir / "secret.x12"
    secret.write_text(with_control(fixture("850.edi"), 601).replace("HP-PO", "SECRET-PO"))
    (paths["inbox"] / "link.x12").symlink_to(secret)
    long_name = "p" * 244 + ".x12"  # legal; with the archive's stamp and suffix it is not
    (paths["inbox"] / long_name).write_text(with_control(fixture("850.edi"), 602))
    archived = wait_for(lambda: list(paths["archive"].glob("*.report.json")))
    refused = wait_for(lambda: list(paths["error"].glob("*.report.json")))
    assert json.loads(archived[0].read_text())["file"] == long_name
    assert "symbolic link" in json.loads(refused[0].read_text())["refused"]
    [po] = messages(hub, document_type="purchase_order")
    assert po["correlation_key"] == "HP-PO-2024-018734"
    raw = httpx.get(
        f"{hub.url}/v1/messages/{po['id']}", params={"raw": "true"}, headers=hub.headers
    ).text
    assert "SECRET-PO" not in raw and secret.exists()
    assert not list((paths["inbox"] / ".processing").iterdir())


def test_outbound_850_numbers_and_the_partner_997_settles_it(
    hub: HubProcess, paths: dict[str, Path]
) -> None:
    doc = json.loads((EXAMPLES / "purchase_order.json").read_text())
    for number in ("PO-OUT-1", "PO-OUT-2"):
        doc["po_number"] = number
        response = httpx.post(
            f"{hub.url}/v1/messages/purchase_order",
            json=doc,
            headers={**hub.headers, **{"X-Crossdock-Source": "erp", "Idempotency-Key": number}},
        )
        assert response.status_code == 202, response.text
    files = wait_for(lambda: (f := outbox_files(paths)) and len(f) == 2 and f)
    controls = sorted(re.search(r"\*(\d{9})\*[01]\*[PT]\*", f).group(1) for f in files)  # type: ignore[union-attr]
    assert controls == ["000000001", "000000002"]
    first = next(f for f in files if "PO-OUT-1" in f)
    gs06 = re.search(r"GS\*PO\*[^*]*\*[^*]*\*\d+\*\d+\*(\d+)\*", first).group(1)  # type: ignore[union-attr]
    st02 = re.search(r"ST\*850\*(\d+)", first).group(1)  # type: ignore[union-attr]
    ack = (
        "ISA*00*          *00*          *ZZ*CROSSDOCKTEST  *ZZ*PARTNERTEST    "
        "*261127*1200*U*00401*000000900*0*P*>~\n"
        "GS*FA*CROSSDOCKTEST*PARTNERTEST*20261127*1200*900*X*004010~\n"
        "ST*997*0001~\n"
        f"AK1*PO*{gs06}~\nAK2*850*{st02}~\nAK3*PO1*5**8~\nAK4*2*330*1~\nAK5*R*5~\n"
        "AK9*R*1*1*0~\nSE*8*0001~\nGE*1*900~\nIEA*1*000000900~\n"
    )
    receipt = post_edi(hub, ack, Accept="application/json").json()
    assert receipt["interchanges"][0]["outbound_settled"] == 1
    result = hub.cli("edi", "outbound", "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["message_id"]: r for r in json.loads(result.stdout)}
    statuses = sorted(r["status"] for r in rows.values())
    assert statuses == ["rejected", "sent"]
    rejected = next(r for r in rows.values() if r["status"] == "rejected")
    assert "PO1" in rejected["reason"]


def test_envelope_answers_over_http_and_the_folder(hub: HubProcess, paths: dict[str, Path]) -> None:
    """A set without a map is recorded and accepted; the 997 speaks the group's version; a
    TA1 comes back only when ISA14 asks for one or the interchange has an error."""
    envelope = FIXTURES / "envelope"
    plain = post_edi(hub, (envelope / "830_forecast.edi").read_text())
    assert plain.status_code == 202, plain.text
    assert "TA1*" not in plain.text  # ISA14=0, no envelope error
    assert "AK2*830*0001~\nAK5*A~" in plain.text and "AK9*A*2*2*2~" in plain.text
    asked = post_edi(hub, (envelope / "862_schedule_004030.edi").read_text())
    assert "TA1*000000862*261201*1000*A*000~" in asked.text  # ISA14=1
    assert "*X*004030~\nST*997*0001~" in asked.text  # the group's own version
    broken = with_control((envelope / "830_forecast.edi").read_text(), 832)
    broken = broken.replace("IEA*1*000000832", "IEA*1*000000833")  # ISA14=0, IEA02 wrong
    refused = post_edi(hub, broken)
    assert "TA1*000000832*261201*0930*R*001~" in refused.text
    unmapped = messages(hub, document_type="x12_transaction")
    # recorded, not rejected (no route takes them here); the refused interchange's too
    assert sorted(m["status"] for m in unmapped) == ["unrouted"] * 5, unmapped
    # The folder channel answers the same way, through the partner's ack endpoint.
    before = len(outbox_files(paths))
    for isa13, name in ((840, "830_forecast.edi"), (863, "862_schedule_004030.edi")):
        text = with_control((envelope / name).read_text(), isa13)
        (paths["inbox"] / f"{isa13}.x12").write_text(text)
    files = wait_for(lambda: (f := outbox_files(paths)) and len(f) >= before + 2 and f)
    forecasts = [f for f in files if "AK1*PS*830" in f]  # HTTP's and the folder's
    schedules = [f for f in files if "AK1*SS*862" in f]
    assert len(forecasts) == 2 and not any("TA1*" in f for f in forecasts)
    assert len(schedules) == 2 and any("TA1*000000863*" in f for f in schedules)
    assert all("*X*004030~" in f for f in schedules)
    channels = [m["channel"] for m in messages(hub, document_type="x12_transaction")]
    assert channels.count("edi-folder") == 3 and channels.count("edi-http") == 5

"""One set of limits on every intake channel, refusals recorded, integer parameters bounded
(a hub in process, over ASGI; the same against a real process in
tests/integration/test_hostile_http.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from crossdock.bootstrap import HubServices, build_hub
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_asgi
from tests.auth_helpers import operator_headers
from tests.conftest import EXAMPLES

PO = json.loads((EXAMPLES / "purchase_order.json").read_text())
LIMIT = 4096
NDJSON = {"Content-Type": "application/x-ndjson"}
JSON = {"Content-Type": "application/json"}
TOO_BIG = 2**63


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        hub={"data_dir": tmp_path / "data", "max_body_bytes": LIMIT, "prepare_workers": 0},
        carriers={"fedex": {"format": "track_v1"}},
        systems={"erp": {"format": "sandbox_erp"}},
    )
    hub: HubServices = build_hub(settings)
    await hub.start()
    try:
        transport = httpx.ASGITransport(app=create_asgi(hub))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers=operator_headers(hub)
        ) as c:
            yield c
    finally:
        await hub.stop()


async def recorded(client: httpx.AsyncClient, answer: httpx.Response) -> dict[str, object]:
    """The rejected message a refusal names, read back from the log."""
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    message_id = answer.json()["message_id"]
    view = (await client.get(f"/v1/messages/{message_id}", params={"raw": "true"})).json()
    assert view["status"] == "rejected"
    return dict(view)


def padded_po(number: str, size: int) -> bytes:
    """A valid purchase order padded with whitespace to `size` bytes."""
    raw = json.dumps({**PO, "po_number": number}).encode()
    return raw[:-1] + b" " * (size - len(raw)) + b"}"


async def test_a_batch_line_is_bounded_like_a_single_document(client: httpx.AsyncClient) -> None:
    big = padded_po("PO-BIG", LIMIT + 100)
    single = await client.post("/v1/messages/purchase_order", content=big, headers=JSON)
    assert single.status_code == 413
    small = padded_po("PO-SMALL", 500)
    answer = await client.post(
        "/v1/messages/purchase_order/batch", content=small + b"\n" + big, headers=NDJSON
    )
    assert answer.status_code == 202, answer.text
    first, second = answer.json()["results"]
    assert first["status"] == "accepted"
    assert second["status"] == "rejected"
    assert f"larger than the limit of {LIMIT} bytes" in second["errors"][0]["reason"]
    view = (await client.get(f"/v1/messages/{second['id']}")).json()
    assert view["status"] == "rejected"


async def test_a_batch_key_that_would_not_fit_its_lines_is_refused(
    client: httpx.AsyncClient,
) -> None:
    line = padded_po("PO-K", 500)
    longest = 256 - len(":5000")
    fits = await client.post(
        "/v1/messages/purchase_order/batch",
        content=line,
        headers={**NDJSON, "Idempotency-Key": "k" * longest},
    )
    assert fits.status_code == 202, fits.text
    answer = await client.post(
        "/v1/messages/purchase_order/batch",
        content=line,
        headers={**NDJSON, "Idempotency-Key": "k" * 255},
    )
    assert answer.status_code == 400
    assert f"longer than {longest} characters" in answer.json()["detail"]
    await recorded(client, answer)


async def test_an_empty_batch_is_a_recorded_422(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/messages/purchase_order/batch", content=b"\n \n", headers=NDJSON
    )
    assert answer.status_code == 422
    assert "no documents" in answer.json()["detail"]
    await recorded(client, answer)


@pytest.mark.parametrize(
    ("path", "source", "document_type"),
    [
        ("/v1/inbound/erp", "erp", "system_event"),
        ("/v1/webhooks/carriers/fedex", "fedex", "shipment_milestone"),
        ("/v1/edi", "x12:unknown", "x12_interchange"),
    ],
)
async def test_oversized_bodies_are_recorded_as_rejected_on_every_channel(
    client: httpx.AsyncClient, path: str, source: str, document_type: str
) -> None:
    headers = {"Content-Type": "application/edi-x12" if "edi" in path else "application/json"}
    size = LIMIT + 1 if "edi" not in path else 0
    if size:
        body = b"{" + b" " * size + b"}"

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: cut off while read
            for i in range(0, len(body), 1000):
                yield body[i : i + 1000]

        answer = await client.post(path, content=chunks(), headers=headers)
        assert answer.status_code == 413, answer.text
        view = await recorded(client, answer)
        assert (view["source"], view["document_type"]) == (source, document_type)
        assert "larger than the limit" in str(view["errors"])
        assert 0 < len(str(view["raw"])) <= 65536 * 2
    if "edi" in path:
        answer = await client.post(path, content=b"ISA*00", headers=JSON)
        assert answer.status_code == 415
        view = await recorded(client, answer)
        assert (view["source"], view["document_type"]) == (source, document_type)
        empty = await client.post(path, content=b"", headers=headers)
        assert empty.status_code == 422
        await recorded(client, empty)


async def test_oversized_body_for_an_unknown_system_is_404_and_not_read(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/inbound/crm", content=b"x" * (LIMIT + 1), headers=JSON)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/v1/messages?offset={TOO_BIG}", None),
        ("GET", f"/v1/exceptions?offset={TOO_BIG}", None),
        ("GET", f"/v1/flows?offset={TOO_BIG}", None),
        ("GET", f"/v1/dlq?limit={TOO_BIG}", None),
        ("GET", f"/v1/inventory/drift?limit={TOO_BIG}", None),
        ("POST", "/v1/replay", {"group": "route.critical", "from_seq": TOO_BIG}),
        ("POST", "/v1/dlq/retry", {"ids": [TOO_BIG]}),
        ("POST", "/v1/dlq/retry", {"ids": [0]}),
    ],
)
async def test_integers_out_of_range_are_422_problems(
    client: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    answer = await client.request(method, path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_the_largest_integers_in_range_are_answered(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/messages?offset=1000000000")).status_code == 200
    replay = {"group": "route.critical", "from_seq": 2**63 - 1}
    assert (await client.post("/v1/replay", json=replay)).status_code == 202
    retry = await client.post("/v1/dlq/retry", json={"ids": [2**63 - 1]})
    assert retry.status_code == 202 and retry.json() == {"retried": 0}

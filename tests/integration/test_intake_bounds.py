"""JSON intake through a real hub process: control characters in a business key or a header,
and numbers out of bounds, are a 4xx problem naming the field, and the refusal is recorded."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import po_with_number
from tests.integration.hubproc import HubProcess

pytestmark = pytest.mark.slow

BAD = ["\x00", "\r\nX-Injected: 1", "\x1f", "\x7f"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    workdir: Path = tmp_path_factory.mktemp("bounds")
    process = HubProcess(workdir, {"endpoints": {}, "routes": []})
    try:
        yield process.start(timeout=90)  # the machine may be busy
    finally:
        process.stop()


def recorded(hub: HubProcess, message_id: str) -> dict[str, Any]:
    response = httpx.get(f"{hub.url}/v1/messages/{message_id}", timeout=10, headers=hub.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("bad", BAD)
def test_a_control_character_in_the_po_number_is_a_422_at_the_field(
    hub: HubProcess, po_example: dict[str, Any], bad: str
) -> None:
    doc = po_with_number(po_example, f"PO-{bad}-1")
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order", json=doc, timeout=10, headers=hub.headers
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [e["path"] for e in problem["errors"]] == ["po_number"]
    view = recorded(hub, problem["message_id"])
    assert view["status"] == "rejected"


@pytest.mark.parametrize(
    ("number", "path", "error"),
    [
        ("1e-400", "lines[0].quantity.value", "decimal_max_places"),
        ("1.00000000000000000001", "lines[0].quantity.value", "decimal_max_places"),
        ("1E+999999999", "lines[0].quantity.value", "decimal_whole_digits"),
        ('"1E+999999999"', "lines[0].quantity.value", "decimal_whole_digits"),
        ('"' + "9" * 5001 + '"', "lines[0].quantity.value", "decimal_whole_digits"),
    ],
)
def test_an_out_of_bounds_quantity_is_a_422_never_stored_changed(
    hub: HubProcess, po_example: dict[str, Any], number: str, path: str, error: str
) -> None:
    doc = po_with_number(po_example, "PO-BOUNDS")
    marker = "__QTY__"
    doc["lines"][0]["quantity"]["value"] = marker
    raw = json.dumps(doc).replace(f'"{marker}"', number)
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        content=raw,
        headers={**hub.headers, **{"Content-Type": "application/json"}},
        timeout=10,
    )
    assert response.status_code == 422, response.text
    assert [(e["path"], e["type"]) for e in response.json()["errors"]] == [(path, error)]


def test_a_json_number_amount_keeps_its_digits(hub: HubProcess, po_example: dict[str, Any]) -> None:
    doc = po_with_number(po_example, "PO-EXACT")
    raw = json.dumps(doc).replace('"amount": "24.85"', '"amount": 123456789012.123456')
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order",
        content=raw,
        headers={**hub.headers, **{"Content-Type": "application/json"}},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    view = recorded(hub, response.json()["id"])
    assert view["canonical"]["lines"][0]["unit_price"]["amount"] == "123456789012.123456"


def test_an_ndjson_batch_refuses_each_bad_line_at_its_field(
    hub: HubProcess, po_example: dict[str, Any]
) -> None:
    lines = [po_with_number(po_example, f"PO-B{n}-{bad}") for n, bad in enumerate(BAD)]
    lines.append(po_with_number(po_example, "PO-B-GOOD"))
    body = "\n".join(json.dumps(line) for line in lines).encode()
    response = httpx.post(
        f"{hub.url}/v1/messages/purchase_order/batch",
        content=body,
        headers={**hub.headers, **{"Content-Type": "application/x-ndjson"}},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (1, 4)
    for item in result["results"][:4]:
        assert item["status"] == "rejected"
        assert [e["path"] for e in item["errors"]] == ["po_number"]
        assert recorded(hub, item["id"])["status"] == "rejected"


def raw_post(hub: HubProcess, header: bytes, body: bytes) -> tuple[int, bytes]:
    """A request with a header value httpx would refuse to send."""
    request = (
        b"POST /v1/messages/purchase_order HTTP/1.1\r\nHost: hub\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n"
        + f"Authorization: Bearer {hub.admin_key}\r\n".encode()
        + header
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    with socket.create_connection(("127.0.0.1", hub.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, payload = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload


# C0 and DEL in a header value never reach the hub: the HTTP parser (httptools) answers 400
# itself. C1 characters (obs-text on the wire) do, and the intake refuses and records them.
@pytest.mark.parametrize("name", [b"Idempotency-Key", b"X-Crossdock-Source"])
@pytest.mark.parametrize("bad", [b"\x85", b"\x9b"])
def test_a_control_character_in_a_header_is_refused_and_recorded(
    hub: HubProcess, po_example: dict[str, Any], name: bytes, bad: bytes
) -> None:
    body = json.dumps(po_with_number(po_example, "PO-HEADER")).encode()
    status, payload = raw_post(hub, name + b": k" + bad + b"1", body)
    assert status == 400, payload
    problem = json.loads(payload)
    assert "contains control characters" in problem["detail"]
    view = recorded(hub, problem["message_id"])
    assert view["status"] == "rejected"

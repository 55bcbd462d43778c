"""FolderEndpoint on a real file system: atomic, idempotent, named by delivery."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from crossdock.adapters.endpoints.folder import FolderEndpoint, extension_for, safe_part
from crossdock.hub.ports import Endpoint, OutboundRequest


def request(n: int = 1, **overrides: object) -> OutboundRequest:
    fields: dict[str, object] = {
        "delivery_id": f"01HDELIVERY{n}",
        "message_id": f"m{n}",
        "idempotency_key": f"k{n}",
        "correlation_key": "PO-1001",
        "content_type": "application/json",
        "body": b'{"po": 1001}',
    }
    fields.update(overrides)
    return OutboundRequest(**fields)  # type: ignore[arg-type]


async def test_writes_one_file_named_by_correlation_and_delivery(tmp_path: Path) -> None:
    ep: Endpoint = FolderEndpoint("drop", tmp_path / "out")
    result = await ep.send(request())
    assert result.ok
    assert result.status_code is None
    assert result.duration_ms >= 0
    files = list((tmp_path / "out").iterdir())
    assert [f.name for f in files] == ["PO-1001_01HDELIVERY1.json"]
    assert files[0].read_bytes() == b'{"po": 1001}'
    await ep.close()


async def test_redelivery_rewrites_the_same_file(tmp_path: Path) -> None:
    ep = FolderEndpoint("drop", tmp_path)
    assert (await ep.send(request())).ok
    assert (await ep.send(request())).ok
    assert [f.name for f in tmp_path.iterdir()] == ["PO-1001_01HDELIVERY1.json"]


async def test_no_temporary_files_left_behind(tmp_path: Path) -> None:
    ep = FolderEndpoint("drop", tmp_path)
    results = await asyncio.gather(*(ep.send(request(n)) for n in range(50)))
    assert all(r.ok for r in results)
    names = sorted(f.name for f in tmp_path.iterdir())
    assert len(names) == 50
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]


async def test_unsafe_correlation_keys_are_cleaned(tmp_path: Path) -> None:
    ep = FolderEndpoint("drop", tmp_path, extension=".x12")
    req = request(correlation_key="../../etc/passwd PO#7", content_type="application/edi-x12")
    assert (await ep.send(req)).ok
    assert [f.name for f in tmp_path.iterdir()] == ["etc_passwd_PO_7_01HDELIVERY1.x12"]


async def test_write_failure_is_retryable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the folder should be")
    ep = FolderEndpoint("drop", blocker / "out")
    result = await ep.send(request())
    assert not result.ok
    assert result.retryable
    assert result.error is not None and result.error.startswith("write error: ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
async def test_read_only_directory(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        result = await FolderEndpoint("drop", tmp_path).send(request())
    finally:
        tmp_path.chmod(0o700)
    assert (result.ok, result.retryable) == (False, True)


@pytest.mark.parametrize(
    ("content_type", "ext"),
    [
        ("application/json; charset=utf-8", "json"),
        ("application/vnd.acme+json", "json"),
        ("application/xml", "xml"),
        ("application/ld+xml", "xml"),
        ("text/csv", "csv"),
        ("application/edi-x12", "x12"),
        ("application/octet-stream", "bin"),
    ],
)
def test_extension_for(content_type: str, ext: str) -> None:
    assert extension_for(content_type) == ext


def test_safe_part() -> None:
    assert safe_part("PO 1/2") == "PO_1_2"
    assert safe_part("") == "none"
    assert safe_part("...") == "none"
    assert len(safe_part("x" * 1000)) == 120

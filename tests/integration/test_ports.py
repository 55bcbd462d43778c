"""Commands that serve: a taken port is one clear line and a non-zero exit, never a traceback
or a "crossdock up on …" for a hub that never listened; the intake demo delivers to the sink
it started, whatever port that is."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crossdock.entrypoints.demo import delivery_check, point_at_sink
from tests.integration.hubproc import CROSSDOCK, ROOT, free_port


@pytest.fixture
def taken() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _run(*args: str, cwd: Path, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def _one_clear_line(result: subprocess.CompletedProcess[str], port: int) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert "crossdock up on" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert f":{port}" in lines[0] and "in use" in lines[0], output


def test_up_on_a_taken_port_fails_with_one_line_before_starting(taken: int, tmp_path: Path) -> None:
    result = _run(
        str(CROSSDOCK), "up", "--port", str(taken), "--data-dir", str(tmp_path / "d"),
        "--config", str(ROOT / "crossdock.yaml"), cwd=tmp_path,
    )  # fmt: skip
    _one_clear_line(result, taken)
    assert not (tmp_path / "d" / "crossdock.db").exists(), "the hub was built before the bind"


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_sandbox_up_on_a_taken_port_names_it(tmp_path: Path) -> None:
    """The third of the landscape's ports is taken: the command names that one."""
    for _ in range(20):  # a block whose two first ports nobody else holds
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            taken = int(sock.getsockname()[1])
            if not (_free(taken - 2) and _free(taken - 1)):
                continue
            result = _run(
                str(CROSSDOCK), "sandbox", "up", "--base-port", str(taken - 2), cwd=tmp_path
            )
            _one_clear_line(result, taken)
            return
    pytest.skip("no block of three ports with only the last one taken")


def test_demo_on_a_taken_hub_port_fails_with_one_line(taken: int, tmp_path: Path) -> None:
    result = _run(
        str(CROSSDOCK), "demo", "--port", str(taken), "--base-port", "0",
        "--data-dir", str(tmp_path / "d"), "--no-wait", cwd=tmp_path,
    )  # fmt: skip
    _one_clear_line(result, taken)


@pytest.mark.parametrize("option", ["--port", "--sink-port"])
def test_intake_demo_on_a_taken_port_fails_with_one_line(
    option: str, taken: int, tmp_path: Path
) -> None:
    other = "--sink-port" if option == "--port" else "--port"
    result = _run(
        sys.executable, "-m", "crossdock.entrypoints.demo", option, str(taken), other, "0",
        "--data-dir", str(tmp_path / "d"), "--count", "1", "--no-wait", cwd=ROOT,
    )  # fmt: skip
    _one_clear_line(result, taken)


@pytest.mark.slow
def test_intake_demo_delivers_to_the_sink_port_it_was_given(tmp_path: Path) -> None:
    sink_port = free_port()
    result = _run(
        sys.executable, "-m", "crossdock.entrypoints.demo", "--port", "0",
        "--sink-port", str(sink_port), "--data-dir", str(tmp_path / "d"), "--count", "5",
        "--no-wait", cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the sandbox ERP received 5 of 5 deliveries" in result.stdout, result.stdout
    assert "warning" not in result.stdout


def test_the_intake_demo_points_loopback_http_endpoints_at_its_sink() -> None:
    config = {
        "endpoints": {
            "erp": {"type": "http", "url": "http://127.0.0.1:9101/in/erp", "timeout_seconds": 3},
            "wms": {"url": "http://localhost:9101/in/wms"},
            "far": {"type": "http", "url": "https://erp.example.com/in"},
            "archive": {"type": "folder", "path": "./var/demo/outbox"},
        }
    }
    endpoints = point_at_sink(config, "http://127.0.0.1:9112")["endpoints"]
    assert endpoints["erp"] == {
        "type": "http", "url": "http://127.0.0.1:9112/in/erp", "timeout_seconds": 3
    }  # fmt: skip
    assert endpoints["wms"]["url"] == "http://127.0.0.1:9112/in/wms"
    assert endpoints["far"]["url"] == "https://erp.example.com/in"
    assert endpoints["archive"] == {"type": "folder", "path": "./var/demo/outbox"}


def test_the_intake_demo_flags_deliveries_the_sink_did_not_receive() -> None:
    assert delivery_check(posted=200, delivered=200, received=200) is None
    elsewhere = delivery_check(posted=200, delivered=200, received=0)
    assert elsewhere is not None and "another receiver" in elsewhere
    late = delivery_check(posted=200, delivered=150, received=150)
    assert late is not None and "150 of 200" in late


def test_up_on_port_0_listens_on_a_free_port_and_says_which(tmp_path: Path) -> None:
    log = tmp_path / "hub.log"
    with log.open("wb") as out:
        hub = subprocess.Popen(
            [str(CROSSDOCK), "up", "--port", "0", "--data-dir", str(tmp_path / "d"),
             "--config", str(ROOT / "crossdock.yaml")],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        found = None
        while found is None and time.monotonic() < deadline and hub.poll() is None:
            found = re.search(r"crossdock up on http://127\.0\.0\.1:(\d+)", log.read_text())
            time.sleep(0.1)
        assert found, log.read_text()
        port = int(found.group(1))
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        hub.terminate()
        hub.wait(20)

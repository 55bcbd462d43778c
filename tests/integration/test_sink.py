"""The sandbox sink over real loopback HTTP: recording, dedup, failure injection, state file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests import ports


@pytest.fixture(scope="module")
def sink() -> Iterator[RunningSink]:
    with run_sink_in_thread() as running:
        yield running


@pytest.fixture
def client(sink: RunningSink) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sink.url, timeout=5.0) as c:
        c.post("/_reset").raise_for_status()
        yield c


def deliver(client: httpx.Client, path: str, key: str | None, corr: str | None = None) -> str:
    headers = {"X-Crossdock-Message-Id": f"m-{key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    if corr is not None:
        headers["X-Crossdock-Correlation-Key"] = corr
    response = client.post(path, content=b"hello", headers=headers)
    assert response.status_code == 200
    status: str = response.json()["status"]
    return status


def test_records_deliveries_and_counts_duplicates(client: httpx.Client) -> None:
    assert deliver(client, "/in/erp/orders", "k1", "PO-1") == "accepted"
    assert deliver(client, "/in/erp/orders", "k2", "PO-1") == "accepted"
    assert deliver(client, "/in/wms", "k3", "PO-2") == "accepted"
    assert deliver(client, "/in/erp/orders", "k1", "PO-1") == "duplicate"
    assert deliver(client, "/in/wms", None) == "accepted"

    stats = client.get("/_stats").json()
    assert stats["requests"] == 5
    assert stats["received"] == 4
    assert stats["unique_keys"] == 3
    assert stats["duplicates"] == 1
    assert stats["per_path"] == {"/in/erp/orders": 2, "/in/wms": 2}
    assert "per_correlation" not in stats

    detail = client.get("/_stats", params={"detail": 1}).json()
    assert detail["per_correlation"] == {"PO-1": ["k1", "k2"], "PO-2": ["k3"]}
    first = detail["deliveries"][0]
    assert first == {
        "seq": 1,
        "path": "/in/erp/orders",
        "idempotency_key": "k1",
        "message_id": "m-k1",
        "correlation_key": "PO-1",
        "size": 5,
    }


def test_fail_for_count_then_recover(client: httpx.Client) -> None:
    client.post("/_fail", json={"mode": "down", "count": 2}).raise_for_status()
    codes = [client.post("/in/x", headers={"Idempotency-Key": "a"}).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    stats = client.get("/_stats").json()
    assert stats["failed"] == 2
    assert stats["received"] == 1


def test_fail_with_status_until_up(client: httpx.Client) -> None:
    client.post("/_fail", json={"mode": "status", "status": 422}).raise_for_status()
    assert [client.post("/in/x").status_code for _ in range(3)] == [422, 422, 422]
    client.post("/_fail", json={"mode": "up"}).raise_for_status()
    assert client.post("/in/x").status_code == 200


def test_slow_mode_delays_answers(client: httpx.Client) -> None:
    client.post("/_fail", json={"mode": "slow", "delay": 0.3, "count": 1}).raise_for_status()
    started = time.perf_counter()
    assert client.post("/in/x").status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    assert client.post("/in/x").status_code == 200
    assert time.perf_counter() - started < 0.3


def test_bad_control_requests(client: httpx.Client) -> None:
    assert client.post("/_fail", json={"mode": "sideways"}).status_code == 400
    assert client.post("/_fail", content=b"not json").status_code == 400
    assert client.get("/elsewhere").status_code == 404
    assert client.get("/in/x").status_code == 404


def test_reset_forgets(client: httpx.Client) -> None:
    deliver(client, "/in/x", "k1")
    client.post("/_fail", json={"mode": "down"})
    client.post("/_reset").raise_for_status()
    stats = client.get("/_stats").json()
    assert (stats["received"], stats["unique_keys"], stats["failing"]) == (0, 0, None)
    assert deliver(client, "/in/x", "k1") == "accepted"


def test_state_file_survives_restarts(tmp_path: Path) -> None:
    state = tmp_path / "sink.keys"
    with run_sink_in_thread(state) as first, httpx.Client(base_url=first.url) as c:
        deliver(c, "/in/x", "k1")
        deliver(c, "/in/x", "k2")
        deliver(c, "/in/x", "k2")
    assert state.read_text().splitlines() == ["k1", "k2"]

    with run_sink_in_thread(state) as second, httpx.Client(base_url=second.url) as c:
        assert deliver(c, "/in/x", "k2") == "duplicate"
        assert deliver(c, "/in/x", "k3") == "accepted"
        stats = c.get("/_stats").json()
        assert (stats["restored"], stats["unique_keys"], stats["duplicates"]) == (2, 3, 1)
    assert state.read_text().splitlines() == ["k1", "k2", "k3"]


def free_port() -> int:
    """A port for a sink this test starts (below the ephemeral range: ``tests.ports``)."""
    return ports.free_port()


def wait_until_up(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{url}/_stats", timeout=0.5).raise_for_status()
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def sink_process(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    state = tmp_path / "keys.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    cmd = [sys.executable, "-m", "crossdock.sandbox.sink", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--state-file", str(state)], env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url)
        yield url, state
    finally:
        proc.terminate()
        proc.wait(10)


def test_runs_as_a_module(sink_process: tuple[str, Path]) -> None:
    url, state = sink_process
    with httpx.Client(base_url=url) as c:
        assert deliver(c, "/in/erp", "k1") == "accepted"
        assert c.get("/_stats").json()["received"] == 1
    assert state.read_text() == "k1\n"


@pytest.mark.slow
def test_throughput_over_keep_alive(sink_process: tuple[str, Path]) -> None:
    url, _ = sink_process
    port = int(url.rsplit(":", 1)[1])
    per_thread, threads = 1500, 4
    done: list[int] = []

    def worker(n: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(n):
                body = b"{}"
                s.sendall(
                    b"POST /in/bench HTTP/1.1\r\nHost: sink\r\nContent-Length: 2\r\n"
                    + f"Idempotency-Key: {threading.get_ident()}-{i}\r\n\r\n".encode()
                    + body
                )
                buf = b""
                while not buf.endswith(b"}"):
                    buf += s.recv(4096)
        done.append(n)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(per_thread,)) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    rate = sum(done) / (time.perf_counter() - started)
    assert sum(done) == per_thread * threads
    assert rate > 3000, f"{rate:.0f} req/s"


def test_a_slow_request_does_not_take_a_failure_injected_after_it_arrived(
    client: httpx.Client,
) -> None:
    """Failures are decided when a request arrives, so a request still asleep in ``slow`` mode
    never consumes the failure injected for the requests after it."""
    client.post("/_fail", json={"mode": "slow", "delay": 0.6, "count": 1}).raise_for_status()
    with pytest.raises(httpx.TimeoutException):
        client.post("/in/a", content=b"{}", headers={"Idempotency-Key": "slow-1"}, timeout=0.1)
    client.post("/_fail", json={"mode": "status", "status": 408, "count": 1}).raise_for_status()
    time.sleep(0.9)  # the slow request wakes up meanwhile
    answer = client.post("/in/a", content=b"{}", headers={"Idempotency-Key": "next-1"})
    assert answer.status_code == 408

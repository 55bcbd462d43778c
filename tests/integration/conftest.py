from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests.conftest import EXAMPLES


@pytest.fixture
def sink() -> Iterator[RunningSink]:
    running = run_sink_in_thread()
    yield running
    running.stop()


@pytest.fixture
def control(sink: RunningSink) -> Iterator[httpx.Client]:
    """A client for the sink's control API, with the sink reset (works with a module-scoped
    `sink` override too)."""
    with httpx.Client(base_url=sink.url, timeout=5.0) as client:
        client.post("/_reset").raise_for_status()
        yield client


@pytest.fixture
def po_example() -> dict[str, Any]:
    return json.loads((EXAMPLES / "purchase_order.json").read_text())


def po_with_number(example: dict[str, Any], number: str) -> dict[str, Any]:
    doc = json.loads(json.dumps(example))
    doc["po_number"] = number
    return doc


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path

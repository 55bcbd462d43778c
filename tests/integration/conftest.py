from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crossdock.sandbox.sink import RunningSink, run_sink_in_thread
from tests.conftest import EXAMPLES


@pytest.fixture
def sink() -> Iterator[RunningSink]:
    running = run_sink_in_thread()
    yield running
    running.stop()


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

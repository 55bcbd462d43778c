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


#: The store profiles an end-to-end test runs on: `@BOTH_PROFILES` on a test whose hub takes
#: the `profile` fixture's config. Only the essential end-to-end tests run on both (intake →
#: delivery, kill -9, the flows scenario with a fault): the rest stay on the embedded default.
BOTH_PROFILES = pytest.mark.parametrize("profile", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def profile(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The hub's store config: ``{}`` (SQLite in the data dir, the default when a test is not
    parametrized) or ``store.url`` on a fresh PostgreSQL schema (skips without a server)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return {}
    return {"store": {"url": request.getfixturevalue("postgres_url")}}

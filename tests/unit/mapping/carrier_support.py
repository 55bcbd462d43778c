"""Shared helpers for the carrier mapping tests: fixtures, corpus samples, compact views."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crossdock.mapping.carriers import NormalizedEvent
from tests.conftest import CORPUS, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "carriers"
CARRIER_CORPUS = CORPUS / "carriers"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def corpus_path(name: str) -> Path:
    path = CARRIER_CORPUS / name
    if not path.is_file():
        pytest.skip(f"carrier corpus sample {path} is absent (../shared/corpus not mounted)")
    return path


def corpus(name: str) -> Any:
    return json.loads(corpus_path(name).read_text())


def view(event: NormalizedEvent) -> tuple[Any, ...]:
    """(path, milestone, occurred_at UTC, shipment, raw code, city) of a mapped event."""
    m = event.milestone
    assert m is not None, event.errors
    city = m.location.city if m.location else None
    return (
        event.path,
        m.milestone.value,
        m.occurred_at.isoformat(),
        m.shipment_id,
        m.carrier_status_code,
        city,
    )

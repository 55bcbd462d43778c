"""The test helper that runs a real hub stops what it started, even when it gives up."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.hubproc import HubProcess


def test_a_hub_that_does_not_become_ready_in_time_is_stopped(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path, {})
    with pytest.raises(RuntimeError, match="did not become ready"):
        hub.start(timeout=0.1)
    assert hub.proc is not None and hub.proc.poll() is not None

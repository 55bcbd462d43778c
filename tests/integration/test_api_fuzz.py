"""Schemathesis against a live hub: every operation of the OpenAPI document, fed generated
input that fits the schema and input that breaks it, must never answer 5xx (nor take the hub
down). A bounded run — a few examples per operation and mode — so it stays under a minute; the
full run is ``schemathesis run http://127.0.0.1:PORT/openapi.json --checks not_a_server_error``.

Schemathesis' pytest plugin is disabled (``-p no:schemathesis`` in pyproject): its
parametrization does not run on this pytest, and the operations are walked here instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.integration import schemathesis_hooks  # noqa: F401 (registers the NDJSON / X12 bodies)
from tests.integration.hubproc import HubProcess

pytestmark = pytest.mark.slow

MEMORY_LIMIT = 768 * 1_048_576
EXAMPLES = 3  # per operation and mode


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    config: dict[str, Any] = {
        "hub": {"prepare_workers": 0},
        "carriers": {"fedex": {"format": "track_v1"}},
        "systems": {"erp": {"format": "sandbox_erp"}},
    }
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    process = HubProcess(workdir, config, memory_limit=MEMORY_LIMIT)
    process.start(timeout=90)  # start-up is slow on a loaded machine
    yield process
    process.stop()


def _fuzz(operation: Any, mode: GenerationMode, server_errors: list[str]) -> int:
    """Call `operation` with EXAMPLES generated cases; note every 5xx. Returns the calls made."""
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(timeout=30)
        if response.status_code >= 500:
            server_errors.append(
                f"{case.method} {case.formatted_path} {case.query or ''} -> "
                f"{response.status_code}: {response.text[:300]}\n  {case.as_curl_command()}"
            )

    try:
        run()
    except Unsatisfiable:
        pass  # nothing to break: e.g. an operation without parameters has no negative cases
    return calls


def test_no_operation_answers_5xx(live_hub: HubProcess) -> None:
    schema = schemathesis.openapi.from_url(f"{live_hub.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API, not an empty document
    server_errors: list[str] = []
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            calls += _fuzz(operation, mode, server_errors)
    assert live_hub.proc is not None and live_hub.proc.poll() is None, "the hub died"
    assert not server_errors, f"{len(server_errors)} of {calls} calls answered 5xx:\n" + "\n".join(
        server_errors[:10]
    )

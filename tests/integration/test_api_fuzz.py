"""Schemathesis against a live hub: every operation of the OpenAPI document, fed input that
fits the schema, input that breaks it and its boundary values (the coverage phase), must never
answer 5xx nor take the hub down.

A bounded run (a few examples per operation, a time budget) so it stays around half a minute.
It runs schemathesis' own runner (its CLI, in a subprocess): the coverage phase that probes the
boundaries is only there, and its pytest plugin does not run on this pytest. Every answer must
also match the document: a documented status, content type and body schema. A deeper run by
hand: ``SCHEMATHESIS_HOOKS=tests.integration.schemathesis_hooks schemathesis --config-file
<toml with the parameters below> run http://127.0.0.1:PORT/openapi.json --checks
not_a_server_error --max-examples 50``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.hubproc import ROOT, HubProcess

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
#: No 5xx, and every answer documented: its status, its content type, its body's schema.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
MEMORY_LIMIT = 768 * 1_048_576
#: Path parameters that name configured things, so the fuzzer reaches past the 404s.
PARAMETERS = """
[parameters]
"path.document_type" = "purchase_order"
"path.source" = "erp"
"path.carrier" = "fedex"
"""


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


def test_no_operation_answers_5xx(live_hub: HubProcess) -> None:
    toml = live_hub.workdir / "schemathesis.toml"
    toml.write_text(PARAMETERS)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.integration.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(toml),
            "run",
            f"{live_hub.url}/openapi.json",
            "--header",  # authenticated as the operator: every route, not 401s
            f"Authorization: Bearer {live_hub.admin_key}",
            "--checks",
            CHECKS,
            "--phases",
            "coverage,fuzzing",
            "--max-examples",
            "3",
            "--max-time",
            "45",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
            "--seed",
            "20261206",
        ],
        cwd=live_hub.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    assert " generated, " in summary and "passed" in summary, summary
    assert live_hub.proc is not None and live_hub.proc.poll() is None, "the hub died"

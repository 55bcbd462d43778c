"""`crossdock exceptions ...` and `crossdock flows ...` in process, against a real store file.

Retry and replay do the real thing: a dead letter goes back to its delivery queue, a replayed
message is routed again with a new delivery key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crossdock.entrypoints import cli
from crossdock.hub.delivery import delivery_group
from crossdock.hub.flows.exceptions import dead_delivery, to_record
from crossdock.hub.ids import new_id
from crossdock.hub.records import ConsumerGroup
from crossdock.hub.routing import Route, Router
from crossdock.hub.runtime import route_group
from tests.conftest import SqlStore
from tests.unit.flows.helpers import T0, Clock, drain, engine, example, recorded
from tests.unit.flows.test_timers import AFTER_DUE, open_orders, timer_job
from tests.unit.flows.toy_flow import NAME

PO_NUMBER = example("purchase_order")["po_number"]
ROUTE_GROUP: ConsumerGroup = route_group("critical", ["purchase_order"])
ERP = delivery_group("critical", "erp")


@dataclass
class Scenario:
    po_id: str
    late_id: str  # raised by the toy flow's timer
    dead_id: str  # endpoint_unavailable, raised for the PO's dead-lettered delivery


def route_all(store: SqlStore) -> int:
    store.bus.ensure_group(ROUTE_GROUP)
    created = 0
    while entries := store.bus.fetch(ROUTE_GROUP.name, 10):
        with store.uow() as uow:
            created += (
                Router([Route("po-to-erp", "purchase_order", "erp")])
                .handle_batch(uow, ROUTE_GROUP.name, entries)
                .created
            )
            uow.commit()
        store.bus.ack(ROUTE_GROUP.name, entries)
    return created


@pytest.fixture
def scenario(store: SqlStore) -> Scenario:
    """A PO whose flow went late, and whose delivery to the ERP was dead-lettered."""
    [po_id] = open_orders(store)
    assert route_all(store) == 1
    store.bus.ensure_group(ERP)
    [entry] = store.bus.fetch(ERP.name, 10)
    store.bus.dead_letter(ERP.name, entry, "HTTP 503: erp down")
    assert timer_job(store, _clock()).run_once().exceptions == 1
    with store.uow() as uow:
        [late] = uow.exceptions.find()
        dead = to_record(
            dead_delivery(po_id, ERP.name, "HTTP 503: erp down", correlation_key=PO_NUMBER),
            id=new_id(),
            created_at=T0,
        )
        uow.exceptions.add(dead)
        uow.commit()
    return Scenario(po_id, late.id, dead.id)


def _clock() -> Clock:
    return Clock(AFTER_DUE)


def run(tmp_path: Path, *args: str) -> Any:
    config = tmp_path / "crossdock.yaml"
    if not config.exists():
        config.write_text(f"hub: {{data_dir: {tmp_path}}}\n")
    return CliRunner().invoke(
        cli.app,
        [*args, "--config", str(config), "--data-dir", str(tmp_path)],
        prog_name="crossdock",
        env={"COLUMNS": "200"},
    )


def as_json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_filters_by_category_status_and_key(tmp_path: Path, scenario: Scenario) -> None:
    everything = as_json(run(tmp_path, "exceptions", "list", "--json"))
    late = as_json(
        run(tmp_path, "exceptions", "list", "--category", "late_acknowledgment", "--json")
    )
    by_key = as_json(run(tmp_path, "exceptions", "list", "--key", PO_NUMBER, "--json"))
    resolved = as_json(run(tmp_path, "exceptions", "list", "--status", "resolved", "--json"))

    assert [e["id"] for e in everything] == [scenario.dead_id, scenario.late_id]  # newest first
    assert [(e["id"], e["owner_role"], e["flow"]) for e in late] == [
        (scenario.late_id, "buyer", NAME)
    ]
    assert len(by_key) == 2 and resolved == []
    table = run(tmp_path, "exceptions", "list")
    assert table.exit_code == 0 and "2 exception(s)" in table.stdout
    assert "endpoint_unavailable" in table.stdout and "integration_support" in table.stdout


def test_an_unknown_category_is_refused_with_the_known_ones(
    tmp_path: Path, scenario: Scenario
) -> None:
    result = run(tmp_path, "exceptions", "list", "--category", "late")
    assert result.exit_code == 2
    assert "unknown category 'late'" in result.output and "late_acknowledgment" in result.output


def test_show_names_the_evidence_messages(tmp_path: Path, scenario: Scenario) -> None:
    view = as_json(run(tmp_path, "exceptions", "show", scenario.late_id, "--json"))
    assert view["category"] == "late_acknowledgment" and view["status"] == "open"
    assert view["evidence"] == [scenario.po_id]
    [message] = view["evidence_messages"]
    assert (message["id"], message["document_type"]) == (scenario.po_id, "purchase_order")
    text = run(tmp_path, "exceptions", "show", scenario.late_id)
    assert text.exit_code == 0 and scenario.po_id in text.stdout and "buyer" in text.stdout
    missing = run(tmp_path, "exceptions", "show", "NOPE")
    assert missing.exit_code == 1 and "no exception with id 'NOPE'" in missing.output


def test_resolve_needs_a_reason_and_happens_once(tmp_path: Path, scenario: Scenario) -> None:
    assert run(tmp_path, "exceptions", "resolve", scenario.late_id).exit_code == 2  # no --reason
    done = run(tmp_path, "exceptions", "resolve", scenario.late_id, "--reason", "supplier called")
    again = run(tmp_path, "exceptions", "resolve", scenario.late_id, "--reason", "twice")

    assert done.exit_code == 0 and "resolved" in done.stdout
    assert again.exit_code == 1 and "already resolved (supplier called)" in again.output
    view = as_json(run(tmp_path, "exceptions", "show", scenario.late_id, "--json"))
    assert (view["status"], view["resolution"]) == ("resolved", "supplier called")
    assert [a["action"] for a in view["actions"]] == ["resolve"]
    still_open = as_json(run(tmp_path, "exceptions", "list", "--status", "open", "--json"))
    assert [e["id"] for e in still_open] == [scenario.dead_id]


def test_retry_puts_the_dead_letter_back_in_its_queue(
    tmp_path: Path, store: SqlStore, scenario: Scenario
) -> None:
    assert len(store.bus.dead_letters(ERP.name)) == 1
    result = run(tmp_path, "exceptions", "retry", scenario.dead_id)

    assert result.exit_code == 0, result.output
    assert "1 dead letter(s) back in their queue (deliver.critical.erp)" in result.stdout
    assert store.bus.dead_letters(ERP.name) == []
    [entry] = store.bus.fetch(ERP.name, 10)  # deliverable again, attempts restarted
    assert entry.message_id == scenario.po_id and entry.deliveries == 1
    nothing = run(tmp_path, "exceptions", "retry", scenario.late_id)
    assert nothing.exit_code == 1 and "nothing to retry" in nothing.output
    view = as_json(run(tmp_path, "exceptions", "show", scenario.dead_id, "--json"))
    assert [a["action"] for a in view["actions"]] == ["retry"]


def test_replay_routes_the_evidence_again_with_a_new_delivery_key(
    tmp_path: Path, store: SqlStore, scenario: Scenario
) -> None:
    result = run(tmp_path, "exceptions", "replay", scenario.late_id, "--json")

    assert as_json(result)["replayed"] == {"route.critical": 1}
    assert route_all(store) == 1
    with store.uow.reader() as uow:
        keys = sorted(d.idempotency_key for d in uow.deliveries.for_message(scenario.po_id))
    assert keys[0] == f"{scenario.po_id}.po-to-erp"
    assert keys[1].startswith(f"{scenario.po_id}.po-to-erp.r")


def test_flows_list_and_show(tmp_path: Path, scenario: Scenario) -> None:
    rows = as_json(run(tmp_path, "flows", "list", "--flow", NAME, "--json"))
    assert [(r["key"], r["state"], r["version"]) for r in rows] == [(PO_NUMBER, "late", 2)]
    assert as_json(run(tmp_path, "flows", "list", "--state", "sent", "--json")) == []
    view = as_json(run(tmp_path, "flows", "show", NAME, PO_NUMBER, "--json"))
    assert view["data"]["po_message"] == scenario.po_id
    assert [(t["name"], t["fired_at"] is not None) for t in view["timers"]] == [("ack_due", True)]
    assert [e["id"] for e in view["exceptions"]] == [scenario.late_id]
    missing = run(tmp_path, "flows", "show", NAME, "PO-NONE")
    assert missing.exit_code == 1 and "no order_follow_up flow instance" in missing.output


def test_an_ack_after_the_deadline_still_advances_the_late_flow(
    store: SqlStore, scenario: Scenario
) -> None:
    recorded(store, "purchase_order_acknowledgment")
    drain(store, engine(_clock()))
    with store.uow.reader() as uow:
        state = uow.flows.get(NAME, PO_NUMBER)
    assert state is not None and state.state == "acknowledged" and state.data["late"] is True


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        (["exceptions", "list"], "--category"),
        (["exceptions", "show"], "--json"),
        (["exceptions", "resolve"], "--reason"),
        (["exceptions", "retry"], "dead letters"),
        (["exceptions", "replay"], "--group"),
        (["flows", "list"], "--state"),
        (["flows", "show"], "timers"),
    ],
)
def test_help_of_the_exception_and_flow_commands(command: list[str], mentions: str) -> None:
    result = CliRunner().invoke(
        cli.app, [*command, "--help"], prog_name="crossdock", env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert mentions in " ".join(result.output.split())

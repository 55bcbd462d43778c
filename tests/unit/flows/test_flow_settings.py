"""The `flows:` settings section and `bootstrap.build_flows`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from crossdock.bootstrap import build_flows, build_hub
from crossdock.config import Settings
from crossdock.hub.flows.model import FlowDefinition, FlowState, MessageEvent
from crossdock.hub.flows.p2p_policy import PartnerTerms, ProcureToPayPolicy
from tests.unit.flows.helpers import T0
from tests.unit.flows.p2p_documents import PO, purchase_order


def names(flows: list[FlowDefinition]) -> list[str]:
    return [f.name for f in flows]


def test_flows_are_opt_in() -> None:
    assert build_flows(Settings()) == []


def test_enabled_flows_are_built() -> None:
    settings = Settings(
        flows={"procure_to_pay": {"enabled": True}, "order_to_delivery": {"enabled": True}}
    )
    assert names(build_flows(settings)) == [
        "procure_to_pay",
        "order_to_delivery",
        "shipment_tracking",
    ]
    only = Settings(flows={"order_to_delivery": {"enabled": True}})
    assert names(build_flows(only)) == ["order_to_delivery", "shipment_tracking"]


def test_sla_and_partner_settings_reach_the_flow() -> None:
    settings = Settings(
        flows={
            "procure_to_pay": {
                "enabled": True,
                "ack_due_hours": 12,
                "tolerances": {"price_percent": "2"},
                "partners": {"CASCADEPAPER": {"ack_due_hours": 36}},
            }
        }
    )
    assert settings.flows.procure_to_pay.tolerances.price_percent == Decimal(2)
    [flow] = build_flows(settings)
    state = FlowState(flow.name, PO, "new", {}, 0, T0, T0)
    event = MessageEvent("M1", "purchase_order", "erp", purchase_order(), T0, T0)
    reaction = flow.react(state, event)
    assert {t.name: t.due_at for t in reaction.set_timers}["ack_due"] == T0 + timedelta(hours=36)
    other = purchase_order()
    other["supplier"] = {"role": "supplier", "name": "Someone Else"}
    reaction = flow.react(state, MessageEvent("M2", "purchase_order", "erp", other, T0, T0))
    assert {t.name: t.due_at for t in reaction.set_timers}["ack_due"] == T0 + timedelta(hours=12)


def test_unknown_flow_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="milestone_every_hour"):
        Settings(flows={"order_to_delivery": {"milestone_every_hour": 6}})
    with pytest.raises(ValidationError):
        Settings(flows={"procure_to_pay": {"tolerances": {"price_percent": -1}}})


def test_a_hub_with_the_flows_enabled_runs_their_consumer_and_timers(tmp_path: Path) -> None:
    settings = Settings(
        hub={"data_dir": tmp_path / "data"},
        flows={"procure_to_pay": {"enabled": True}, "order_to_delivery": {"enabled": True}},
    )

    async def start_and_list() -> list[str]:
        services = build_hub(settings)
        await services.start()
        try:
            return [t.get_name() for t in services.runtime._tasks]
        finally:
            await services.stop()

    assert {"flow.critical", "fire_flow_timers"} <= set(asyncio.run(start_and_list()))


def test_a_partner_setting_of_zero_days_is_kept_not_defaulted() -> None:
    policy = ProcureToPayPolicy(
        partners={"acme": PartnerTerms(asn_due_before_promised=timedelta(0))}
    )
    assert policy.terms("acme").asn_due_before_promised == timedelta(0)
    assert policy.terms("acme").ack_due == timedelta(hours=24)
    assert policy.terms(None).asn_due_before_promised == timedelta(days=1)

"""Flow definitions from settings: which process managers run, with which SLAs and tolerances."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from crossdock.config import Settings
from crossdock.config.flows import TolerancesConfig
from crossdock.hub.delivered import delivered_subject
from crossdock.hub.flows import (
    invoice_payment,
    order_to_delivery,
    procure_to_pay,
    shipment_tracking,
)
from crossdock.hub.flows.model import FlowDefinition
from crossdock.hub.flows.order_to_delivery import OrderToDeliveryPolicy
from crossdock.hub.flows.p2p_policy import PartnerTerms, ProcureToPayPolicy
from crossdock.hub.flows.three_way_match import Tolerance, Tolerances


def build_flows(settings: Settings) -> list[FlowDefinition]:
    """The flows this hub runs (process managers, `crossdock.hub.flows`), from `flows:`.

    Settings become the flows' plain policies here, because the hub never reads settings.
    Order-to-delivery comes with `shipment_tracking`, which relates carrier events (keyed by
    tracking number) to their orders; `invoice_payment` books remittances per invoice number.
    """
    config = settings.flows
    flows: list[FlowDefinition] = []
    if config.procure_to_pay.enabled:
        flows.append(procure_to_pay.definition(_p2p_policy(settings)))
    if config.order_to_delivery.enabled:
        o2d = config.order_to_delivery
        policy = OrderToDeliveryPolicy(
            milestone_every=timedelta(hours=o2d.milestone_every_hours),
            pod_due=timedelta(hours=o2d.pod_due_hours),
        )
        flows += [order_to_delivery.definition(policy), shipment_tracking.definition()]
    if config.invoice_payment.enabled:
        flows.append(invoice_payment.definition())
    return flows


def _tolerances(config: TolerancesConfig) -> Tolerances:
    return Tolerances(
        quantity=Tolerance(config.quantity_percent, config.quantity_absolute),
        price=Tolerance(config.price_percent, config.price_absolute),
    )


def delivered_subjects(settings: Settings, flows: Sequence[FlowDefinition]) -> dict[str, str]:
    """Route name -> the subject its successful deliveries are announced on, for the routes
    of the document types some flow waits to see delivered (`hub/delivered.py`)."""
    watched = {t for f in flows for t in f.delivered_types}
    return {
        r.name: delivered_subject(settings.lane_for(r.when.document_type), r.when.document_type)
        for r in settings.routes
        if r.when.document_type in watched
    }


def _supplier_routes(settings: Settings) -> frozenset[str]:
    """The routes whose delivery of a PO starts the supplier's acknowledgment clock."""
    named = settings.flows.procure_to_pay.supplier_routes
    if named is not None:
        return frozenset(named)
    return frozenset(r.name for r in settings.routes if r.when.document_type == "purchase_order")


def _p2p_policy(settings: Settings) -> ProcureToPayPolicy:
    config = settings.flows.procure_to_pay

    def days(value: float | None) -> timedelta | None:
        return None if value is None else timedelta(days=value)

    partners = {
        name: PartnerTerms(
            ack_due=timedelta(hours=p.ack_due_hours) if p.ack_due_hours else None,
            asn_due_before_promised=days(p.asn_due_days_before_promised),
            tolerances=_tolerances(p.tolerances) if p.tolerances else None,
        )
        for name, p in config.partners.items()
    }
    return ProcureToPayPolicy(
        ack_due=timedelta(hours=config.ack_due_hours),
        asn_due_before_promised=timedelta(days=config.asn_due_days_before_promised),
        tolerances=_tolerances(config.tolerances),
        partners=partners,
        supplier_routes=_supplier_routes(settings),
    )

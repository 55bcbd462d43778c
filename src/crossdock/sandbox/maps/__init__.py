"""The sandbox landscape's system maps: its ERP, WMS, TMS and supplier portal <-> canonical.

They belong with the simulated systems whose APIs they describe, not in production mapping;
the hub finds them through the ``crossdock.system_maps`` entry point declared in
``pyproject.toml`` (`crossdock.mapping.systems.registry`), like any user's own system maps.
"""

from __future__ import annotations

from crossdock.mapping.systems.common import DEFAULTS
from crossdock.mapping.systems.model import SystemFormat
from crossdock.mapping.systems.registry import SystemMaps
from crossdock.sandbox.maps import erp, supplier, tms, wms
from crossdock.sandbox.maps.flows import flow_maps


def system_maps() -> SystemMaps:
    """The entry point: the sandbox systems' formats, outbound and position maps."""
    erp_events = {
        "purchaseOrder.released": erp.PURCHASE_ORDER,
        "purchaseOrder.changed": erp.PURCHASE_ORDER,
        "salesOrder.released": erp.FULFILLMENT_ORDER,
    }
    return SystemMaps(
        formats=(
            SystemFormat("sandbox_erp", ("eventType",), "x-sandbox-event", erp_events, DEFAULTS),
            SystemFormat("sandbox_wms", ("event_type",), None, wms.INBOUND, DEFAULTS),
            SystemFormat("sandbox_tms", ("eventType",), None, tms.INBOUND, DEFAULTS),
            SystemFormat("sandbox_supplier", (), "x-sandbox-event", supplier.INBOUND, DEFAULTS),
        ),
        outbound=(*erp.OUTBOUND, *wms.OUTBOUND, *tms.OUTBOUND, *supplier.OUTBOUND, *flow_maps()),
        positions=(erp.INVENTORY_POSITIONS, wms.INVENTORY_POSITIONS),
    )

"""Shipment facts from a key's documents: the timeline in the order things happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from crossdock.hub.flows.model import FlowState
from crossdock.hub.identity import Principal
from crossdock.hub.products import shipments
from crossdock.hub.products.ports import StoredDocument

CARRIER = {"role": "carrier", "name": "Blue Ridge Freight"}


def doc(n: int, kind: str, **fields: Any) -> StoredDocument:
    body = {"shipment_id": "S1", "carrier": CARRIER, **fields}
    return StoredDocument(f"m{n}", kind, 1, "carrier", datetime(2026, 1, 1, tzinfo=UTC), body)


class Reads:
    def __init__(self, documents: list[StoredDocument]) -> None:
        self._documents = documents

    def by_key(self, document_types: Sequence[str], key: str) -> list[StoredDocument]:
        return [d for d in self._documents if d.document_type in document_types]

    def flow(self, flow: str, key: str) -> FlowState | None:
        return None


def test_milestones_are_ordered_by_instant_whatever_their_offsets() -> None:
    reads = Reads([
        doc(1, "shipment_milestone", milestone="in_transit", event_id="B",
            occurred_at="2024-11-12T21:00:00+00:00"),
        doc(2, "shipment_milestone", milestone="picked_up", event_id="A",
            occurred_at="2024-11-13T01:00:00+05:00"),  # 20:00 UTC: the earlier one
        doc(3, "shipment_milestone", milestone="picked_up", event_id="A",
            occurred_at="2024-11-13T01:00:00+05:00"),  # the carrier resent it
    ])  # fmt: skip
    found = shipments.facts(reads, "S1")  # type: ignore[arg-type]
    assert found is not None
    assert [m["milestone"] for m in found.milestones] == ["picked_up", "in_transit"]


def test_a_carrier_principal_without_a_partner_role_is_still_a_carrier() -> None:
    reads = Reads([doc(1, "shipment_milestone", milestone="booked",
                       occurred_at="2024-11-12T21:00:00+00:00")])  # fmt: skip
    carrier = Principal("carrier:brf", "carrier", partner="Blue Ridge Freight")
    assert shipments.get(reads, carrier, {}, "S1") is not None  # type: ignore[arg-type]
    other = Principal("carrier:ups", "carrier", partner="ups")
    assert shipments.get(reads, other, {}, "S1") is None  # type: ignore[arg-type]

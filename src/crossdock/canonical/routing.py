"""Routing: a supplier asks how to ship (X12 753) and the buyer answers (754).

Buyers that control inbound freight (retailers, large distributors) tell suppliers which
carrier to tender to and when. Both documents are keyed by the request number, so the
instructions join their request's flow.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalDocument
from crossdock.canonical.freight import FreightOrder
from crossdock.canonical.party import Party
from crossdock.canonical.registry import register
from crossdock.canonical.shipment import Scac
from crossdock.canonical.values import Code


@register
class RoutingRequest(CanonicalDocument):
    """A supplier's request for routing instructions (X12 753) for orders ready to ship.

    Attributes:
        request_number: The supplier's request id (BGN02); the correlation key.
        ready_on: When the goods can be picked up (G62 10).
    """

    document_type = "routing_request"
    schema_version = 1

    request_number: Code
    requested_on: date
    supplier: Party | None = None
    ship_from: Party | None = None
    ship_to: Party | None = None
    ready_on: date | None = None
    orders: Annotated[list[FreightOrder], Field(min_length=1)]

    def correlation_key(self) -> str:
        """The request number: the instructions answering it share it."""
        return self.request_number


@register
class RoutingInstructions(CanonicalDocument):
    """How to ship a routing request's orders (X12 754): carrier, load and pick-up time.

    Attributes:
        instruction_number: The instructions' own id (BGN02).
        request_number: The request they answer (BGN06); the correlation key.
        transport_method: X12 91 as sent (M motor, LT less than truckload, TL truckload…).
        load_number: The load the orders are consolidated in (N9 LO), to quote when tendering.
    """

    document_type = "routing_instructions"
    schema_version = 1

    instruction_number: Code
    request_number: Code
    issued_on: date
    carrier: Party | None = None
    carrier_scac: Scac | None = None
    transport_method: Code | None = None
    load_number: Code | None = None
    pickup_at: AwareDatetime | None = None
    ship_from: Party | None = None
    ship_to: Party | None = None
    orders: list[FreightOrder] = Field(default_factory=list)

    def correlation_key(self) -> str:
        """The request number, so the answer joins the request."""
        return self.request_number

"""The procure-to-pay flow's settings as plain values, and how a supplier finds its own.

Bootstrap builds a `ProcureToPayPolicy` from the `flows.procure_to_pay` settings; the hub
never reads settings itself (it must not import the config layer), and the flow closes over
the policy, so its reactions stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from crossdock.hub.flows.three_way_match import Tolerances


@dataclass(slots=True, frozen=True)
class PartnerTerms:
    """A supplier's own SLAs and tolerances; None keeps the flow's default."""

    ack_due: timedelta | None = None
    asn_due_before_promised: timedelta | None = None
    tolerances: Tolerances | None = None


@dataclass(slots=True, frozen=True)
class ProcureToPayPolicy:
    """The flow's settings as plain values (built from `flows.procure_to_pay` by bootstrap).

    `partners` is keyed by partner name; a supplier is found by its party's name, GLN, X12 id
    or any of its codes (compared case-insensitively).

    `supplier_routes` are the routes that deliver purchase orders to suppliers: the
    acknowledgment clock starts when one of them delivered the PO (the supplier has had it
    since then; the hub's backlog before is the hub's). Empty — no route takes POs to
    suppliers, they get them some other way — the clock starts when the flow takes the PO."""

    ack_due: timedelta = timedelta(hours=24)
    asn_due_before_promised: timedelta = timedelta(days=1)
    tolerances: Tolerances = field(default_factory=Tolerances)
    partners: Mapping[str, PartnerTerms] = field(default_factory=dict)
    supplier_routes: frozenset[str] = frozenset()

    def partner_for(self, party: Mapping[str, Any] | None) -> str | None:
        party = party or {}
        names = {party.get("name"), party.get("gln"), (party.get("x12") or {}).get("identifier")}
        names |= {c.get("value") for c in party.get("codes") or []}
        wanted = {str(n).casefold() for n in names if n}
        return next((p for p in self.partners if p.casefold() in wanted), None)

    def terms(self, partner: str | None) -> PartnerTerms:
        """The partner's terms with every gap filled from the flow's (so none is None)."""
        own = self.partners.get(partner or "", PartnerTerms())
        before = own.asn_due_before_promised  # zero days is a setting, not a gap
        return PartnerTerms(
            ack_due=own.ack_due if own.ack_due is not None else self.ack_due,
            asn_due_before_promised=before if before is not None else self.asn_due_before_promised,
            tolerances=own.tolerances if own.tolerances is not None else self.tolerances,
        )

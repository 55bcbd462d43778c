"""Which document types a partner must certify before it goes live, and how far it is.

Defaults per partner kind (``onboarding.checklists`` replaces them per kind; a partner's own
``checklist`` replaces its kind's). A type counts as passed once one sample of it passed
certification; failed samples never undo a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from crossdock.hub.partners.model import CertificationResult, Partner

#: What each kind sends the distributor in production (X12 855/856/810 for a supplier).
DEFAULT_CHECKLISTS: Final[Mapping[str, tuple[str, ...]]] = {
    "supplier": ("purchase_order_acknowledgment", "advance_ship_notice", "invoice"),
    "carrier": ("shipment_milestone", "proof_of_delivery"),
    "3pl": ("shipment", "goods_receipt", "inventory_position"),
    "customer": ("purchase_order",),
    "internal": (),
}


@dataclass(frozen=True, slots=True)
class Checklist:
    required: tuple[str, ...]
    passed: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, object]:
        return {
            "required": list(self.required),
            "passed": list(self.passed),
            "missing": list(self.missing),
            "complete": self.complete,
        }


def required_types(partner: Partner, by_kind: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    if partner.checklist is not None:
        return tuple(partner.checklist)
    return tuple(by_kind.get(partner.kind, DEFAULT_CHECKLISTS.get(partner.kind, ())))


def checklist(
    partner: Partner,
    results: Iterable[CertificationResult],
    by_kind: Mapping[str, Sequence[str]],
) -> Checklist:
    required = required_types(partner, by_kind)
    passed_types = {r.document_type for r in results if r.passed}
    return Checklist(
        required=required,
        passed=tuple(t for t in required if t in passed_types),
        missing=tuple(t for t in required if t not in passed_types),
    )

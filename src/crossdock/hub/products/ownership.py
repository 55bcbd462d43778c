"""Whose document is it: the one place that decides whether a partner is a document's party.

A purchase order names its supplier, a shipment its carrier and its consignee, as canonical
`Party` objects (name, GLN, DUNS, X12 id, own codes). A principal names its partner by logical
name. A partner is a party when its logical name or one of its identifiers
(`PartnerIdentifiers`: the file's partners' X12 ids and carriers' SCAC from settings, then the
registered partners' GLN, D-U-N-S, X12 ids and own codes from the partner directory's
snapshot; see `entrypoints/api/purchase_orders.known`) equals one of the party's identifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.hub.identity import Principal

#: partner logical name -> identifiers it is known by in documents (compared case-blind).
PartnerIdentifiers = Mapping[str, frozenset[str]]


def party_identifiers(party: Mapping[str, Any] | None) -> set[str]:
    """Every identifier a canonical party (as JSON) carries, case-folded."""
    if not party:
        return set()
    names = {party.get("name"), party.get("gln"), party.get("duns")}
    names.add((party.get("x12") or {}).get("identifier"))
    names |= {c.get("value") for c in party.get("codes") or [] if isinstance(c, Mapping)}
    return {str(n).casefold() for n in names if n}


def is_party(
    principal: Principal, party: Mapping[str, Any] | None, known: PartnerIdentifiers
) -> bool:
    """Whether `principal` may see a document in which it is `party`: operators always; a
    partner when one of its identifiers is one of the party's; anyone else never."""
    if principal.is_operator:
        return True
    partner = principal.partner
    if partner is None:
        return False
    mine = {partner.casefold(), *(i.casefold() for i in known.get(partner, ()))}
    return not mine.isdisjoint(party_identifiers(party))


def partner_of(party: Mapping[str, Any] | None, known: PartnerIdentifiers) -> str | None:
    """The configured partner a party is (the first whose identifiers it carries), if any."""
    ids = party_identifiers(party)
    for partner, names in known.items():
        if not ids.isdisjoint({partner.casefold(), *(n.casefold() for n in names)}):
            return partner
    return None

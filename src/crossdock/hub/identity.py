"""Who is calling: the principal every channel attaches to what it receives.

A principal is resolved once per request (API key, OAuth2 access token, a system's or a
carrier's webhook secret, a partner's drop folder) and then travels with the work: the
route's scope check, the object-level filter of every read (a partner sees only its own
documents), the message it records (`sender identity`) and the audit log. The hub knows
principals, never how they were proven: that is the entrypoints' and adapters' business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

PrincipalKind = Literal["operator", "partner", "system", "carrier", "anonymous"]
#: What a partner is to the distributor: which of its documents it may see.
PartnerRole = Literal["supplier", "carrier", "3pl", "customer", "internal"]

# Scopes, one per API product and action (the list). A principal holds a set of them.
PURCHASE_ORDERS_READ: Final = "purchase-orders:read"
PURCHASE_ORDERS_ACKNOWLEDGE: Final = "purchase-orders:acknowledge"
INVENTORY_READ: Final = "inventory:read"
SHIPMENTS_READ: Final = "shipments:read"
MESSAGES_WRITE: Final = "messages:write"
EDI_WRITE: Final = "edi:write"
OPERATIONS: Final = "operations"
ADMIN: Final = "admin"
#: Managing one's own webhook subscriptions (operators: everyone's).
WEBHOOKS_MANAGE: Final = "webhooks:manage"

ALL_SCOPES: Final = frozenset(
    {
        PURCHASE_ORDERS_READ,
        PURCHASE_ORDERS_ACKNOWLEDGE,
        INVENTORY_READ,
        SHIPMENTS_READ,
        MESSAGES_WRITE,
        EDI_WRITE,
        OPERATIONS,
        ADMIN,
        WEBHOOKS_MANAGE,
    }
)
#: What an operator key holds unless it is issued with fewer.
OPERATOR_SCOPES: Final = ALL_SCOPES


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    Attributes:
        subject: Stable id of the caller: ``operator:<name>``, ``partner:<name>``,
            ``system:<name>``, ``carrier:<name>`` (what the audit log and messages record).
        kind: What sort of caller it is. Operators see every partner's documents; every other
            kind is confined to `partner` (its own documents only).
        scopes: What it may do (see the constants above).
        partner: The partner (logical name) a non-operator acts for; None for operators.
        partner_role: What that partner is (supplier, carrier...), which decides which
            documents are "its own".
        credential_id: The key id or token id that proved it (never the secret), for audit.
        via: How it was proven: ``api-key``, ``oauth``, ``external-idp``, ``admin-key``,
            ``webhook-secret``, ``folder``, ``internal``.
    """

    subject: str
    kind: PrincipalKind
    scopes: frozenset[str] = field(default_factory=frozenset)
    partner: str | None = None
    partner_role: PartnerRole | None = None
    credential_id: str | None = None
    via: str = "internal"

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"

    def may_see(self, partner: str | None) -> bool:
        """Whether a document belonging to `partner` is visible: operators see all, anyone
        else only documents of its own partner (a document of no partner is not its own)."""
        return self.is_operator or (self.partner is not None and partner == self.partner)


#: Work the hub does on its own behalf (timers, the scheduler, replays it starts itself).
INTERNAL = Principal(subject="internal:hub", kind="operator", scopes=ALL_SCOPES, via="internal")

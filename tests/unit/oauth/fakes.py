"""In-memory stand-ins for the OAuth tests: a signing key store, a clock, a client verifier."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from crossdock.hub.identity import INVENTORY_READ, PURCHASE_ORDERS_READ, Principal
from crossdock.hub.oauth import SigningKey

ACME = Principal(
    subject="partner:acme",
    kind="partner",
    scopes=frozenset({PURCHASE_ORDERS_READ, INVENTORY_READ}),
    partner="acme",
    partner_role="supplier",
    credential_id="k1",
    via="api-key",
)


class InMemorySigningKeyStore:
    """The `SigningKeyStore` contract in a list (the SQL one is tested on both backends)."""

    def __init__(self) -> None:
        self.rows: list[SigningKey] = []
        self.reads = 0

    def signing_keys(self) -> list[SigningKey]:
        self.reads += 1
        return sorted(self.rows, key=lambda k: (k.created_at, k.kid), reverse=True)

    def rotate(self, new: SigningKey, retire_after: float) -> None:
        self.rows = [
            k if k.retire_after is not None else dataclasses.replace(k, retire_after=retire_after)
            for k in self.rows
        ]
        self.rows.append(new)

    def purge(self, before: float) -> int:
        kept = [k for k in self.rows if k.retire_after is None or k.retire_after > before]
        gone = len(self.rows) - len(kept)
        self.rows = kept
        return gone


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeClients:
    """API keys as the key store would prove them: client_id -> (whole key, principal)."""

    keys: dict[str, tuple[str, Principal]] = field(default_factory=dict)

    def add(self, client_id: str, principal: Principal) -> str:
        secret = f"cdk_{client_id}_s3cr3t-{client_id}"
        self.keys[client_id] = (secret, principal)
        return secret

    def revoke(self, client_id: str) -> None:
        del self.keys[client_id]

    def verify(self, client_id: str, secret: str) -> Principal | None:
        found = self.keys.get(client_id)
        return found[1] if found is not None and found[0] == secret else None

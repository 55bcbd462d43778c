"""ApiKeys contract (and the key use cases over it) on SQLite and PostgreSQL: issue, look up,
list, rotate with overlap, revoke, the environment's admin key, last/first use; nothing but
a salt and a digest of a secret is ever stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from crossdock.adapters.sql.api_keys import SqlApiKeys
from crossdock.adapters.sql.auth_tables import api_keys
from crossdock.hub.credentials import BadKey, Client, matches, new_key, parse_key
from crossdock.hub.identity import ALL_SCOPES, EDI_WRITE, PURCHASE_ORDERS_READ
from crossdock.hub.keys import KeyService
from tests.contract.backends import ContractStore, concurrently

NOW = 1_765_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(store: ContractStore, clock: Clock) -> Iterator[KeyService]:
    yield KeyService(SqlApiKeys(store.engine), clock)


SUPPLIER = Client("partner", "acme", "supplier")


def test_an_issued_key_is_found_by_its_id_and_only_its_digest_is_stored(
    keys: KeyService, store: ContractStore
) -> None:
    issued = keys.issue(SUPPLIER, [PURCHASE_ORDERS_READ, EDI_WRITE], label="portal")
    parsed = parse_key(issued.token)
    assert parsed is not None and parsed.key_id == issued.key.key_id
    assert len(parsed.secret) >= 43  # 32 bytes, url-safe base64

    found = keys.keys.get(parsed.key_id)
    assert found is not None
    assert found.client == SUPPLIER and found.scopes == {PURCHASE_ORDERS_READ, EDI_WRITE}
    assert matches(found.salt, found.digest, parsed.secret)
    assert not matches(found.salt, found.digest, parsed.secret[:-1] + "x")
    assert found.label == "portal" and found.state(NOW) == "active"
    with store.engine.connect() as conn:
        row = conn.execute(select(api_keys)).mappings().one()
    assert parsed.secret.encode() not in b"".join(
        v if isinstance(v, bytes) else str(v).encode() for v in row.values()
    )
    assert keys.keys.get("nosuchkey000") is None


def test_operators_get_every_scope_others_need_some_and_unknown_scopes_are_refused(
    keys: KeyService,
) -> None:
    assert keys.issue(Client("operator", "alice")).key.scopes == ALL_SCOPES
    with pytest.raises(BadKey, match="at least one scope"):
        keys.issue(SUPPLIER)
    with pytest.raises(BadKey, match="unknown scope"):
        keys.issue(SUPPLIER, ["purchase-orders:write"])
    with pytest.raises(BadKey, match="role"):
        keys.issue(Client("partner", "acme"), [PURCHASE_ORDERS_READ])
    with pytest.raises(BadKey, match="role"):
        keys.issue(Client("partner", "acme", "vendor"), [PURCHASE_ORDERS_READ])  # type: ignore[arg-type]
    with pytest.raises(BadKey, match="only a partner"):
        keys.issue(Client("system", "erp", "supplier"), [PURCHASE_ORDERS_READ])


def test_a_client_holds_several_keys_listed_newest_first(keys: KeyService, clock: Clock) -> None:
    first = keys.issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    clock.now += 1
    second = keys.issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    keys.issue(Client("operator", "alice"))
    listed = keys.keys.list_keys(client=SUPPLIER)
    assert [k.key_id for k in listed] == [second.key.key_id, first.key.key_id]
    assert len(keys.keys.list_keys()) == 3


def test_rotation_issues_a_successor_and_lets_the_old_key_lapse_after_the_overlap(
    keys: KeyService, clock: Clock
) -> None:
    old = keys.issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    new, lapsed = keys.rotate(old.key.key_id, overlap=3600)
    assert new.key.client == SUPPLIER and new.key.scopes == old.key.scopes
    assert new.key.replaces == old.key.key_id and new.token != old.token
    assert lapsed.expires_at == NOW + 3600
    assert lapsed.usable(NOW + 3599) and not lapsed.usable(NOW + 3600)
    assert lapsed.state(NOW) == "expiring"
    clock.now += 3600
    with pytest.raises(BadKey, match="expired"):
        keys.rotate(old.key.key_id, overlap=60)  # an expired key has nothing left to rotate


def test_revocation_is_kept_with_its_first_time(keys: KeyService, clock: Clock) -> None:
    issued = keys.issue(SUPPLIER, [PURCHASE_ORDERS_READ])
    revoked = keys.revoke(issued.key.key_id)
    assert revoked.revoked_at == NOW and not revoked.usable(NOW)
    clock.now += 10
    assert keys.revoke(issued.key.key_id).revoked_at == NOW
    with pytest.raises(BadKey, match="no key"):
        keys.revoke("nosuchkey000")


def test_the_environment_admin_key_is_idempotent_and_a_new_value_revokes_the_old(
    store: ContractStore, clock: Clock
) -> None:
    keys = KeyService(SqlApiKeys(store.engine), clock)
    first = new_key()
    registered = keys.register_env_admin_key(first)
    assert registered.client == Client("operator", "admin") and registered.scopes == ALL_SCOPES
    again = KeyService(SqlApiKeys(store.open_again().engine), clock)  # another process
    assert again.register_env_admin_key(first) == registered
    assert len(keys.keys.list_keys()) == 1

    second = new_key()
    keys.register_env_admin_key(second)
    old = keys.keys.get(registered.key_id)
    assert old is not None and old.revoked_at == NOW
    current = keys.keys.get(parse_key(second).key_id)  # type: ignore[union-attr]
    assert current is not None and current.usable(NOW)

    # the same key id with another secret: the id takes the new secret, the old one is dead
    same_id = second[: len("cdk_") + 12] + "_" + "s" * 43
    updated = keys.register_env_admin_key(same_id)
    assert matches(updated.salt, updated.digest, "s" * 43)
    stored = keys.keys.get(updated.key_id)
    assert stored is not None and not matches(stored.salt, stored.digest, parse_key(second).secret)  # type: ignore[union-attr]

    with pytest.raises(BadKey, match="not a crossdock key"):
        keys.register_env_admin_key("hunter2")


def test_touch_records_first_and_last_use_and_never_moves_last_use_back(
    keys: KeyService,
) -> None:
    a = keys.issue(SUPPLIER, [PURCHASE_ORDERS_READ]).key.key_id
    b = keys.issue(Client("operator", "alice")).key.key_id
    assert sorted(keys.keys.touch({a: NOW + 5, b: NOW + 6})) == sorted([a, b])
    assert keys.keys.touch({a: NOW + 70}) == []  # not a first use any more
    keys.keys.touch({a: NOW + 30})  # a slower process reporting an older use
    found = keys.keys.get(a)
    assert found is not None
    assert (found.first_used_at, found.last_used_at) == (NOW + 5, NOW + 70)


def test_processes_starting_together_register_the_admin_key_once(
    store: ContractStore, clock: Clock
) -> None:
    token = new_key()
    stores = [store.open_again() for _ in range(4)]
    registered = concurrently(
        stores, lambda _n, s: KeyService(SqlApiKeys(s.engine), clock).register_env_admin_key(token)
    )
    assert len({k.key_id for k in registered}) == 1
    assert len(KeyService(SqlApiKeys(store.engine), clock).keys.list_keys()) == 1

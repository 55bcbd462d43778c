"""Contract of the Inbox port (`uow.inbox`), on every backend (`backends`): a consumer
processes a message once per replay, and a claim commits or rolls back with its effects."""

from __future__ import annotations

from tests.contract.backends import ContractStore

#: Replay markers are epoch microseconds (the bus's `_replay_marker`): past 32 bits.
MARKER = 1_796_600_000_123_456


def test_the_inbox_claims_a_message_once_per_consumer_and_replay(store: ContractStore) -> None:
    with store.uow() as uow:
        assert uow.inbox.claim("flow.critical", "M1")
        assert not uow.inbox.claim("flow.critical", "M1")
        assert uow.inbox.claim("flow.critical", "M1", replay=1)
        assert uow.inbox.claim("route.critical", "M1")
        uow.commit()
    with store.uow() as uow:
        assert not uow.inbox.claim("flow.critical", "M1", replay=1)
        assert uow.inbox.claim("flow.critical", "M2")
        # not committed: the claim of M2 rolls back
    with store.uow() as uow:
        assert uow.inbox.claim_many("flow.critical", [("M1", 0), ("M2", 0)]) == {("M2", 0)}


def test_claim_many_answers_only_what_is_new(store: ContractStore) -> None:
    with store.uow() as uow:
        assert uow.inbox.claim("route.critical", "M1")
        assert uow.inbox.claim("route.critical", "M2", replay=MARKER)
        uow.commit()
    with store.uow() as uow:
        fresh = uow.inbox.claim_many(
            "route.critical",
            [("M1", 0), ("M1", MARKER), ("M2", MARKER), ("M3", 0), ("M3", 0), ("Ü✓", 0)],
        )
        assert fresh == {("M1", MARKER), ("M3", 0), ("Ü✓", 0)}
        # in the same unit of work, what it just claimed is claimed
        assert uow.inbox.claim_many("route.critical", [("M3", 0), ("M4", 0)]) == {("M4", 0)}
        assert not uow.inbox.claim("route.critical", "M4")
        assert uow.inbox.claim_many("route.critical", []) == set()
        assert uow.inbox.claim_many("flow.critical", [("M1", 0)]) == {("M1", 0)}  # other consumer
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.inbox.claim_many("route.critical", [("M4", 0), ("Ü✓", 0)]) == set()


def test_claim_many_handles_batches_past_one_in_list(store: ContractStore) -> None:
    items = [(f"M{n}", 0) for n in range(1500)]
    with store.uow() as uow:
        assert uow.inbox.claim_many("g", items[:700]) == set(items[:700])
        uow.commit()
    with store.uow() as uow:
        assert uow.inbox.claim_many("g", items) == set(items[700:])
        uow.commit()


def test_claims_made_through_another_engine_are_seen(store: ContractStore) -> None:
    other = store.open_again()
    with other.uow() as uow:
        assert uow.inbox.claim("g", "M1", MARKER)
        uow.commit()
    with store.uow() as uow:
        assert not uow.inbox.claim("g", "M1", MARKER)
        assert uow.inbox.claim_many("g", [("M1", MARKER), ("M1", 0)]) == {("M1", 0)}

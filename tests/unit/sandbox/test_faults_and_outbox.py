"""Fault specs and the outbound queue's bookkeeping, without a network."""

from __future__ import annotations

import math

import pytest

from crossdock.sandbox.faults import Faults, FaultSpecError
from crossdock.sandbox.outbound import Outbox, RetryPolicy


def outbox(faults: Faults) -> Outbox:
    return Outbox(
        source="t", faults=faults, resolve=lambda k: f"http://x/{k}", on_change=lambda: None
    )


def test_fault_spec_round_trip_and_clear() -> None:
    faults = Faults()
    faults.apply({"down_for": 60, "status": 502, "slow": 0.2, "duplicate_next": 2, "silent": True})
    view = faults.view()
    assert view["down"] is True and 59 < view["down_remaining"] <= 60
    assert (view["status"], view["slow"], view["duplicate_next"], view["silent"]) == (
        502,
        0.2,
        2,
        True,
    )
    faults.apply({"down": True})
    assert faults.view()["down_remaining"] is None  # until switched off
    faults.apply({"clear": True, "reorder_next": 1})
    assert faults.view() == {**Faults().view(), "reorder_next": 1}
    assert faults.down_until == 0.0 and faults.slow_until == 0.0


@pytest.mark.parametrize("spec", [{"nope": 1}, {"down_for": "x"}, {"slow": None}, []])
def test_bad_specs_are_rejected(spec: object) -> None:
    with pytest.raises(FaultSpecError):
        Faults().apply(spec)  # type: ignore[arg-type]


def test_outbound_down_blocks_sending_but_not_the_api() -> None:
    faults = Faults()
    faults.apply({"outbound_down": True})
    assert faults.outbound_blocked() and not faults.is_down()
    faults.apply({"outbound_down": False, "down_for": 10})
    assert faults.outbound_blocked() and faults.is_down()
    assert faults.outbound_down_until == 0.0 and faults.down_until < math.inf


def test_emit_applies_drop_duplicate_reorder_and_silence() -> None:
    faults = Faults()
    box = outbox(faults)
    faults.apply({"drop_next": 1, "duplicate_next": 1})
    box.emit("a", {"n": 1}, key="k1")  # dropped: the duplicate applies to the next kept one
    box.emit("a", {"n": 2}, key="k2")
    assert [(e.key, e.status, e.copies) for e in box.events()] == [
        ("k1", "dropped", 1),
        ("k2", "pending", 2),
    ]
    faults.apply({"reorder_next": 2})
    box.emit("a", {}, key="k3")
    assert [e.key for e in box.held] == ["k3"]
    box.emit("a", {}, key="k4")
    assert [e.key for e in box.pending] == ["k2", "k4", "k3"] and box.held == []
    faults.apply({"silent": True})
    box.emit("a", {}, key="k5")
    assert box.summary() == {
        "emitted": 5, "delivered": 0, "rejected": 0, "dropped": 1, "suppressed": 1,
        "attempts": 0, "failures": 0, "duplicates_sent": 0, "pending": 3, "held": 0,
    }  # fmt: skip


def test_dump_and_load_keep_pending_events_due_now() -> None:
    box = outbox(Faults())
    box.emit("a", {"x": 1}, key="k1")
    box.pending[0].next_at = 1e12
    import orjson

    restored = outbox(Faults())
    restored.load(orjson.loads(orjson.dumps(box.dump())))
    (event,) = restored.pending
    assert (event.key, event.body, event.next_at, restored.seq) == ("k1", {"x": 1}, 0.0, 1)


def test_retry_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base=0.1, factor=2.0, max_delay=1.0)
    delays = [policy.delay(n) for n in (1, 2, 3, 10)]
    assert 0.09 <= delays[0] <= 0.11 and 0.18 <= delays[1] <= 0.22
    assert 0.36 <= delays[2] <= 0.44 and 0.9 <= delays[3] <= 1.1


async def test_lanes_drain_side_by_side_each_in_order() -> None:
    """A supplier whose sends fail holds up only its own lane, never another supplier's."""
    import httpx

    seen: list[tuple[str, str]] = []

    def receive(request: httpx.Request) -> httpx.Response:
        lane, key = request.headers["X-Lane"], request.headers["Idempotency-Key"]
        seen.append((lane, key))
        return httpx.Response(503 if lane == "slow" else 202)

    box = outbox(Faults())
    for n in range(3):
        for lane in ("slow", "fast"):
            box.emit("po", {"n": n}, key=f"{lane}-{n}", headers={"X-Lane": lane}, lane=lane)
    async with httpx.AsyncClient(transport=httpx.MockTransport(receive)) as client:
        await box.drain(client)
    assert [k for lane, k in seen if lane == "fast"] == ["fast-0", "fast-1", "fast-2"]
    assert [k for lane, k in seen if lane == "slow"] == ["slow-0"]  # blocked behind its failure
    assert [e.key for e in box.pending] == ["slow-0", "slow-1", "slow-2"]

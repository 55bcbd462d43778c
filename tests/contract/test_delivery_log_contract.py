"""Contract of the DeliveryLog and EndpointStates ports, on every backend (`backends`).

Deliveries are buffered by the SQL log and written at flush; the contract is that whatever a
unit of work added is visible to its own reads and commits with it (or not at all), that the
body is never kept (it travels in the bus entry), and that statuses, attempts and the open
counts per message read back exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crossdock.hub.records import Delivery, DeliveryAttempt, DeliveryStatus, EndpointState
from tests.contract.backends import ContractStore

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def delivery(n: int, message: str = "M1", endpoint: str = "erp-http") -> Delivery:
    return Delivery(
        id=f"D{n:025d}",
        message_id=message,
        route="po-to-supplier",
        endpoint=endpoint,
        lane="critical",
        idempotency_key=f"{message}:po-to-supplier:ü{n}",
        correlation_key="PO-ü-1",
        content_type="application/edi-x12",
        body=b"ISA*00*...~",
    )


def test_added_deliveries_read_back_without_their_body(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.deliveries.add(delivery(1))
        # visible to the unit of work that added it, before commit
        assert uow.deliveries.get(delivery(1).id) is not None
        uow.deliveries.add(delivery(2, message="M2"))
        uow.commit()
    with store.uow.reader() as uow:
        got = uow.deliveries.get(delivery(1).id)
        assert uow.deliveries.get("DNOPE") is None
    expected = delivery(1)
    expected.body = b""
    assert got == expected


def test_uncommitted_deliveries_are_gone(store: ContractStore) -> None:
    with store.uow() as uow:
        uow.deliveries.add(delivery(1))
    with store.uow() as uow:
        uow.deliveries.add(delivery(2))
        try:
            with uow.savepoint():
                uow.deliveries.add(delivery(3))
                raise RuntimeError("handler failed")
        except RuntimeError:
            pass
        uow.commit()
    with store.uow.reader() as uow:
        assert set(uow.deliveries.get_many([delivery(n).id for n in (1, 2, 3)])) == {delivery(2).id}


def test_get_many_and_for_message(store: ContractStore) -> None:
    with store.uow() as uow:
        for n in range(1, 901):
            uow.deliveries.add(delivery(n, message="M1" if n % 3 else "M2"))
        uow.commit()
    ids = [delivery(n).id for n in range(1, 901)]
    with store.uow.reader() as uow:
        found = uow.deliveries.get_many([*ids, "DNOPE"])
        assert uow.deliveries.get_many([]) == {}
        by_message = uow.deliveries.for_message("M2")
        assert uow.deliveries.for_message("M9") == []
    assert set(found) == set(ids)  # past one IN chunk
    assert [d.id for d in by_message] == [delivery(n).id for n in range(3, 901, 3)]  # by id


def test_statuses_attempts_and_errors_are_updated(store: ContractStore) -> None:
    with store.uow() as uow:
        for n in (1, 2, 3):
            uow.deliveries.add(delivery(n))
        uow.deliveries.set_status(delivery(1).id, DeliveryStatus.DELIVERED, 1, None)
        uow.deliveries.set_statuses(
            [
                (delivery(2).id, DeliveryStatus.DEAD_LETTERED, 10, "HTTP 500: ошибка ✗"),
                (delivery(3).id, DeliveryStatus.PENDING, 2, "timeout"),
            ]
        )
        uow.deliveries.set_statuses([])
        uow.commit()
    with store.uow.reader() as uow:
        got = uow.deliveries.get_many([delivery(n).id for n in (1, 2, 3)])
    assert [(got[delivery(n).id].status, got[delivery(n).id].attempts) for n in (1, 2, 3)] == [
        (DeliveryStatus.DELIVERED, 1),
        (DeliveryStatus.DEAD_LETTERED, 10),
        (DeliveryStatus.PENDING, 2),
    ]
    assert got[delivery(2).id].last_error == "HTTP 500: ошибка ✗"
    assert got[delivery(1).id].last_error is None


def test_attempts_are_kept_in_order_per_delivery(store: ContractStore) -> None:
    long_error = "x" * 100_000
    attempts = [
        DeliveryAttempt(delivery(1).id, 1, T0, 12.5, "error", 503, long_error),
        DeliveryAttempt(delivery(2).id, 1, T0 + timedelta(seconds=1), 3.25, "ok", 200),
        DeliveryAttempt(delivery(1).id, 2, T0 + timedelta(seconds=30), 8.0, "ok", 200),
        DeliveryAttempt(delivery(3).id, 1, T0, 0.0, "error", None, "connection refused"),
    ]
    with store.uow() as uow:
        uow.deliveries.record_attempts(attempts[:2])
        uow.deliveries.record_attempts(attempts[2:])
        uow.deliveries.record_attempts([])
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.deliveries.attempts([delivery(1).id, delivery(3).id]) == [
            attempts[0],
            attempts[2],
            attempts[3],
        ]
        assert uow.deliveries.attempts([]) == []


def test_open_deliveries_are_counted_per_message(store: ContractStore) -> None:
    with store.uow() as uow:
        for n, message in enumerate(["M1", "M1", "M1", "M2", "M3"], start=1):
            uow.deliveries.add(delivery(n, message=message))
        uow.deliveries.set_statuses(
            [
                (delivery(1).id, DeliveryStatus.DELIVERED, 1, None),
                (delivery(2).id, DeliveryStatus.DEAD_LETTERED, 3, "boom"),
                (delivery(5).id, DeliveryStatus.DELIVERED, 1, None),
            ]
        )
        # counted before commit too (the buffered rows are written first)
        uow.deliveries.add(delivery(6, message="M3"))
        assert uow.deliveries.open_for_messages(["M3"]) == {"M3": (1, 0)}
        uow.commit()
    with store.uow.reader() as uow:
        assert uow.deliveries.open_for_messages(["M1", "M2", "M3", "M9", "M1"]) == {
            "M1": (1, 1),
            "M2": (1, 0),
            "M3": (1, 0),
        }
        assert uow.deliveries.open_for_messages([]) == {}


def test_endpoint_states_are_replaced_per_name_and_listed_by_name(store: ContractStore) -> None:
    opened = datetime(2026, 11, 27, 9, 0, 0, 250000, tzinfo=UTC)
    with store.uow() as uow:
        uow.endpoints.save(EndpointState("wms", "open", 5, opened))
        uow.endpoints.save(EndpointState("erp", "closed", 0, None))
        uow.endpoints.save(EndpointState("wms", "half_open", 6, opened))
        uow.commit()
    with store.uow() as uow:
        uow.endpoints.save(EndpointState("tms", "open", 1, opened))  # rolled back
    with store.uow.reader() as uow:
        assert uow.endpoints.all() == [
            EndpointState("erp", "closed", 0, None),
            EndpointState("wms", "half_open", 6, opened),
        ]


def test_errors_with_nul_characters_are_kept_readable(store: ContractStore) -> None:
    """A receiver's error body may hold NUL bytes (it reaches the error text decoded); PostgreSQL
    text cannot store NUL, so every backend keeps it as U+FFFD, like undecodable bytes."""
    error = "HTTP 500: bad\x00body \u00fc"
    with store.uow() as uow:
        uow.deliveries.add(delivery(1))
        uow.deliveries.set_statuses([(delivery(1).id, DeliveryStatus.PENDING, 1, error)])
        uow.deliveries.record_attempts(
            [DeliveryAttempt(delivery(1).id, 1, T0, 1.0, "error", 500, error)]
        )
        uow.commit()
    with store.uow.reader() as uow:
        got = uow.deliveries.get(delivery(1).id)
        [attempt] = uow.deliveries.attempts([delivery(1).id])
    assert got is not None
    assert got.last_error == attempt.error == "HTTP 500: bad\ufffdbody \u00fc"

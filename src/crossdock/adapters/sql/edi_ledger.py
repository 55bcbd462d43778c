"""The EDI ledger on SQL: seen interchanges, control number counters, outbound X12 documents.

Control numbers are reserved with one ``UPDATE ... SET next_value = <past the reservation>
RETURNING next_value`` inside the caller's transaction: on SQLite the writer holds the database
lock (BEGIN IMMEDIATE), on PostgreSQL the UPDATE takes the row lock and a concurrent writer's
UPDATE waits for this transaction, then computes from the committed value. So two writers can
never get the same number, nobody reads a stale counter or retries, and a rolled-back unit of
work gives its numbers back (gaps never appear from failures, only from nothing). Contested by
`tests/contract/test_control_numbers_contract.py` on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.convert import from_epoch_required, storable, to_epoch
from crossdock.adapters.sql.tables import x12_control_numbers, x12_interchanges, x12_outbound
from crossdock.hub.edi_records import (
    CONTROL_MAX,
    ControlLevel,
    OutboundDocument,
    OutboundStatus,
    SeenInterchange,
)


class SqlEdiLedger:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def find_interchange(self, sender: str, control_number: str) -> SeenInterchange | None:
        t = x12_interchanges
        row = self._conn.execute(
            select(t).where(t.c.sender == sender, t.c.control_number == control_number)
        ).first()
        if row is None:
            return None
        return SeenInterchange(
            sender=row.sender,
            control_number=row.control_number,
            partner=row.partner,
            received_at=from_epoch_required(row.received_at),
            message_ids=json.loads(row.message_ids),
            ack=row.ack,
        )

    def add_interchange(self, seen: SeenInterchange) -> None:
        self._conn.execute(
            insert(x12_interchanges).values(
                sender=seen.sender,
                control_number=seen.control_number,
                partner=seen.partner,
                received_at=to_epoch(seen.received_at),
                message_ids=json.dumps(seen.message_ids),
                ack=storable(seen.ack),
            )
        )

    def next_controls(self, partner: str, level: ControlLevel, count: int = 1) -> list[int]:
        if count < 1:
            return []
        if count > CONTROL_MAX:
            raise ValueError(f"cannot reserve {count} control numbers at once")
        t = x12_control_numbers
        where = and_(t.c.partner == partner, t.c.level == level.value)
        # One statement moves the counter past the reservation and says where it stopped; the
        # row stays locked until this unit of work ends, so concurrent writers queue on it.
        following = self._conn.execute(
            update(t)
            .where(where)
            .values(next_value=(t.c.next_value - 1 + count) % CONTROL_MAX + 1)
            .returning(t.c.next_value)
        ).scalar()
        if following is None:  # the partner's first number at this level
            try:
                with self._conn.begin_nested():  # PostgreSQL aborts a transaction on a failure
                    self._conn.execute(
                        insert(t).values(
                            partner=partner, level=level.value, next_value=count % CONTROL_MAX + 1
                        )
                    )
                return list(range(1, count + 1))
            except IntegrityError:  # another writer created it first (PostgreSQL): queue
                return self.next_controls(partner, level, count)
        first = (following - 1 - count) % CONTROL_MAX + 1
        return [(first - 1 + i) % CONTROL_MAX + 1 for i in range(count)]

    def add_outbound(self, documents: Sequence[OutboundDocument]) -> None:
        if not documents:
            return
        self._conn.execute(
            insert(x12_outbound),
            [
                {
                    "partner": d.partner,
                    "group_control": d.group_control,
                    "transaction_control": d.transaction_control,
                    "interchange_control": d.interchange_control,
                    "transaction_code": d.transaction_code,
                    "functional_id": d.functional_id,
                    "message_id": d.message_id,
                    "delivery_id": d.delivery_id,
                    "created_at": to_epoch(d.created_at),
                    "status": d.status.value,
                    "reason": storable(d.reason),
                    "ack_message_id": d.ack_message_id,
                }
                for d in documents
            ],
        )

    def settle_outbound(
        self,
        partner: str,
        group_control: int,
        transaction_control: int | None,
        status: OutboundStatus,
        reason: str | None,
        ack_message_id: str,
    ) -> int:
        t = x12_outbound
        where = and_(t.c.partner == partner, t.c.group_control == group_control)
        if transaction_control is not None:
            where = and_(where, t.c.transaction_control == transaction_control)
        result = self._conn.execute(
            update(t)
            .where(where)
            .values(status=status.value, reason=storable(reason), ack_message_id=ack_message_id)
        )
        return int(result.rowcount)

    def outbound(
        self, *, partner: str | None = None, message_id: str | None = None, limit: int = 100
    ) -> list[OutboundDocument]:
        t = x12_outbound
        query = select(t).order_by(t.c.created_at.desc()).limit(limit)
        if partner is not None:
            query = query.where(t.c.partner == partner)
        if message_id is not None:
            query = query.where(t.c.message_id == message_id)
        return [_outbound(row) for row in self._conn.execute(query)]


def _outbound(row: Any) -> OutboundDocument:
    return OutboundDocument(
        partner=row.partner,
        interchange_control=row.interchange_control,
        group_control=row.group_control,
        transaction_control=row.transaction_control,
        transaction_code=row.transaction_code,
        functional_id=row.functional_id,
        message_id=row.message_id,
        delivery_id=row.delivery_id,
        created_at=from_epoch_required(row.created_at),
        status=OutboundStatus(row.status),
        reason=row.reason,
        ack_message_id=row.ack_message_id,
    )

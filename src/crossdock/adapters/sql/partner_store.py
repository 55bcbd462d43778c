"""The partner registry's store on SQL (the hub's `PartnerStore`), and a unit of work with it.

A duplicate name or X12 sender is caught by the primary key / unique index inside a
savepoint (PostgreSQL aborts the whole transaction on a failed statement otherwise) and
answered as the hub's `PartnerConflict`, so two administrators racing for one id get one
partner and one clear refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.sql.convert import from_epoch, from_epoch_required, storable, to_epoch
from crossdock.adapters.sql.partner_tables import partner_certifications, partners
from crossdock.adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from crossdock.hub.edi.partners import sender_key
from crossdock.hub.partners.model import CertificationResult, Partner
from crossdock.hub.partners.ports import PartnerConflict

_SETTINGS_EXCLUDE = {"name", "state", "created_at", "updated_at", "state_changed_at", "live_at"}


def _values(partner: Partner) -> dict[str, Any]:
    settings = partner.model_dump(mode="json", exclude=_SETTINGS_EXCLUDE)
    return {
        "name": partner.name,
        "kind": partner.kind,
        "state": partner.state.value,
        "x12_sender": sender_key(partner.x12.qualifier, partner.x12.id) if partner.x12 else None,
        "settings": orjson.dumps(settings).decode(),
        "created_at": to_epoch(partner.created_at),
        "updated_at": to_epoch(partner.updated_at),
        "state_changed_at": to_epoch(partner.state_changed_at),
        "live_at": None if partner.live_at is None else to_epoch(partner.live_at),
    }


def _partner(row: Any) -> Partner:
    return Partner.model_validate(
        {
            **orjson.loads(row.settings),
            "name": row.name,
            "state": row.state,
            "created_at": from_epoch_required(row.created_at),
            "updated_at": from_epoch_required(row.updated_at),
            "state_changed_at": from_epoch_required(row.state_changed_at),
            "live_at": from_epoch(row.live_at),
        }
    )


class SqlPartnerStore:
    """Implements `PartnerStore` on one connection (the unit of work's)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, name: str) -> Partner | None:
        row = self._conn.execute(select(partners).where(partners.c.name == name)).first()
        return None if row is None else _partner(row)

    def all(self) -> list[Partner]:
        rows = self._conn.execute(select(partners).order_by(partners.c.name))
        return [_partner(r) for r in rows]

    def add(self, partner: Partner) -> None:
        values = _values(partner)
        self._guarded(insert(partners).values(**values), partner, values["x12_sender"])

    def save(self, partner: Partner) -> None:
        values = _values(partner)
        name = values.pop("name")
        statement = update(partners).where(partners.c.name == name).values(**values)
        self._guarded(statement, partner, values["x12_sender"])

    def _guarded(self, statement: Any, partner: Partner, sender: str | None) -> None:
        try:
            with self._conn.begin_nested():
                self._conn.execute(statement)
        except IntegrityError:
            owner = self._sender_owner(sender) if sender else None
            if owner is not None and owner != partner.name:
                raise PartnerConflict(
                    f"X12 sender {sender} belongs to registered partner {owner!r}",
                    field="x12.id",
                    owner=owner,
                ) from None
            raise PartnerConflict(
                f"a partner named {partner.name!r} is already registered",
                field="name",
                owner=partner.name,
            ) from None

    def _sender_owner(self, sender: str) -> str | None:
        query = select(partners.c.name).where(partners.c.x12_sender == sender)
        owner: str | None = self._conn.execute(query).scalar()
        return owner

    def add_certifications(self, samples: Sequence[tuple[CertificationResult, bytes]]) -> None:
        if not samples:
            return
        rows = [
            {
                "id": r.id,
                "partner": r.partner,
                "document_type": r.document_type,
                "format": r.format,
                "passed": r.passed,
                "errors": storable(orjson.dumps(r.errors).decode()),
                "reference": storable(r.reference),
                "received_at": to_epoch(r.received_at),
                "body_sha256": r.body_sha256,
                "raw": raw,
            }
            for r, raw in samples
        ]
        self._conn.execute(insert(partner_certifications), rows)

    def certifications(self, partner: str, *, limit: int = 1000) -> list[CertificationResult]:
        c = partner_certifications.c
        query = (
            select(
                c.id,
                c.partner,
                c.document_type,
                c.format,
                c.passed,
                c.errors,
                c.reference,
                c.received_at,
                c.body_sha256,
            )
            .where(c.partner == partner)
            .order_by(c.received_at.desc(), c.id.desc())
            .limit(limit)
        )
        return [
            CertificationResult(
                id=r.id,
                partner=r.partner,
                document_type=r.document_type,
                format=r.format,
                passed=bool(r.passed),
                errors=orjson.loads(r.errors),
                received_at=from_epoch_required(r.received_at),
                body_sha256=r.body_sha256,
                reference=r.reference,
            )
            for r in self._conn.execute(query)
        ]


class SqlPartnerUnitOfWork(SqlUnitOfWork):
    """The hub's unit of work plus the partner registry, on the same connection."""

    partners: SqlPartnerStore

    def __enter__(self) -> SqlPartnerUnitOfWork:
        super().__enter__()
        self.partners = SqlPartnerStore(self.connection)
        return self


class SqlPartnerUnitOfWorkFactory:
    """Opens `SqlPartnerUnitOfWork`s on the store's engine (reads: `reader`)."""

    def __init__(self, base: SqlUnitOfWorkFactory) -> None:
        self.engine = base.engine
        self.backend = base.backend

    def __call__(self) -> SqlPartnerUnitOfWork:
        return SqlPartnerUnitOfWork(self.engine, backend=self.backend)

    def reader(self) -> SqlPartnerUnitOfWork:
        return SqlPartnerUnitOfWork(self.engine, readonly=True, backend=self.backend)

"""Routes with ``transform: x12``: canonical document -> the partner's X12 interchange.

An ``x12_transaction`` (a set the hub has no map for) is not mapped: its raw set is
re-enveloped for the partner (``passthrough``).

Mapping runs while the route is planned (a document that cannot be rendered fails alone,
with the mapping error, and is retried by policy or dead-lettered). Control numbers are
reserved only once the message is claimed, in the routing transaction, and the document is
entered in the outbound ledger under them so the partner's 997/999 can settle it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from crossdock.canonical.json_numbers import validate_json
from crossdock.canonical.registry import document_model
from crossdock.canonical.x12_transaction import X12Transaction
from crossdock.hub.edi.partners import OwnIdentity, PartnerDirectory, TradingPartner
from crossdock.hub.edi.passthrough import passthrough_body
from crossdock.hub.edi.prepare import EDI_CONTENT_TYPE
from crossdock.hub.edi_records import ControlLevel, OutboundDocument
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import Delivery
from crossdock.hub.routing import Finisher, Route
from crossdock.mapping.transforms import EnvelopeInfo, TransformError
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12.codes import functional_id_for
from crossdock.x12.model import Delimiters, Segment
from crossdock.x12.writer import EnvelopeSettings, TransactionBody, write_interchange

GS_VERSIONS = {"00401": "004010", "00501": "005010"}


def envelope_settings(partner: TradingPartner, own: OwnIdentity) -> EnvelopeSettings:
    return EnvelopeSettings(
        sender_qualifier=own.qualifier,
        sender_id=own.id,
        receiver_qualifier=partner.qualifier,
        receiver_id=partner.id,
        gs_sender=own.gs_id,
        gs_receiver=partner.gs_id,
        version=partner.version,
        usage=partner.usage,
        ack_requested="1" if partner.ack_requested else "0",
        delimiters=partner.delimiters,
    )


def without_delimiters(body: TransactionBody, delimiters: Delimiters) -> TransactionBody:
    """X12 has no escape character: a delimiter inside free text (a ':' in a note, a '*' in a
    name) would split the element, so such characters are written as spaces. Composite and
    repeated values are lists the writer joins itself and are left alone."""
    chars = {delimiters.element, delimiters.component, delimiters.segment}
    if delimiters.repetition:
        chars.add(delimiters.repetition)
    table = str.maketrans({c: " " for c in chars})
    segments = []
    for segment in body.segments:
        elements = [
            value.translate(table) if isinstance(value, str) else value
            for value in segment.elements
        ]
        segments.append(Segment(segment.tag, elements, segment.position))
    return TransactionBody(body.code, segments, body.implementation)


class X12Encoder:
    """The `DeferredEncoder` for ``transform: x12``."""

    content_type = EDI_CONTENT_TYPE

    def __init__(
        self,
        partners: PartnerDirectory,
        mappers: Callable[[TradingPartner | None], X12Mapper],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._partners = partners
        self._mappers = mappers
        self._clock = clock

    def prepare(self, route: Route, canonical: bytes, info: EnvelopeInfo) -> Finisher:
        partner = self._partners.get(route.partner or "")
        if partner is None:
            raise TransformError(f"route {route.name!r}: unknown X12 partner {route.partner!r}")
        model = document_model(info.document_type)
        if model is None:
            raise TransformError(f"no canonical model for {info.document_type!r}")
        document = validate_json(model, canonical)
        gs_version = GS_VERSIONS.get(partner.version, "004010")
        try:
            if isinstance(document, X12Transaction):  # a set without a map: sent on as is
                body = passthrough_body(document)
                gs_version, functional_id = document.version, document.functional_id
            else:
                body = self._mappers(partner).from_canonical(document, version=gs_version)
                functional_id = functional_id_for(body.code)
        except (ValueError, LookupError) as exc:
            raise TransformError(f"cannot render {info.document_type} as X12: {exc}") from exc
        body = without_delimiters(body, partner.delimiters)
        settings = envelope_settings(partner, self._partners.own)
        when = self._clock()
        # Rendering once with placeholder numbers finds delimiter clashes before any number
        # is reserved; the real numbers cannot introduce one (they are digits).
        try:
            self._render(settings, functional_id, gs_version, body, (1, 1, 1), when)
        except ValueError as exc:
            raise TransformError(f"cannot write X12 for {partner.name}: {exc}") from exc

        def finish(uow: UnitOfWork, delivery: Delivery) -> bytes:
            [isa] = uow.edi.next_controls(partner.name, ControlLevel.INTERCHANGE)
            [gs] = uow.edi.next_controls(partner.name, ControlLevel.GROUP)
            [st] = uow.edi.next_controls(partner.name, ControlLevel.TRANSACTION)
            text = self._render(settings, functional_id, gs_version, body, (isa, gs, st), when)
            uow.edi.add_outbound(
                [
                    OutboundDocument(
                        partner=partner.name,
                        interchange_control=isa,
                        group_control=gs,
                        transaction_control=st,
                        transaction_code=body.code,
                        functional_id=functional_id,
                        message_id=delivery.message_id,
                        delivery_id=delivery.id,
                        created_at=when,
                    )
                ]
            )
            return text.encode("utf-8")

        return finish

    @staticmethod
    def _render(
        settings: EnvelopeSettings,
        functional_id: str,
        gs_version: str,
        body: TransactionBody,
        controls: tuple[int, int, int],
        when: datetime,
    ) -> str:
        isa, gs, st = controls
        return write_interchange(
            settings,
            [(functional_id, gs_version, [body])],
            interchange_control=isa,
            group_controls=[gs],
            transaction_controls=[[st]],
            when=when,
        )

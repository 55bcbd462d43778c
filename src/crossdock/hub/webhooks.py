"""Carrier tracking webhooks: a payload in, one shipment milestone message per tracking event.

The carrier's configured format picks the normalizer; nothing is guessed from the content.
Every message keeps the whole payload as its raw bytes (what the carrier said, verbatim) and
the event's own idempotency key. Carriers resend history — EasyPost puts every earlier
detail into each ``tracker.updated`` — so a key seen before is a duplicate whatever else the
payload holds: the first report of an event wins and redelivery is harmless.

Nothing is dropped: an event that cannot be mapped (unknown status code, no time) and a
payload that is not the carrier's shape (bad JSON, wrong event type) are recorded as
rejected messages with the reason. Their keys are ``rejected:``-prefixed, so a resend is a
duplicate of the rejection, yet once the mapping is fixed the same event can be accepted.

A request with a bad HMAC signature is *not* recorded: it is not known to come from the
carrier, and recording it would let anyone grow the message log. A carrier signing the
Standard Webhooks way (``signature.scheme: standard-webhooks``) is also checked for a stale
timestamp and for replays (`check_signature`, `claim_seen`); its refusals are recorded as
refused messages by the entrypoint, with the reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from crossdock.hub.ids import new_id
from crossdock.hub.intake import IntakeOutcome, fitted_key, record
from crossdock.hub.intake_pipeline import (
    NOBODY,
    ForeignSender,
    IntakePipeline,
    Sender,
    Verified,
    may_speak_for,
    signed_sender,
)
from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import FieldError, InboundMessage, MessageStatus
from crossdock.hub.store_runner import StoreRunner
from crossdock.hub.webhook_signing import InvalidWebhook, StandardWebhookCheck
from crossdock.mapping.carriers import CarrierContext, Issue, Normalizer, PayloadError

CHANNEL = "webhook"
DOCUMENT_TYPE = "shipment_milestone"
SCHEMA_VERSION = 1


class UnknownCarrier(LookupError):
    """The path names a carrier that is not configured."""


class BadSignature(PermissionError):
    """The request's signature is missing or does not match the carrier's secret."""


class WebhookRefused(BadSignature):
    """A Standard Webhooks request refused: bad or missing signature, a timestamp outside
    the tolerance, or a replay of one already received. Unlike an HMAC mismatch it is
    recorded as a refused message (the entrypoint does, with the reason)."""


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """A shared-secret HMAC over the raw body, sent in one header (EasyPost's scheme)."""

    header: str
    secret: bytes
    prefix: str = "hmac-sha256-hex="
    algorithm: str = "sha256"
    encoding: str = "hex"

    def sign(self, body: bytes) -> str:
        """The header value a carrier with this secret sends (tests and sandboxes use it)."""
        digest = hmac.new(self.secret, body, self.algorithm).digest()
        text = digest.hex() if self.encoding == "hex" else base64.b64encode(digest).decode()
        return self.prefix + text

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Constant-time comparison; ``headers`` has lower-case names."""
        given = headers.get(self.header.lower(), "").strip()
        if not given.startswith(self.prefix):
            return False
        expected = self.sign(body)
        if self.encoding == "hex":  # hex digits may arrive in either case
            given = self.prefix + given[len(self.prefix) :].lower()
        return hmac.compare_digest(given.encode(), expected.encode())


#: How a channel proves its sender: a shared-secret HMAC, or Standard Webhooks.
Signature = SignatureCheck | StandardWebhookCheck


@dataclass(frozen=True, slots=True)
class SeenWebhook:
    """A verified Standard Webhooks request to remember until its window ends (replays)."""

    source: str
    msg_id: str
    timestamp: int
    expires_at: float


def check_signature(
    signature: Signature | None, source: str, headers: Mapping[str, str], body: bytes
) -> SeenWebhook | None:
    """Verify a request (`headers` looked up by lower-case name); raises BadSignature. A
    Standard Webhooks request returns what the recording transaction must claim."""
    if signature is None:
        return None
    if isinstance(signature, StandardWebhookCheck):
        try:
            proved = signature.verify(headers, body, time.time())
        except InvalidWebhook as exc:
            raise WebhookRefused(str(exc)) from None
        window_end = proved.timestamp + signature.tolerance
        return SeenWebhook(source, proved.msg_id, proved.timestamp, window_end)
    if not signature.verify(headers, body):
        raise BadSignature(f"the {signature.header} signature does not match")
    return None


def claim_seen(uow: UnitOfWork, seen: SeenWebhook | None) -> None:
    """In the recording transaction: refuse a request already received (same id and
    timestamp: a captured request sent again), across every process on the store."""
    if seen is None:
        return
    if not uow.webhooks.claim_inbound(
        seen.source, seen.msg_id, seen.timestamp, seen.expires_at, time.time()
    ):
        raise WebhookRefused(
            f"webhook-id {seen.msg_id[:64]!r} at timestamp {seen.timestamp} was received "
            "before: a replay"
        )


def verify_channel(
    signature: Signature | None,
    kind: str,
    name: str,
    headers: Mapping[str, str],
    body: bytes,
    proven: Sender,
) -> Verified:
    """The verify step of a system's or a carrier's channel (`kind` ``system``/``carrier``):
    a channel with a secret is proven by its signature (the sender is ``<kind>:<name>``, and
    a Standard Webhooks id is claimed in the recording transaction); one without takes only
    what the HTTP credential proves, and only from that system or carrier or an operator."""
    if signature is None:
        if not may_speak_for(proven, kind, name):
            raise ForeignSender(f"{proven.subject} may not post for {kind} {name!r}")
        return Verified(proven)
    seen = check_signature(signature, name, headers, body)
    claim = None if seen is None else partial(claim_seen, seen=seen)
    return Verified(signed_sender(kind, name), claim)


@dataclass(frozen=True, slots=True)
class CarrierChannel:
    """One configured carrier: its name (the message source), normalizer and signature."""

    name: str
    normalize: Normalizer
    context: CarrierContext
    signature: Signature | None = None


@dataclass(slots=True)
class EventOutcome:
    """What became of one tracking event (or of the whole payload, ``path == "$"``)."""

    path: str
    message_id: str
    status: str
    duplicate: bool = False
    correlation_key: str | None = None
    errors: list[FieldError] = field(default_factory=list)


@dataclass(slots=True)
class WebhookReceipt:
    carrier: str
    events: list[EventOutcome]
    unreadable: bool = False

    @property
    def rejected(self) -> list[EventOutcome]:
        return [e for e in self.events if e.status == MessageStatus.REJECTED.value]


#: Webhook and inbound-system event keys follow the log's one rule for over-long keys.
event_key = fitted_key


def prepare_webhook(
    channel: CarrierChannel, body: bytes, *, received_at: datetime, lane: str
) -> tuple[list[str], list[InboundMessage]]:
    """Decode and normalize one payload into messages (pure: no I/O, never raises for content).

    Returns:
        The payload path of each message (``$`` for a payload rejected as a whole) and the
        messages, in the same order.
    """
    digest = hashlib.sha256(body).hexdigest()

    def message(status: MessageStatus, key: str) -> InboundMessage:
        return InboundMessage(
            id=new_id(),
            document_type=DOCUMENT_TYPE,
            schema_version=SCHEMA_VERSION if status is MessageStatus.ACCEPTED else 0,
            source=channel.name,
            channel=CHANNEL,
            received_at=received_at,
            content_type="application/json",
            raw=body,
            body_sha256=digest,
            status=status,
            lane=lane,
            idempotency_key=event_key(key),
        )

    try:
        events = channel.normalize(_decode(body), channel.context)
    except PayloadError as exc:
        rejected = message(MessageStatus.REJECTED, f"rejected:payload:{digest}")
        rejected.errors = _field_errors(exc.issues)
        return ["$"], [rejected]
    paths: list[str] = []
    messages: list[InboundMessage] = []
    for event in events:
        key = event.key or f"payload:{digest}:{event.path}"
        if event.milestone is None:
            out = message(MessageStatus.REJECTED, f"rejected:{key}")
            out.errors = _field_errors(event.errors)
        else:
            out = message(MessageStatus.ACCEPTED, key)
            out.correlation_key = event.milestone.correlation_key()
            out.canonical = event.milestone.model_dump_json(exclude_none=True).encode()
        paths.append(event.path)
        messages.append(out)
    return paths, messages


def _decode(body: bytes) -> object:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PayloadError([Issue("$", f"the body is not JSON: {exc}", "carrier.json")]) from None


def _field_errors(issues: Sequence[Issue]) -> list[FieldError]:
    return [FieldError(i.path, i.reason, i.type) for i in issues]


def record_webhook(uow: UnitOfWork, messages: Sequence[InboundMessage]) -> list[IntakeOutcome]:
    """Record the messages; an event key already in the log is a duplicate even when the
    payload around it changed (intake's own rule would call that a conflict). The caller
    commits."""
    keys = [(m.source, m.idempotency_key) for m in messages if m.idempotency_key]
    known = uow.messages.find_idempotent(keys) if keys else {}
    outcomes: list[IntakeOutcome | None] = []
    fresh: list[InboundMessage] = []
    seen: list[str] = []
    for m in messages:
        first = known.get((m.source, m.idempotency_key or ""))
        if first is None:
            outcomes.append(None)
            fresh.append(m)
        else:
            outcomes.append(IntakeOutcome(first[0], first[2], duplicate=True))
            seen.append(first[0])
    recorded = iter(record(uow, fresh))  # settles repeats inside this payload (same body)
    if seen:
        uow.messages.count_duplicate(seen)
    return [o if o is not None else next(recorded) for o in outcomes]


@dataclass(slots=True)
class WebhookCall:
    carrier: str
    headers: Mapping[str, str]
    body: bytes


class _WebhookSteps:
    """The carrier webhook channel's steps for `IntakePipeline`."""

    def __init__(self, channels: Mapping[str, CarrierChannel], lane: str) -> None:
        self._channels = channels
        self._lane = lane

    def verify(self, call: WebhookCall, proven: Sender) -> Verified:
        channel = self._channels.get(call.carrier)
        if channel is None:
            raise UnknownCarrier(call.carrier)
        return verify_channel(
            channel.signature, "carrier", channel.name, call.headers, call.body, proven
        )

    def prepare(self, call: WebhookCall) -> tuple[list[str], list[InboundMessage]]:
        channel = self._channels[call.carrier]
        return prepare_webhook(channel, call.body, received_at=datetime.now(UTC), lane=self._lane)

    def messages(self, prepared: tuple[list[str], list[InboundMessage]]) -> list[InboundMessage]:
        return prepared[1]

    def record(self, uow: UnitOfWork, messages: Sequence[InboundMessage]) -> list[IntakeOutcome]:
        return record_webhook(uow, messages)


class WebhookService:
    """The channel: verify, normalize off the event loop, record in one unit of work."""

    def __init__(
        self,
        channels: Mapping[str, CarrierChannel],
        runner: StoreRunner,
        lane_for: Callable[[str], str],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._channels = dict(channels)
        self._steps = _WebhookSteps(self._channels, lane_for(DOCUMENT_TYPE))
        self._pipeline = IntakePipeline(runner, on_commit)

    def carriers(self) -> list[str]:
        return sorted(self._channels)

    async def receive(
        self, carrier: str, headers: Mapping[str, str], body: bytes, proven: Sender = NOBODY
    ) -> WebhookReceipt:
        """Record one payload. Raises UnknownCarrier, or BadSignature (nothing recorded).

        The verified secret is the sender (``carrier:<name>``); a carrier without a secret
        is recorded as whoever the HTTP credential (`proven`) says sent it.
        """
        call = WebhookCall(carrier, headers, body)
        (paths, messages), outcomes = await self._pipeline.take(self._steps, call, proven)
        events = [
            EventOutcome(
                path,
                outcome.message_id,
                outcome.status,
                outcome.duplicate,
                message.correlation_key,
                message.errors,
            )
            for path, message, outcome in zip(paths, messages, outcomes, strict=True)
        ]
        return WebhookReceipt(carrier, events, unreadable=paths == ["$"])

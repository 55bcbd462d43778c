"""The engine every carrier shape shares: a declared `Shape` in, canonical milestones out.

A carrier payload holds one or more *groups* (a tracker, a track result, the payload itself),
each with a list of tracking *events*. Fields are read by declared paths scoped to the event,
its group or the whole payload (``event:status``, ``group:tracking_code``, ``root:created_at``),
and the carrier's status code is looked up in the shape's table. Each event is mapped on its
own, so one unknown code rejects that event with a precise reason and the others still count;
a payload that is not the declared shape at all raises `PayloadError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

from crossdock.canonical.shipment import MilestoneCode, ShipmentMilestone
from crossdock.mapping.carriers.paths import first, resolve

TimeFormat = Literal["iso", "epoch_s", "epoch_ms"]
_SCOPES = ("event", "group", "root")
_LOCATION = ("name", "city", "region", "postal_code", "country")


@dataclass(frozen=True, slots=True)
class Issue:
    """One reason an event or payload could not be mapped: where in the payload, and why."""

    path: str
    reason: str
    type: str = "carrier.mapping"


class PayloadError(ValueError):
    """The payload is not the configured carrier shape: nothing in it can be mapped."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.path}: {i.reason}" for i in issues))
        self.issues = issues


@dataclass(frozen=True, slots=True)
class CarrierContext:
    """What the hub's configuration knows about the carrier beyond its payload.

    Attributes:
        name: The configured carrier name (the message source); always on the carrier party.
        display_name: The carrier's name when the payload does not carry one.
        scac: The carrier's SCAC, for receivers that identify carriers the X12 way.
    """

    name: str
    display_name: str | None = None
    scac: str | None = None


@dataclass(frozen=True, slots=True)
class Status:
    """What one carrier status code means. ``milestone=None``: a known code that says nothing
    about the shipment (e.g. "unknown"), rejected with ``note`` rather than guessed."""

    milestone: MilestoneCode | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Shape:
    """A carrier payload shape, declared as data.

    Attributes:
        format: The configuration name of the shape (``carriers.<name>.format``).
        label: How errors name the carrier vocabulary ("EasyPost status").
        require: Root path -> accepted values; a payload failing one is not this shape.
        groups: Path from the root to each group (``""``: the root is the one group).
        events: Path from a group to each event.
        fields: Milestone field -> alternative scoped paths, the first present one wins.
            Besides milestone fields: ``status`` (the code looked up), ``status_detail``
            (looked up in ``detail_overrides``), ``carrier_name`` and ``carrier_scac``.
        statuses: Carrier status code -> its meaning; codes not listed are mapping errors.
        detail_overrides: A status detail that changes the milestone (a delay is an exception).
        vague_details: Status details that say nothing (EasyPost's "unknown"): treated as absent.
        time_format: How the shape writes times.
    """

    format: str
    label: str
    groups: str
    events: str
    fields: Mapping[str, tuple[str, ...]]
    statuses: Mapping[str, Status]
    detail_overrides: Mapping[str, MilestoneCode] = field(default_factory=dict)
    vague_details: frozenset[str] = frozenset()
    require: Mapping[str, frozenset[str]] = field(default_factory=dict)
    time_format: TimeFormat = "iso"


@dataclass(frozen=True, slots=True)
class NormalizedEvent:
    """One carrier event: its milestone, or why it has none.

    Attributes:
        path: Where the event is in the payload (``result.tracking_details[2]``).
        key: Its idempotency key: the carrier's event id when it has one, else tracking
            number + raw status + time, so a redelivered event is recognised.
        milestone: The canonical milestone; None when the event could not be mapped.
        errors: Why it could not (empty when mapped).
    """

    path: str
    key: str | None
    milestone: ShipmentMilestone | None = None
    errors: tuple[Issue, ...] = ()


def normalize(shape: Shape, payload: object, context: CarrierContext) -> list[NormalizedEvent]:
    """Map every tracking event in ``payload``; raises PayloadError when it is not ``shape``."""
    if not isinstance(payload, dict | list):
        raise PayloadError([Issue("$", f"expected a JSON object for {shape.format} payloads")])
    for path, accepted in shape.require.items():
        found = first(payload, (path,))
        if found is None or str(found[1]) not in accepted:
            got = "nothing" if found is None else repr(found[1])
            want = " or ".join(sorted(accepted))
            raise PayloadError([Issue(path, f"expected {want}, got {got}", "carrier.shape")])
    groups = list(resolve(payload, shape.groups))
    if not groups:
        raise PayloadError([Issue(shape.groups, "missing: no tracking results", "carrier.shape")])
    events: list[NormalizedEvent] = []
    for group_path, group in groups:
        for event_path, event in resolve(group, shape.events, group_path):
            scopes = {"event": event, "group": group, "root": payload}
            bases = {"event": event_path, "group": group_path, "root": ""}
            events.append(_event(shape, _Reader(scopes, bases, shape.time_format), context))
    if not events:
        where = f"{shape.groups}.{shape.events}".strip(".") or "$"
        raise PayloadError(
            [Issue(where, "the payload carries no tracking events", "carrier.shape")]
        )
    return events


class _Reader:
    """Reads declared fields of one event, collecting issues instead of stopping at the first."""

    def __init__(self, scopes: dict[str, object], bases: dict[str, str], times: TimeFormat):
        self.scopes, self.bases, self.times = scopes, bases, times
        self.issues: list[Issue] = []
        self.path = bases["event"]

    def get(self, shape: Shape, name: str) -> tuple[str, Any] | None:
        for spec in shape.fields.get(name, ()):
            scope, _, path = spec.partition(":")
            if scope not in _SCOPES:
                raise ValueError(f"{shape.format}: field {name!r} path {spec!r} needs a scope")
            found = first(self.scopes[scope], (path,), self.bases[scope])
            if found is not None:
                return found
        return None

    def text(self, shape: Shape, name: str) -> str | None:
        found = self.get(shape, name)
        return None if found is None else str(found[1]).strip() or None

    def time(self, shape: Shape, name: str) -> datetime | None:
        found = self.get(shape, name)
        if found is None:
            return None
        where, value = found
        try:
            return parse_time(value, self.times)
        except ValueError as exc:
            self.issues.append(Issue(where, str(exc), "carrier.time"))
            return None


def parse_time(value: object, kind: TimeFormat) -> datetime:
    """A carrier time as an aware datetime; a time without an offset is an error, not UTC."""
    if kind == "iso":
        if not isinstance(value, str):
            raise ValueError(f"expected an ISO 8601 time, got {value!r}")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"time {value!r} has no UTC offset; its zone cannot be guessed")
        return parsed
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected epoch {'milliseconds' if kind == 'epoch_ms' else 'seconds'}")
    seconds = value / 1000 if kind == "epoch_ms" else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch time {value!r} is out of range") from None


def _event(shape: Shape, read: _Reader, context: CarrierContext) -> NormalizedEvent:
    status_at = read.get(shape, "status")
    code = None if status_at is None else str(status_at[1]).strip()
    detail = read.text(shape, "status_detail")
    detail = None if detail in shape.vague_details else detail
    occurred_at = read.time(shape, "occurred_at")
    tracking = read.text(shape, "tracking_number")
    event_id = read.text(shape, "event_id")
    key = _key(event_id, tracking, code, occurred_at)
    milestone_code = _milestone(shape, read, status_at, detail)
    if read.get(shape, "occurred_at") is None:
        read.issues.append(Issue(read.path, "the event has no time", "carrier.missing"))
    if read.issues or milestone_code is None or occurred_at is None:
        return NormalizedEvent(read.path, key, errors=tuple(read.issues))
    exception_code = read.text(shape, "exception_code")
    if milestone_code is MilestoneCode.EXCEPTION and exception_code is None:
        exception_code = detail or code  # the validator wants every exception categorised
    document: dict[str, Any] = {
        "shipment_id": read.text(shape, "shipment_id") or tracking,
        "event_id": event_id,
        "milestone": milestone_code,
        "occurred_at": occurred_at,
        "reported_at": read.time(shape, "reported_at"),
        "carrier": _carrier(read, shape, context),
        "tracking_number": tracking,
        "carrier_reference": read.text(shape, "carrier_reference"),
        "location": _location(shape, read),
        "estimated_delivery_at": read.time(shape, "estimated_delivery_at"),
        "carrier_status_code": code,
        "exception_code": exception_code,
        "description": read.text(shape, "description"),
    }
    if read.issues:  # a bad optional time
        return NormalizedEvent(read.path, key, errors=tuple(read.issues))
    try:
        milestone = ShipmentMilestone.model_validate(document)
    except ValidationError as exc:
        issues = tuple(
            Issue(
                read.path, f"{'.'.join(map(str, e['loc'])) or '$'}: {e['msg']}", "carrier.invalid"
            )
            for e in exc.errors(include_url=False, include_input=False)
        )
        return NormalizedEvent(read.path, key, errors=issues)
    return NormalizedEvent(read.path, key, milestone)


def _milestone(
    shape: Shape, read: _Reader, status_at: tuple[str, Any] | None, detail: str | None
) -> MilestoneCode | None:
    if status_at is None:
        read.issues.append(Issue(read.path, "the event has no status code", "carrier.missing"))
        return None
    where, raw = status_at
    status = shape.statuses.get(str(raw).strip())
    if status is None:
        known = ", ".join(sorted(shape.statuses))
        reason = f"unknown {shape.label} {raw!r} (known: {known})"
        read.issues.append(Issue(where, reason, "carrier.unknown_status"))
        return None
    if status.milestone is None:
        reason = f"{shape.label} {raw!r} carries no milestone: {status.note}"
        read.issues.append(Issue(where, reason, "carrier.no_milestone"))
        return None
    override = shape.detail_overrides.get(detail or "")
    return override or status.milestone


def _key(
    event_id: str | None, tracking: str | None, code: str | None, at: datetime | None
) -> str | None:
    """The carrier's id names an event for good; otherwise what it reported, where and when."""
    if event_id:
        return f"event:{event_id}"
    if tracking and code and at is not None:
        return f"track:{tracking}:{code}:{at.astimezone(UTC).isoformat().replace('+00:00', 'Z')}"
    return None


def _carrier(read: _Reader, shape: Shape, context: CarrierContext) -> dict[str, Any]:
    """The payload's carrier (EasyPost relays many carriers), else the configured one, tagged
    with our name for it."""
    scac = read.text(shape, "carrier_scac") or context.scac
    return {
        "role": "carrier",
        "name": read.text(shape, "carrier_name") or context.display_name or context.name,
        "x12": {"qualifier": "2", "identifier": scac} if scac else None,
        "codes": [{"scheme": "crossdock", "value": context.name}],
    }


def _location(shape: Shape, read: _Reader) -> dict[str, str] | None:
    place = {part: read.text(shape, f"location.{part}") for part in _LOCATION}
    present = {k: v for k, v in place.items() if v is not None}
    return present or None

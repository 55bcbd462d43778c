"""Carriers' proof-of-delivery API responses -> canonical `ProofOfDelivery`, one declared shape
per format.

Carriers that do not push a signed POD expose it on their API (``GET …/pod``); the hub fetches
it once a webhook says "delivered" (`crossdock.hub.pod`). The response names little more than
the signer and the time, so what identifies the shipment comes from the delivered milestone
(`PodContext`): the POD keeps the milestone's shipment id, so it lands in the same flows and
bus order as the milestones before it. A response that is not the declared shape, or is the
POD of another shipment, raises `PayloadError` with precise issues: the hub records it as
rejected with them, so nothing is lost and an operator sees why.

Shapes:

* ``easypost``: ``{"object": "ProofOfDelivery", "tracking_code", "signed_by", "delivered_at",
  "signature_url"}``, times in UTC.
* ``flat_214``: ``{"pro", "signedBy", "deliveredAt", "pieces", "condition"}``, local times with
  an offset (kept as given: the offset is what the carrier said; comparisons are absolute).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import ValidationError

from crossdock.canonical.shipment import ProofOfDelivery
from crossdock.mapping.carriers.paths import first
from crossdock.mapping.carriers.shape import Issue, PayloadError, parse_time

PodFormat = Literal["easypost", "flat_214"]
POD_FORMATS: tuple[str, ...] = get_args(PodFormat)


@dataclass(frozen=True, slots=True)
class PodContext:
    """What the delivered milestone says about the shipment whose POD was fetched.

    Attributes:
        shipment_id: The milestone's shipment id; the POD's correlation key.
        carrier: The milestone's carrier party (as a JSON-ready dict), so both name it alike.
        tracking_number: The tracking or PRO number the POD must be for, when known.
    """

    shipment_id: str
    carrier: Mapping[str, Any]
    tracking_number: str | None = None


@dataclass(frozen=True, slots=True)
class PodShape:
    """A POD response shape, declared as data.

    Attributes:
        format: The shape's configuration name (``carriers.<name>.pod.format``).
        require: Path -> accepted values; a response failing one is not this shape.
        fields: POD field -> path in the response: ``tracking_number``, ``delivered_at``
            (required), ``signed_by``, ``document_url``, ``packages_delivered``, ``condition``
            (kept as a remark).
    """

    format: str
    fields: Mapping[str, str]
    require: Mapping[str, frozenset[str]] = field(default_factory=dict)


EASYPOST_POD = PodShape(
    format="easypost",
    require={"object": frozenset({"ProofOfDelivery"})},
    fields={
        "tracking_number": "tracking_code",
        "delivered_at": "delivered_at",
        "signed_by": "signed_by",
        "document_url": "signature_url",
    },
)
FLAT_214_POD = PodShape(
    format="flat_214",
    fields={
        "tracking_number": "pro",
        "delivered_at": "deliveredAt",
        "signed_by": "signedBy",
        "packages_delivered": "pieces",
        "condition": "condition",
    },
)
POD_SHAPES: dict[str, PodShape] = {s.format: s for s in (EASYPOST_POD, FLAT_214_POD)}


def pod_format_for(carrier_format: str, configured: str | None = None) -> str | None:
    """The POD shape a carrier uses: the configured one, else its webhook format's namesake."""
    name = configured or carrier_format
    return name if name in POD_SHAPES else None


def map_pod(format_name: str, payload: object, context: PodContext) -> ProofOfDelivery:
    """Map one POD response; raises PayloadError naming every problem found.

    Raises:
        KeyError: ``format_name`` is not a POD shape (a configuration bug, checked at load).
        PayloadError: The response is not the shape, is for another shipment, or is invalid.
    """
    shape = POD_SHAPES[format_name]
    if not isinstance(payload, dict):
        raise PayloadError([Issue("$", f"expected a JSON object for {shape.format} PODs")])
    issues: list[Issue] = []
    for path, accepted in shape.require.items():
        found = first(payload, (path,))
        if found is None or str(found[1]) not in accepted:
            got = "nothing" if found is None else repr(found[1])
            want = " or ".join(sorted(accepted))
            issues.append(Issue(path, f"expected {want}, got {got}", "carrier.shape"))
    if issues:
        raise PayloadError(issues)

    def text(name: str) -> tuple[str, str] | None:
        path = shape.fields.get(name)
        found = first(payload, (path,)) if path else None
        if found is None or isinstance(found[1], dict | list):
            return None
        value = str(found[1]).strip()
        return (found[0], value) if value else None

    tracking = text("tracking_number")
    expected = context.tracking_number
    if tracking is not None and expected is not None and tracking[1] != expected:
        issues.append(
            Issue(tracking[0], f"the POD is for {tracking[1]!r}, not {expected!r}", "carrier.pod")
        )
    delivered_at = _time(payload, shape.fields["delivered_at"], issues)
    document: dict[str, Any] = {
        "shipment_id": context.shipment_id,
        "delivered_at": delivered_at,
        "carrier": dict(context.carrier),
        "signed_by": _value(text("signed_by")),
        "tracking_number": _value(tracking) or expected,
        "document_url": _value(text("document_url")),
        "packages_delivered": _count(payload, shape.fields.get("packages_delivered"), issues),
    }
    condition = _value(text("condition"))
    if condition is not None:
        document["remarks"] = [f"condition: {condition}"]
    if issues:
        raise PayloadError(issues)
    try:
        return ProofOfDelivery.model_validate({k: v for k, v in document.items() if v is not None})
    except ValidationError as exc:
        raise PayloadError(
            [
                Issue(".".join(map(str, e["loc"])) or "$", e["msg"], "carrier.invalid")
                for e in exc.errors(include_url=False, include_input=False)
            ]
        ) from None


def _value(found: tuple[str, str] | None) -> str | None:
    return None if found is None else found[1]


def _time(payload: object, path: str, issues: list[Issue]) -> datetime | None:
    found = first(payload, (path,))
    if found is None:
        issues.append(Issue(path, "missing: the POD has no delivery time", "carrier.missing"))
        return None
    try:
        return parse_time(found[1], "iso")
    except ValueError as exc:
        issues.append(Issue(found[0], str(exc), "carrier.time"))
        return None


def _count(payload: object, path: str | None, issues: list[Issue]) -> int | None:
    found = first(payload, (path,)) if path else None
    if found is None:
        return None
    value = found[1]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        issues.append(Issue(found[0], f"expected a count of pieces, got {value!r}", "carrier.pod"))
        return None
    return value

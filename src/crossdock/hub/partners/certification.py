"""Certification: a partner in testing sends samples and gets the production verdict.

The samples go through exactly what production intake runs — `hub.intake.prepare` (JSON
decode + the canonical model's validation) and the channels' `EdiPreparer` (X12 syntax,
the transaction set's spec, the partner's map to canonical) — and stop there: nothing is
written to the message log or the outbox, so nothing is routed or delivered. Each document
(each transaction set of an X12 sample) becomes a `CertificationResult`, recorded by the
registry, that the go-live checklist counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from crossdock.hub.edi.partners import sender_key
from crossdock.hub.edi.prepare import EdiPreparer, issue_errors
from crossdock.hub.ids import new_id
from crossdock.hub.intake import IntakeRequest, prepare
from crossdock.hub.partners.model import CertificationResult, OnboardingState, Partner
from crossdock.hub.partners.ports import NotInTesting
from crossdock.hub.records import FieldError, InboundMessage, MessageStatus

CHANNEL: Final = "certification"
#: Transaction sets reported (and recorded) per X12 sample; more is a sample too large.
MAX_SETS: Final = 100
#: An X12 sample is read whole into memory (production spools past 4 MiB): samples are
#: small, so a larger body is refused (413) rather than held.
MAX_X12_SAMPLE_BYTES: Final = 4 * 1024 * 1024


@dataclass(slots=True)
class CertificationReport:
    """What the partner gets back: one result per document, and envelope-level findings."""

    partner: str
    results: list[CertificationResult] = field(default_factory=list)
    interchange_errors: list[FieldError] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results)

    def as_dict(self) -> dict[str, object]:
        return {
            "partner": self.partner,
            "passed": self.passed,
            "documents": [r.model_dump(mode="json") for r in self.results],
            "interchange_errors": [_error(e) for e in self.interchange_errors],
        }


def _error(e: FieldError) -> dict[str, str]:
    return {"path": e.path, "reason": e.reason, "type": e.type}


def ensure_testing(partner: Partner) -> None:
    if partner.state is not OnboardingState.TESTING:
        raise NotInTesting(partner.name, partner.state.value)


def _result(
    partner: str, message: InboundMessage, fmt: str, reference: str | None, extra: list[FieldError]
) -> CertificationResult:
    errors = [*extra, *(message.errors if message.status is MessageStatus.REJECTED else [])]
    return CertificationResult(
        id=new_id(),
        partner=partner,
        document_type=message.document_type,
        format="x12" if fmt == "x12" else "json",
        passed=message.status is MessageStatus.ACCEPTED and not extra,
        errors=[_error(e) for e in errors],
        received_at=message.received_at,
        body_sha256=message.body_sha256,
        reference=reference,
    )


def certify_json(
    partner: Partner,
    document_type: str,
    raw: bytes,
    content_type: str,
    received_at: datetime,
    lane_for: Callable[[str], str],
) -> tuple[CertificationReport, list[InboundMessage]]:
    """Validate one canonical JSON document as intake would. `UnknownDocumentType` when
    the hub has no such type. Returns the report and the prepared message (for its raw)."""
    ensure_testing(partner)
    request = IntakeRequest(
        document_type=document_type,
        raw=raw,
        content_type=content_type,
        source=partner.name,
        channel=CHANNEL,
        received_at=received_at,
    )
    message = prepare(request, lane_for)
    report = CertificationReport(partner.name, [_result(partner.name, message, "json", None, [])])
    return report, [message]


def certify_x12(
    partner: Partner, raw: bytes, preparer: EdiPreparer, received_at: datetime
) -> tuple[CertificationReport, list[InboundMessage]]:
    """Validate an X12 sample as the EDI channel would: a result per transaction set.

    The interchange must come from the partner's own X12 sender (ISA05/ISA06); a set in an
    interchange from another sender fails with an error saying so.
    """
    ensure_testing(partner)
    report = CertificationReport(partner.name)
    kept: list[InboundMessage] = []
    own = sender_key(partner.x12.qualifier, partner.x12.id) if partner.x12 else None
    for prepared in preparer.prepare(raw, channel=CHANNEL, received_at=received_at):
        report.interchange_errors.extend(issue_errors(prepared.issues))
        wrong_sender: list[FieldError] = []
        if not prepared.unreadable and prepared.sender != own:
            wrong_sender.append(
                FieldError(
                    path="ISA06",
                    reason=f"interchange sender {prepared.sender} is not this partner's X12 id "
                    f"({own or 'none registered'})",
                    type="certification.sender",
                )
            )
        for message in prepared.messages:
            if len(report.results) >= MAX_SETS:
                report.interchange_errors.append(
                    FieldError(
                        "$",
                        f"only the first {MAX_SETS} transaction sets are certified",
                        "certification.too_many_sets",
                    )
                )
                return report, kept
            reference = (
                message.idempotency_key.removeprefix("x12:") if message.idempotency_key else None
            )
            report.results.append(_result(partner.name, message, "x12", reference, wrong_sender))
            kept.append(message)
    return report, kept


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()

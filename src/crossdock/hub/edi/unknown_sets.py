"""Transaction sets the hub has no map for: envelope-checked, recorded, acknowledged per partner.

A set is "known" when the partner's mapper has a map for its code and GS08 version (the
specs and maps other modules register; no list of sets is kept here). Any other set is not
refused: the reader has already checked its envelope (ST/SE counts, control numbers); when
a spec exists for it, the spec checks it too. It is recorded as an ``x12_transaction``
message carrying its identity and raw text, which routes deliver like any document (the
``x12`` transform re-envelopes it for the receiving partner, ``hub/edi/outbound``).

Its acknowledgment follows the partner's ``x12.unknown_sets`` setting: ``accept`` (the
default, also for senders that are no configured partner) answers AK5/IK5 ``A``; ``reject``
answers AK5/IK5 ``R`` with code 1 (transaction set not supported), and the message is
recorded rejected with that reason.
"""

from __future__ import annotations

from crossdock.canonical.x12_transaction import X12Transaction
from crossdock.hub.edi.partners import TradingPartner
from crossdock.mapping.x12 import X12Mapper
from crossdock.x12.codes import TransactionError
from crossdock.x12.model import Issue, IssueLevel, Transaction
from crossdock.x12.spec_compile import compiled_for
from crossdock.x12.validator import validate

ACK_CODES = frozenset({"997", "999"})
ACCEPT = "accept"
REJECT = "reject"
DOCUMENT_TYPE = X12Transaction.document_type


def is_mapped(mapper: X12Mapper, transaction: Transaction) -> bool:
    """True when the hub maps this set (in this version) or reads it itself (997/999)."""
    code = transaction.code
    return code in ACK_CODES or mapper.compiled(code, transaction.group.version) is not None


def set_findings(
    transaction: Transaction,
    mapped: bool,
    partner: TradingPartner | None,
    max_findings: int,
) -> list[Issue]:
    """The spec's findings for one set (the reader's own are in ``transaction.issues``).

    A set without a map is checked against its spec when there is one, else only its
    envelope counts; a partner whose ``unknown_sets`` is ``reject`` gets AK5/IK5 R code 1.
    A partner with ``x12.strict`` has codes outside the hub's partial code lists rejected
    (AK5/IK5 R) where others get them noted as warnings (``crossdock.x12.validator``).
    """
    if mapped or compiled_for(transaction.code, transaction.group.version) is not None:
        strict = partner is not None and partner.strict
        found = list(validate(transaction, max_findings=max_findings, strict=strict).issues)
    else:
        found = []
    if not mapped and unknown_sets_policy(partner) == REJECT:
        found.insert(0, not_supported(transaction, partner))
    return found


def unknown_sets_policy(partner: TradingPartner | None) -> str:
    """The partner's ``unknown_sets``; senders that are no configured partner: accept."""
    return partner.unknown_sets if partner is not None else ACCEPT


def not_supported(transaction: Transaction, partner: TradingPartner | None) -> Issue:
    """AK5/IK5 R code 1, saying which setting decided it."""
    who = partner.name if partner is not None else "this sender"
    return Issue(
        IssueLevel.TRANSACTION,
        TransactionError.NOT_SUPPORTED,
        f"transaction set {transaction.code} (version {transaction.group.version.strip()!r}) "
        f"has no map in this hub, and {who} has unknown_sets: reject",
        interchange_control=transaction.interchange.control_number,
        group_control=transaction.group.control_number,
        transaction_control=transaction.control_number,
        transaction_code=transaction.code,
        segment_position=None,
    )


def document_of(transaction: Transaction) -> X12Transaction:
    """The ``x12_transaction`` document of one set.

    Raises:
        ValidationError: the set cannot be described (e.g. a control character that is
            not one of its delimiters); the caller records it rejected with why.
    """
    isa, gs = transaction.interchange, transaction.group
    d = isa.delimiters
    return X12Transaction.model_validate(
        {
            "set_id": transaction.code,
            "implementation": transaction.implementation.strip() or None,
            "version": gs.version,
            "functional_id": gs.functional_id,
            "interchange_control": isa.control_number,
            "group_control": gs.control_number,
            "transaction_control": transaction.control_number,
            "sender": {"qualifier": isa.sender_qualifier, "id": isa.sender_id},
            "receiver": {"qualifier": isa.receiver_qualifier, "id": isa.receiver_id},
            "group_sender": gs.sender,
            "group_receiver": gs.receiver,
            "delimiters": {
                "element": d.element,
                "component": d.component,
                "segment": d.segment,
                "repetition": d.repetition,
            },
            "raw": transaction.raw,
        }
    )

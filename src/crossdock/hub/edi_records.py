"""Records of the EDI ledger: interchanges seen, control numbers issued, X12 documents sent.

They let the hub refuse a duplicate interchange, hand out control numbers that never repeat
for a partner (across restarts and concurrent writers), and match an inbound 997/999 to the
outbound documents it answers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ControlLevel(enum.StrEnum):
    """The three X12 control numbers: ISA13, GS06, ST02."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"


# ISA13 and GS06 are 9 digits; ST02 allows 4-9 characters. Wrap at the smallest maximum.
CONTROL_MAX = 999_999_999


@dataclass(slots=True)
class SeenInterchange:
    """An inbound interchange, remembered so the same (sender, ISA13) is not processed twice."""

    sender: str  # "<ISA05>/<ISA06>" stripped
    control_number: str  # ISA13 as an integer string (leading zeros dropped)
    partner: str | None
    received_at: datetime
    message_ids: list[str]
    ack: str | None  # the 997/999/TA1 text answered the first time


class OutboundStatus(enum.StrEnum):
    """Where an X12 document we sent stands with the partner's functional acknowledgment."""

    SENT = "sent"  # no 997/999 yet
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    REJECTED = "rejected"


@dataclass(slots=True)
class OutboundDocument:
    """One transaction set rendered for a partner, keyed by its control numbers."""

    partner: str
    interchange_control: int
    group_control: int
    transaction_control: int
    transaction_code: str
    functional_id: str
    message_id: str
    delivery_id: str
    created_at: datetime
    status: OutboundStatus = OutboundStatus.SENT
    reason: str | None = None
    ack_message_id: str | None = None

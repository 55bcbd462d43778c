"""The ``onboarding:`` section: how registered partners are seen and certified.

Partners registered through the admin API or `crossdock partners` live in the store; the
channels read them into memory (`directory_refresh_seconds` bounds how stale another
process's view may be). `checklists` replaces, per partner kind, the document types a partner
must pass in certification before it may go live.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["supplier", "carrier", "3pl", "customer", "internal"]


class OnboardingConfig(BaseModel):
    """The ``onboarding:`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    directory_refresh_seconds: float = Field(
        2.0,
        gt=0,
        le=3600,
        description="registered partners are re-read at most this old (the process that "
        "changes one sees it at once)",
    )
    checklists: dict[Kind, list[str]] = Field(
        default_factory=dict,
        description="document types to certify per partner kind, replacing the defaults "
        "(supplier: purchase_order_acknowledgment, advance_ship_notice, invoice)",
    )

"""Retention settings: how long messages and flow history stay in the store, then archived
and pruned by a background job.

```yaml
retention:
  enabled: true
  default_days: 90              # every document type not listed below
  document_types:
    inventory_position: 7       # snapshots: a week is plenty
    invoice: 2555               # seven years
    purchase_order: null        # kept for ever
  flow_days: 180                # completed flow instances (default: default_days)
  archive_dir: /var/lib/crossdock/archive
  batch_size: 200
  interval_seconds: 3600
```

Off by default, and with no ages set nothing is ever eligible: an existing store keeps
everything until the operator chooses ages. What is never pruned, whatever the ages:
exceptions, open flows and the messages they reference, messages still waiting in the outbox
or for a delivery (pending or dead-lettered), and X12 documents still awaiting their 997/999.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Days = Annotated[float, Field(gt=0)]


class RetentionConfig(BaseModel):
    """The ``retention:`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(False, description="run the retention job in the hub")
    default_days: float | None = Field(
        None, gt=0, description="age after which a message is archived and pruned (unset: never)"
    )
    document_types: dict[str, Days | None] = Field(
        default_factory=dict,
        description="document type -> age in days (null: never), overriding `default_days`",
    )
    flow_days: float | None = Field(
        None, gt=0, description="age of completed flow instances (unset: `default_days`)"
    )
    archive: bool = Field(True, description="write what is pruned to the archive first")
    archive_dir: Path | None = Field(
        None, description="where archives are written (unset: `archive` in `hub.data_dir`)"
    )
    batch_size: int = Field(200, ge=1, le=10_000, description="messages pruned per transaction")
    pause_ms: float = Field(
        20, ge=0, description="pause between batches, so intake and delivery run in between"
    )
    max_share: float = Field(
        0.25,
        gt=0,
        le=1,
        description="most of its time the job spends in batches: after a batch it waits at "
        "least that batch's time x (1 - share) / share, so it backs off when the store is busy",
    )
    interval_seconds: float = Field(3600, gt=0, description="how often the job runs")

    def age_days(self, document_type: str) -> float | None:
        """The age of `document_type`, None when it is kept for ever."""
        if document_type in self.document_types:
            return self.document_types[document_type]
        return self.default_days

    def flow_age_days(self) -> float | None:
        return self.flow_days if self.flow_days is not None else self.default_days

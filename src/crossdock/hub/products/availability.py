"""Inventory availability: available-to-promise per item and site, from the latest position.

A position is a system's statement (`inventory_position`: on hand, allocated, available, as
of a moment); the newest recorded one for ``site/item`` answers, whichever system stated it
(the reconciliation records both the ERP's and the WMS's). Available-to-promise is the
position's ``available`` as the system states it (systems differ in what they hold back, so
the hub does not recompute it). Staleness is how old that statement is, so a caller can tell
a live figure from last night's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.canonical.versions import upcast
from crossdock.hub.products.ports import ProductReads, StoredDocument

POSITION = "inventory_position"
#: Items one bulk lookup may name.
MAX_LOOKUP = 100


@dataclass(slots=True, frozen=True)
class Availability:
    site: str
    item: str
    found: bool
    available_to_promise: str | None = None
    on_hand: str | None = None
    allocated: str | None = None
    unit: str | None = None
    as_of: datetime | None = None
    staleness_seconds: float | None = None
    source: str | None = None
    message_id: str | None = None


def _quantity(value: Any) -> str | None:
    return None if not isinstance(value, dict) else str(value.get("value"))


def _answer(site: str, item: str, stored: StoredDocument | None, now: datetime) -> Availability:
    if stored is None:
        return Availability(site, item, found=False)
    doc = upcast(POSITION, stored.document, stored.schema_version)
    as_of = datetime.fromisoformat(doc["as_of"])
    return Availability(
        site,
        item,
        found=True,
        available_to_promise=_quantity(doc.get("available")),
        on_hand=_quantity(doc.get("on_hand")),
        allocated=_quantity(doc.get("allocated")),
        unit=(doc.get("available") or {}).get("unit"),
        as_of=as_of,
        staleness_seconds=max(0.0, round((now - as_of).total_seconds(), 3)),
        source=stored.source,
        message_id=stored.message_id,
    )


def availability(
    reads: ProductReads, pairs: Sequence[tuple[str, str]], now: datetime
) -> list[Availability]:
    """One answer per (site, item), in the order asked; unknown ones say ``found: false``."""
    keys = [f"{site}/{item}" for site, item in pairs]
    latest = reads.latest(POSITION, keys)
    return [
        _answer(site, item, latest.get(key), now)
        for (site, item), key in zip(pairs, keys, strict=True)
    ]

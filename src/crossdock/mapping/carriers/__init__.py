"""Carrier tracking payloads -> canonical shipment milestones, one declared shape per format.

Which shape a payload has is configured per carrier (``carriers.<name>.format``), never
guessed from its content: a payload that does not fit its carrier's shape is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Literal, get_args

from crossdock.mapping.carriers.easypost import EASYPOST
from crossdock.mapping.carriers.flat_214 import FLAT_214
from crossdock.mapping.carriers.flat_events import FLAT_EVENTS
from crossdock.mapping.carriers.shape import (
    CarrierContext,
    Issue,
    NormalizedEvent,
    PayloadError,
    Shape,
    Status,
    normalize,
)
from crossdock.mapping.carriers.track_v1 import TRACK_V1

__all__ = [
    "FORMATS",
    "SHAPES",
    "CarrierContext",
    "CarrierFormat",
    "Issue",
    "NormalizedEvent",
    "Normalizer",
    "PayloadError",
    "Shape",
    "Status",
    "normalize",
    "normalizer",
]

CarrierFormat = Literal["easypost", "track_v1", "flat_events", "flat_214"]
FORMATS: tuple[str, ...] = get_args(CarrierFormat)
SHAPES: dict[str, Shape] = {
    shape.format: shape for shape in (EASYPOST, TRACK_V1, FLAT_EVENTS, FLAT_214)
}

Normalizer = Callable[[object, CarrierContext], list[NormalizedEvent]]


def normalizer(format_name: str) -> Normalizer:
    """The normalizer for a configured format; KeyError for a format that does not exist."""
    return partial(normalize, SHAPES[format_name])

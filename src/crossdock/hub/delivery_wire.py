"""A delivery as it travels in its bus entry: a JSON header line, then the body bytes.

Carrying the encoded body in the entry means the dispatcher can send as soon as it fetches,
with no read of the delivery row on the hot path, and the bytes are stored once.
"""

from __future__ import annotations

import orjson

from crossdock.hub.records import Delivery


def encode_delivery(delivery: Delivery) -> bytes:
    fields = delivery.identity()
    if delivery.trace_context is not None:  # the trace the delivery continues
        fields["trace_context"] = delivery.trace_context
    header = orjson.dumps(fields)
    return header + b"\n" + delivery.body


def decode_delivery(payload: bytes) -> Delivery:
    """Raises ValueError for a payload that is not a delivery (a bug, never partner input)."""
    header, sep, body = payload.partition(b"\n")
    if not sep:
        raise ValueError("delivery payload has no header line")
    fields = orjson.loads(header)
    return Delivery(body=body, **fields)

"""The ``system`` route transform: a canonical document rendered as a business system's own
request body by a declarative map (``deliver.map``; see ``crossdock.mapping.systems``).

It plugs into the router as a deferred encoder only to receive the route (and so the map's
name); the rendering itself is pure and happens while planning, so a document the map cannot
render fails that message alone, with the reason, before anything is claimed.
"""

from __future__ import annotations

from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import Delivery
from crossdock.hub.routing import Finisher, Route
from crossdock.mapping.systems import render_outbound
from crossdock.mapping.systems.engine import MapError
from crossdock.mapping.transforms import EnvelopeInfo, TransformError


class SystemEncoder:
    """Renders with the route's map; the envelope facts are the map's context."""

    content_type = "application/json"

    def prepare(self, route: Route, canonical: bytes, info: EnvelopeInfo) -> Finisher:
        if route.map is None:
            raise TransformError(f"route {route.name}: transform 'system' needs a map")
        context = {
            "message_id": info.message_id,
            "document_type": info.document_type,
            "source": info.source,
            "correlation_key": info.correlation_key,
            "received_at": info.received_at,
        }
        try:
            body = render_outbound(route.map, canonical, context)
        except KeyError as exc:
            raise TransformError(f"route {route.name}: unknown map {route.map!r}") from exc
        except MapError as exc:  # the document lacks what the map needs: the message's fault
            raise TransformError(f"route {route.name}: map {route.map}: {exc}") from exc

        def finish(uow: UnitOfWork, delivery: Delivery) -> bytes:
            return body

        return finish

"""The ``csv`` route transform: a canonical document rendered as a partner's flat file with
the partner's map for that document type (``deliver.partner``; `crossdock.mapping.csv`).

Rendering is pure and happens while the route is planned, so a document the map cannot
render fails that message alone, with the reason, before anything is claimed.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from crossdock.hub.ports import UnitOfWork
from crossdock.hub.records import Delivery
from crossdock.hub.routing import Finisher, Route
from crossdock.mapping.csv import PartnerCsvConfig, render_csv
from crossdock.mapping.transforms import EnvelopeInfo, TransformError


class CsvEncoder:
    """The `DeferredEncoder` for ``transform: csv``."""

    content_type = "text/csv"

    def __init__(self, partners: Mapping[str, PartnerCsvConfig]) -> None:
        self._partners = dict(partners)

    def prepare(self, route: Route, canonical: bytes, info: EnvelopeInfo) -> Finisher:
        config = self._partners.get(route.partner or "")
        if config is None:
            raise TransformError(f"route {route.name}: partner {route.partner!r} has no csv maps")
        csv_map = config.maps.get(info.document_type)
        if csv_map is None:
            raise TransformError(
                f"route {route.name}: partner {route.partner!r} has no csv map for "
                f"{info.document_type}"
            )
        body = render_csv(orjson.loads(canonical), csv_map)

        def finish(uow: UnitOfWork, delivery: Delivery) -> bytes:
            return body

        return finish

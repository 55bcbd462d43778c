"""`GET /asyncapi.json`: the AsyncAPI 3.0 document (bus topics, outbound webhooks).

Public like `/openapi.json`: a partner building a webhook receiver needs the event schemas
before it holds a credential, and the document names no partner, endpoint or secret (the bus
channels are parameterised, never filled in from this hub's configuration).
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from crossdock.entrypoints.asyncapi import build_asyncapi

router = APIRouter()


@router.get(
    "/asyncapi.json",
    response_model=dict[str, object],
    responses={200: {"description": "the AsyncAPI 3.0.0 document"}},
)
async def asyncapi_document() -> Response:
    """The hub's events and webhooks as AsyncAPI 3.0 (also `crossdock schema asyncapi`)."""
    return Response(orjson.dumps(build_asyncapi()), media_type="application/json")

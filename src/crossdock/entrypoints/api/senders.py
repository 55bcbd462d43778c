"""Who an HTTP request came from, for the channels that record it and the reads it filters.

The authentication middleware (auth-core) proves the caller once and leaves the `Principal`
in ``scope["state"]["principal"]``. Until it is in front of every route, a request may carry
none: channels then record no sender, and reads stay unfiltered (the hub answers anyone who
can reach it, as before this seam existed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api.security import PRINCIPAL_STATE
from crossdock.hub.identity import Principal
from crossdock.hub.intake_pipeline import Sender, sender_of
from crossdock.hub.partners.directory import production_refusal


def principal_in(scope: Mapping[str, Any]) -> Principal | None:
    """The principal the middleware left in an ASGI scope, or None."""
    state = scope.get("state")
    principal = state.get(PRINCIPAL_STATE) if state else None
    return principal if isinstance(principal, Principal) else None


def caller(request: Request) -> Principal | None:
    return principal_in(request.scope)


def proven_sender(scope: Mapping[str, Any]) -> Sender:
    """The sender to record for a request's messages."""
    return sender_of(principal_in(scope))


def onboarding_refusal(hub: HubServices, partner: str | None) -> str | None:
    """Why `partner` may not send production documents (a registered partner in draft,
    testing or suspended), None when it may; operators name no partner and always may.
    The production channels answer it with 403 and record the refusal."""
    services = hub.partners
    return production_refusal(services.directory if services else None, partner)

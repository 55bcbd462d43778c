"""The FastAPI application, built around already-wired hub services."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from crossdock import __version__
from crossdock.bootstrap import HubServices
from crossdock.bootstrap.auth import build_authentication
from crossdock.entrypoints.api import (
    admin,
    asyncapi,
    availability,
    edi,
    inbound,
    intake,
    inventory,
    oauth,
    operations,
    purchase_orders,
    shipments,
    webhook_subscriptions,
    webhooks,
)
from crossdock.entrypoints.api import alerts as alerts_api
from crossdock.entrypoints.api import certification as certification_api
from crossdock.entrypoints.api import exceptions as exceptions_api
from crossdock.entrypoints.api import kpis as kpis_api
from crossdock.entrypoints.api import partners as partners_api
from crossdock.entrypoints.api.auth import Authenticate, Authenticator, PublicPaths
from crossdock.entrypoints.api.availability_fast import FastAvailability
from crossdock.entrypoints.api.fast_intake import FastIntake
from crossdock.entrypoints.api.openapi import install_openapi
from crossdock.entrypoints.api.problems import install_problem_handlers
from crossdock.entrypoints.api.throttling import with_throttling
from crossdock.entrypoints.api.tracing import TraceRequests


def create_app(hub: HubServices) -> FastAPI:
    """The API for one hub; the hub's lifecycle (workers) is driven by the caller.

    `/docs` (Swagger UI) and `/redoc` load their scripts and styles from the hub itself
    (`/static-offline-docs`, shipped in the fastapi-offline package): FastAPI's defaults fetch
    them from a CDN, which leaves a blank page on a machine without internet access.
    """
    app = FastAPIOffline(
        title="crossdock",
        version=__version__,
        description="Integration hub for distribution: intake, tracking, replay, operations.",
    )
    app.state.hub = hub
    install_problem_handlers(app)
    # The hot read (>= 2,000/s) is answered before the router walk; its route goes first too.
    app.add_middleware(FastAvailability)
    app.include_router(availability.router, tags=["inventory"])
    app.include_router(intake.router, tags=["intake"])
    app.include_router(edi.router, tags=["edi"])
    app.include_router(webhooks.router, tags=["webhooks"])
    app.include_router(webhook_subscriptions.router)
    app.include_router(inbound.router, tags=["inbound"])
    app.include_router(operations.router, tags=["operations"])
    app.include_router(exceptions_api.router, tags=["exceptions"])
    app.include_router(inventory.router, tags=["inventory"])
    app.include_router(kpis_api.router, tags=["kpis"])
    app.include_router(alerts_api.router, tags=["alerts"])
    app.include_router(purchase_orders.router, tags=["purchase-orders"])
    app.include_router(shipments.router, tags=["shipments"])
    app.include_router(admin.router, tags=["admin"])
    app.include_router(oauth.router, tags=["oauth"])
    app.include_router(partners_api.router, tags=["partners"])
    app.include_router(certification_api.router, tags=["certification"])
    app.include_router(asyncapi.router, tags=["docs"])
    install_openapi(app, PublicPaths(public_paths(hub)))
    return app


def public_paths(hub: HubServices) -> list[str]:
    """What answers without credentials: the configured paths and the OAuth2 endpoints (a
    client has no token before it asks for one). The middleware and the OpenAPI document
    read this one list, so the document cannot promise what the middleware refuses."""
    return [*hub.settings.auth.public_paths, *oauth.PUBLIC_PATHS]


def create_asgi(hub: HubServices, *authenticators: Authenticator) -> Authenticate:
    """The app as served: authentication outermost, then throttling (`throttle:`), then the
    raw intake fast path (which traces its requests itself), then the request's trace
    (`tracing.TraceRequests`), then the FastAPI app (`.fastapi`). API keys are tried first, then `authenticators` (OAuth2...).
    Registers the environment's admin key (``auth.admin_key``) in the store."""
    app = create_app(hub)
    auth = build_authentication(hub.settings, hub.store.engine)
    app.state.auth = auth
    bearer = hub.oauth.bearer if hub.oauth is not None else None  # the hub's and an IdP's JWTs
    return Authenticate(
        with_throttling(FastIntake(TraceRequests(app), hub), hub),
        [auth.authenticator, *([bearer] if bearer else []), *authenticators],
        public=public_paths(hub),
        signed=auth.signed_paths,
        fastapi=app,
        refusals=auth.refusals,
    )

"""The FastAPI application, built around already-wired hub services."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from crossdock import __version__
from crossdock.bootstrap import HubServices
from crossdock.bootstrap.auth import build_authentication
from crossdock.entrypoints.api import admin, edi, inbound, intake, inventory, operations, webhooks
from crossdock.entrypoints.api import exceptions as exceptions_api
from crossdock.entrypoints.api import kpis as kpis_api
from crossdock.entrypoints.api.auth import Authenticate, Authenticator
from crossdock.entrypoints.api.fast_intake import FastIntake
from crossdock.entrypoints.api.problems import install_problem_handlers


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
    app.include_router(intake.router, tags=["intake"])
    app.include_router(edi.router, tags=["edi"])
    app.include_router(webhooks.router, tags=["webhooks"])
    app.include_router(inbound.router, tags=["inbound"])
    app.include_router(operations.router, tags=["operations"])
    app.include_router(exceptions_api.router, tags=["exceptions"])
    app.include_router(inventory.router, tags=["inventory"])
    app.include_router(kpis_api.router, tags=["kpis"])
    app.include_router(admin.router, tags=["admin"])
    return app


def create_asgi(hub: HubServices, *authenticators: Authenticator) -> Authenticate:
    """The app as served: authentication outermost, then the raw intake fast path, then the
    FastAPI app (`.fastapi`). API keys are tried first, then `authenticators` (OAuth2...).
    Registers the environment's admin key (``auth.admin_key``) in the store."""
    app = create_app(hub)
    auth = build_authentication(hub.settings, hub.store.engine)
    app.state.auth = auth
    return Authenticate(
        FastIntake(app, hub),
        [auth.authenticator, *authenticators],
        public=hub.settings.auth.public_paths,
        signed=auth.signed_paths,
        fastapi=app,
        refusals=auth.refusals,
    )

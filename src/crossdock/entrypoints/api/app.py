"""The FastAPI application, built around already-wired hub services."""

from __future__ import annotations

from fastapi import FastAPI

from crossdock import __version__
from crossdock.bootstrap import HubServices
from crossdock.entrypoints.api import intake, operations
from crossdock.entrypoints.api.problems import install_problem_handlers


def create_app(hub: HubServices) -> FastAPI:
    """The API for one hub; the hub's lifecycle (workers) is driven by the caller."""
    app = FastAPI(
        title="crossdock",
        version=__version__,
        description="Integration hub for distribution: intake, tracking, replay, operations.",
    )
    app.state.hub = hub
    install_problem_handlers(app)
    app.include_router(intake.router, tags=["intake"])
    app.include_router(operations.router, tags=["operations"])
    # Intake is the hot path: serve it from plain Starlette routes placed first, which skip
    # FastAPI's router walk and dependency solving (about half the per-request cost there).
    # The FastAPI routes above stay for the OpenAPI document; the handlers are the same.
    app.router.routes[0:0] = intake.fast_routes()
    return app

"""The control API every sandbox system carries under ``/_`` (see :mod:`crossdock.sandbox.common`).

It is what a scenario driver and the end-to-end tests use to script a system and to check the
final agreement between systems; it is never affected by the injected faults, so a test can
always look inside a system that is "down".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crossdock.sandbox.api import ApiError, body_of, reply
from crossdock.sandbox.faults import FaultSpecError

if TYPE_CHECKING:
    from crossdock.sandbox.common import Service


def control_routes(service: Service) -> list[Route]:
    """The ``/_…`` routes for one service."""

    def state() -> dict[str, Any]:
        return {
            "service": service.name,
            "now": service.iso(),
            "state": service.view(),
            "outbox": service.outbox.summary(),
            "stats": service.stats,
            "faults": service.faults.view(),
            "scheduled": len(service.schedule),
            "errors": service.errors,
        }

    def config() -> dict[str, Any]:
        kinds = sorted({*service.default_targets, *service.targets})
        return {
            "hub_url": service.hub_url,
            "targets": {kind: service.target_url(kind) for kind in kinds},
            "settings": service.settings,
        }

    async def health(_: Request) -> Response:
        return reply({"service": service.name, "up": not service.faults.is_down()})

    async def get_state(_: Request) -> Response:
        return reply(state())

    async def get_progress(_: Request) -> Response:
        return reply({"service": service.name, "outbox": service.outbox.summary(),
                      "faults": service.faults.view(), "progress": service.progress()})  # fmt: skip

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                service.faults.apply(await body_of(request))
            except (FaultSpecError, ApiError) as exc:
                return reply({"error": str(exc)}, 400)
            service.outbox.wake()
        return reply(service.faults.view())

    async def outbox(request: Request) -> Response:
        status = request.query_params.get("status")
        return reply({"summary": service.outbox.summary(), "events": service.outbox.events(status)})

    async def flush(_: Request) -> Response:
        pending = service.outbox.flush()
        return reply({"pending": pending, **service.outbox.summary()})

    async def configure(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await body_of(request)
            except ApiError as exc:
                return reply({"error": exc.error}, 400)
            unknown = set(body) - {"hub_url", "targets", "settings"}
            if unknown or not isinstance(body.get("targets", {}), dict):
                return reply({"error": f"unknown or invalid keys: {sorted(unknown)}"}, 400)
            if "hub_url" in body:
                service.hub_url = str(body["hub_url"]).rstrip("/")
            service.targets.update(body.get("targets", {}))
            service.settings.update(body.get("settings", {}))
            service.touch()
        return reply(config())

    async def clock(request: Request) -> Response:
        try:
            advance = float((await body_of(request)).get("advance", 0))
        except (ApiError, TypeError, ValueError) as exc:
            return reply({"error": str(exc)}, 400)
        service.clock_offset += max(advance, 0.0)
        ran = await service.run_due()
        service.touch()
        return reply({"now": service.iso(), "ran": ran, "scheduled": len(service.schedule)})

    async def save(_: Request) -> Response:
        service.save()
        return reply({"saved": str(service.state_file) if service.state_file else None})

    async def reset(_: Request) -> Response:
        service.reset()
        return reply({"status": "reset"})

    return [
        Route("/_health", health, methods=["GET"]),
        Route("/_state", get_state, methods=["GET"]),
        Route("/_progress", get_progress, methods=["GET"]),
        Route("/_faults", faults, methods=["GET", "POST"]),
        Route("/_outbox", outbox, methods=["GET"]),
        Route("/_outbox/flush", flush, methods=["POST"]),
        Route("/_config", configure, methods=["GET", "POST"]),
        Route("/_clock", clock, methods=["POST"]),
        Route("/_save", save, methods=["POST"]),
        Route("/_reset", reset, methods=["POST"]),
    ]

"""Structured logs (structlog) on top of the standard library, JSON or console."""

from __future__ import annotations

import logging
import sys

import structlog

from crossdock.observability.tracing import add_trace_id


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    """Route stdlib and structlog records through one renderer; call once per process."""
    # Plain tracebacks: the default (rich, with every frame's locals) costs seconds and some
    # 60 KB per database error, on the event loop when a loop logs it, and prints connection
    # parameters (passwords) from the locals.
    console = structlog.dev.ConsoleRenderer(
        colors=False, exception_formatter=structlog.dev.plain_traceback
    )
    renderer: structlog.types.Processor = structlog.processors.JSONRenderer() if json else console
    shared: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # The trace of the request or delivery being handled (`tracing`): one context read.
        add_trace_id,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Per-request lines from the HTTP client would cost more than the deliveries they describe.
    for noisy in ("uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

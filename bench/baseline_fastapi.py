"""The bare baseline: a FastAPI app whose intake routes only answer 202, served like the hub
(uvicorn, uvloop + httptools, one process, no access log), so the hub's rate can be read as a
share of what the server stack alone can do on this machine.

    python -m bench.baseline_fastapi --port 8099
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI, Response

ACCEPTED = b'{"id":"baseline","status":"accepted"}'


def create_app() -> FastAPI:
    """Same paths as the hub's intake, no work behind them."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.post("/v1/messages/{document_type}")
    async def intake(document_type: str) -> Response:
        return Response(ACCEPTED, status_code=202, media_type="application/json")

    @app.post("/v1/messages/{document_type}/batch")
    async def intake_batch(document_type: str) -> Response:
        return Response(ACCEPTED, status_code=202, media_type="application/json")

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="bare 202 FastAPI baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()

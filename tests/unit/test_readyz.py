"""Readiness follows the store: ``/readyz`` answers 200 while the store answers a read, and a
503 problem once it cannot (here: its tables are gone), without credentials either way."""

from __future__ import annotations

from pathlib import Path

import httpx

from crossdock.config import Settings
from crossdock.entrypoints.server import build_server


async def test_ready_while_the_store_answers_and_503_when_it_does_not(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = build_server(Settings(hub={"data_dir": data, "prepare_workers": 0}))
    served = server.config.app
    app = served.fastapi
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {"status": "ready"}

            app.state.hub.store.engine.dispose()  # the next read opens the file anew...
            for leftover in data.glob("crossdock.db*"):
                leftover.unlink()  # ...and finds no tables: the store is gone
            gone = await client.get("/readyz")
            assert gone.status_code == 503, gone.text
            assert gone.headers["content-type"] == "application/problem+json"
            assert "not answering" in gone.json()["detail"]

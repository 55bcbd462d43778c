"""`/docs` works offline: the page and everything it loads come from the hub itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.hubproc import HubProcess

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path_factory.mktemp("docs"), {}).start(timeout=60)
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_load_nothing_from_another_host(hub: HubProcess, page: str) -> None:
    answer = httpx.get(f"{hub.url}{page}", timeout=10, headers=hub.headers)
    assert answer.status_code == 200
    html = answer.text
    assert "http://" not in html and "https://" not in html.replace("https://github.com", ""), (
        "the page names another host: it is blank without the internet"
    )
    urls = {a or b for a, b in ASSET.findall(html)}
    assets = {u for u in urls if u.endswith((".js", ".css", ".json", ".png"))}
    assert any(u.endswith(".js") for u in assets), html
    for url in assets:
        assert not urlsplit(url).netloc, url
        fetched = httpx.get(f"{hub.url}{url}", timeout=10, headers=hub.headers)
        assert fetched.status_code == 200, url
        assert fetched.content, url

"""`crossdock demo`'s hub configuration: every default sandbox URL points at the landscape."""

from __future__ import annotations

from pathlib import Path

from crossdock.entrypoints.cli_demo import hub_config, sandbox_urls

URLS = {
    name: f"http://127.0.0.1:{port}"
    for name, port in (
        ("erp", 41000),
        ("wms", 41001),
        ("tms", 41002),
        ("parcelwave", 41003),
        ("ridgeline", 41004),
        ("supplier", 41005),
    )
}


def test_every_sandbox_url_in_the_config_is_rewritten(tmp_path: Path) -> None:
    config = hub_config(8099, tmp_path, URLS)
    assert config["hub"]["port"] == 8099
    urls = [e["url"] for e in config["endpoints"].values()]
    assert urls and all(":920" not in u for u in urls)
    assert config["endpoints"]["erp-goods-receipts"]["url"] == (
        "http://127.0.0.1:41000/api/goods-receipts"
    )


def test_urls_in_any_section_are_rewritten_and_others_left_alone() -> None:
    config = {
        "carriers": {"ridgeline": {"pod": {"url": "http://127.0.0.1:9204/pods"}}},
        "inventory_reconciliation": {
            "erp": {"url": "http://127.0.0.1:9200"},
            "wms": {"url": "http://127.0.0.1:9201/wms/v1/stock"},
        },
        "other": [
            "http://127.0.0.1:9205/x",
            "http://127.0.0.1:92001/not-ours",
            "https://example.com:9200/kept",
            9200,
            None,
        ],
    }
    out = sandbox_urls(config, URLS)
    assert out["carriers"]["ridgeline"]["pod"]["url"] == "http://127.0.0.1:41004/pods"
    assert out["inventory_reconciliation"]["erp"]["url"] == "http://127.0.0.1:41000"
    assert out["inventory_reconciliation"]["wms"]["url"] == "http://127.0.0.1:41001/wms/v1/stock"
    assert out["other"] == [
        "http://127.0.0.1:41005/x",
        "http://127.0.0.1:92001/not-ours",
        "https://example.com:9200/kept",
        9200,
        None,
    ]

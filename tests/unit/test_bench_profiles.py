"""The profiles benchmark's arithmetic: work shares, ratios to the embedded default, targets.

The harness itself runs real processes (``make bench-profiles``); what can be wrong without a
run is the reading of its results, which decides whether a target reads "ok" or "MISS".
"""

from __future__ import annotations

from typing import Any

from bench.profile_hubs import shares
from bench.profile_report import summarize


def _column(intake: float, e2e: float, flows: float, worker_deliveries: list[float] | None = None,
            worker_cpu: list[float] | None = None) -> dict[str, Any]:  # fmt: skip
    results: dict[str, Any] = {
        "intake": {"throughput": {"rps": intake}},
        "e2e": {"throughput": {"msgs_per_s": e2e},
                "latency": {"end_to_end_ms": {"50": 4.0, "99": 9.0}}},
        "flows": {"flows_per_s": flows},
    }  # fmt: skip
    if worker_cpu is not None:
        per = {"api": {"cpu_s": 10.0, "deliveries": 0.0}}
        for k, cpu in enumerate(worker_cpu, 1):
            d = worker_deliveries[k - 1] if worker_deliveries else None
            per[f"worker-{k}"] = {"cpu_s": cpu, "deliveries": d}
        results["e2e"]["shares"] = per
    return {"label": "x", "skipped": None, "results": results}


def _report(**columns: dict[str, Any]) -> dict[str, Any]:
    return {"columns": columns}


def _target(out: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in out["targets"] if t["name"] == name)


def test_shares_are_the_differences_between_snapshots() -> None:
    before = {"w1": {"cpu_s": 1.0, "deliveries": 10.0}, "w2": {"cpu_s": 2.0, "deliveries": None}}
    after = {"w1": {"cpu_s": 4.0, "deliveries": 70.0}, "w2": {"cpu_s": 5.0, "deliveries": None}}
    got = shares(before, after)
    assert got["w1"] == {"cpu_s": 3.0, "cpu_s_share": 0.5, "deliveries": 60.0,
                         "deliveries_share": 1.0}  # fmt: skip
    assert got["w2"]["cpu_s_share"] == 0.5
    assert got["w2"]["deliveries"] is None and got["w2"]["deliveries_share"] is None


def test_ratios_and_targets_against_the_embedded_default() -> None:
    out = summarize(_report(embedded=_column(6000, 2000, 100), **{"pg-1": _column(3000, 1200, 90)}))
    assert out["ratios"]["pg-1"]["intake_msgs_per_s"] == 0.5
    assert out["ratios"]["pg-1"]["e2e_p99_ms"] == 1.0
    assert _target(out, "pg-1: end to end")["met"] is True
    assert _target(out, "pg-1: flows vs embedded")["met"] is False


def test_adding_workers_compares_neighbouring_postgres_columns() -> None:
    out = summarize(_report(
        embedded=_column(6000, 2000, 100),
        **{"pg-1": _column(3000, 1200, 90), "pg-api-2w": _column(3100, 1100, 95)},
    ))  # fmt: skip
    by_figure = {
        t["name"]: t["met"] for t in out["targets"] if t["name"].startswith("pg-api-2w vs")
    }
    assert by_figure == {
        "pg-api-2w vs pg-1: Intake, single PO": True,
        "pg-api-2w vs pg-1: End to end, intake -> sink": False,
        "pg-api-2w vs pg-1: Flows scenario (clean)": True,
    }


def test_worker_spread_uses_deliveries_else_cpu_among_the_workers_only() -> None:
    even = _column(1, 1, 1, worker_deliveries=[500, 480], worker_cpu=[1.0, 9.0])
    lopsided = _column(1, 1, 1, worker_deliveries=[900, 100], worker_cpu=[5.0, 5.0])
    no_metrics = _column(1, 1, 1, worker_cpu=[4.0, 3.0])  # CPU: api's 10 s not in the basis
    idle = _column(1, 1, 1, worker_cpu=[0.0, 0.0])
    out = summarize(_report(embedded=_column(1, 1, 1), even=even, lopsided=lopsided,
                            no_metrics=no_metrics, idle=idle))  # fmt: skip
    spread = {t["name"].split(":")[0]: t for t in out["targets"] if "spreads" in t["name"]}
    assert spread["even"]["met"] is True and "deliveries" in spread["even"]["rule"]
    assert spread["lopsided"]["met"] is False
    assert spread["no_metrics"]["met"] is True and "cpu_s" in spread["no_metrics"]["rule"]
    assert spread["no_metrics"]["value"] == 3.0 / 7.0
    assert spread["idle"]["met"] is False


class _Server:
    """Stands in for bench.pgcluster.Server: hands out database URLs, remembers the tags."""

    def __init__(self) -> None:
        self.tags: list[str] = []

    def fresh_database(self, tag: str) -> str:
        self.tags.append(tag)
        return f"postgresql+psycopg://bench@127.0.0.1:5432/{tag}"


def test_only_the_postgres_columns_get_a_postgres_store() -> None:
    from bench.profile_hubs import EMBEDDED, PG_ONE, split_profile
    from bench.profiles import _store

    server = _Server()
    assert _store(server, EMBEDDED, "intake") is None  # type: ignore[arg-type]
    assert _store(server, PG_ONE, "intake") is not None  # type: ignore[arg-type]
    assert _store(server, split_profile(2), "flows") is not None  # type: ignore[arg-type]
    assert _store(None, PG_ONE, "e2e") is None
    assert server.tags == ["intake_pg_1", "flows_pg_api_2w"]

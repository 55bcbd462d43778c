"""The profiles benchmark's figures, ratios to the embedded default, targets, and tables."""

from __future__ import annotations

import itertools
from typing import Any

from rich.console import Console
from rich.table import Table

BASE = "embedded"
#: figure -> (label, unit, path inside a column's results, higher is better)
FIGURES: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    "intake_msgs_per_s": ("Intake, single PO", "msg/s", ("intake", "throughput", "rps"), True),
    "e2e_msgs_per_s": ("End to end, intake -> sink", "msg/s",
                       ("e2e", "throughput", "msgs_per_s"), True),
    "e2e_p50_ms": ("End to end latency p50", "ms", ("e2e", "latency", "end_to_end_ms", "50"),
                   False),
    "e2e_p99_ms": ("End to end latency p99", "ms", ("e2e", "latency", "end_to_end_ms", "99"),
                   False),
    "intake_p50_ms": ("Intake latency p50", "ms", ("e2e", "latency", "intake_ms", "50"), False),
    "intake_p99_ms": ("Intake latency p99", "ms", ("e2e", "latency", "intake_ms", "99"), False),
    "flows_per_s": ("Flows scenario (clean)", "flows/s", ("flows", "flows_per_s"), True),
}  # fmt: skip
THROUGHPUT = ("intake_msgs_per_s", "e2e_msgs_per_s", "flows_per_s")
#: The embedded default's figures before this issue (README), which must not fall: 10 % slack.
REFERENCE = {"intake_msgs_per_s": 6000.0, "e2e_msgs_per_s": 2300.0}


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _target(name: str, rule: str, value: float | None, met: bool | None,
            kind: str = "target") -> dict[str, Any]:  # fmt: skip
    return {"name": name, "rule": rule, "value": value, "met": met, "kind": kind}


def _ge(a: float | None, b: float | None) -> bool | None:
    return None if a is None or b is None else a >= b


def _worker_spread(name: str, col: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """Each worker did at least half an even share of what the workers did together (by
    deliveries when every worker reports them, else by CPU seconds), in e2e and flows."""
    out = []
    for measurement in ("e2e", "flows"):
        per = _get(col, "results", measurement, "shares") or {}
        workers = {p: s for p, s in per.items() if p.startswith("worker-")}
        if not workers:
            continue
        has_deliveries = all(s.get("deliveries") is not None for s in workers.values())
        basis = "deliveries" if has_deliveries else "cpu_s"
        done = [s.get(basis) for s in workers.values()]
        total = sum(v for v in done if v is not None)
        least = None if None in done or not total else min(done) / total
        out.append(_target(f"{name}: {measurement} work spreads over the workers",
                           f"each worker's share of the workers' {basis} >= {0.5 / n:.2f}",
                           least, False if total == 0 else None if least is None
                           else least >= 0.5 / n))  # fmt: skip
    return out


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """``figures`` per column, ``ratios`` to the embedded default, and ``targets``."""
    cols = {n: c for n, c in report["columns"].items() if not c["skipped"]}
    figures = {n: {f: _get(c["results"], *spec[2]) for f, spec in FIGURES.items()}
               for n, c in cols.items()}  # fmt: skip
    base = figures.get(BASE, {})
    ratios = {
        n: {f: round(v / base[f], 3) if v is not None and base.get(f) else None
            for f, v in figs.items()}
        for n, figs in figures.items() if n != BASE
    }  # fmt: skip
    targets: list[dict[str, Any]] = []
    pg = [n for n in cols if n != BASE]
    for n in pg:
        e2e = figures[n]["e2e_msgs_per_s"]
        targets.append(_target(f"{n}: end to end", ">= 1,000 msg/s", e2e, _ge(e2e, 1000.0)))
        flows = figures[n]["flows_per_s"]
        targets.append(_target(f"{n}: flows vs embedded", ">= embedded", flows,
                               _ge(flows, base.get("flows_per_s"))))  # fmt: skip
    for before, after in itertools.pairwise(pg):
        for f in THROUGHPUT:
            targets.append(
                _target(
                    f"{after} vs {before}: {FIGURES[f][0]}",
                    f">= {before}",
                    figures[after][f],
                    _ge(figures[after][f], figures[before][f]),
                )
            )
    for n in pg:
        workers = sum(1 for p in (_get(cols[n], "results", "e2e", "shares") or {})
                      if p.startswith("worker-"))  # fmt: skip
        targets.extend(_worker_spread(n, cols[n], workers) if workers else [])
    for f, ref in REFERENCE.items():
        value = base.get(f)
        targets.append(_target(f"embedded: {FIGURES[f][0]} holds", f">= {0.9 * ref:,.0f} "
                               f"(0.9 x {ref:,.0f} before)", value, _ge(value, 0.9 * ref),
                               "reference"))  # fmt: skip
    return {"figures": figures, "ratios": ratios, "targets": targets}


def _cell(value: float | None, ratio: float | None) -> str:
    if value is None:
        return "-"
    text = f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"
    return text + (f" [dim]({ratio:.2f}x)[/]" if ratio is not None else "")


def print_report(console: Console, report: dict[str, Any]) -> None:
    cols = report["columns"]
    table = Table(title=f"crossdock profiles ({'quick' if report['quick'] else 'full'}); "
                        "(x) = ratio to the embedded default")  # fmt: skip
    table.add_column("figure")
    table.add_column("unit")
    live = [n for n, c in cols.items() if not c["skipped"]]
    for n in live:
        table.add_column(cols[n]["label"], justify="right")
    for f, (label, unit, _path, _hi) in FIGURES.items():
        table.add_row(
            label,
            unit,
            *(_cell(report["figures"][n][f], report["ratios"].get(n, {}).get(f)) for n in live),
        )
    console.print(table)
    for c in cols.values():
        if c["skipped"]:
            console.print(f"[yellow]{c['label']}: skipped[/] ({c['skipped']})")
    _print_shares(console, report)
    targets = Table(title="targets")
    for col in ("check", "rule", "value", ""):
        targets.add_column(col)
    for t in report["targets"]:
        mark = "?" if t["met"] is None else "ok" if t["met"] else "MISS"
        style = {"ok": "green", "MISS": "red", "?": "yellow"}[mark]
        value = "-" if t["value"] is None else f"{t['value']:,.2f}"
        ref = " (reference)" if t["kind"] == "reference" else ""
        targets.add_row(t["name"] + ref, t["rule"], value, f"[{style}]{mark}[/]")
    console.print(targets)
    pg = report["postgres"]
    console.print(f"PostgreSQL: {pg.get('origin') or 'none'} {pg.get('settings') or ''}")
    for name, error in report["errors"].items():
        console.print(f"[red]{name} failed:[/] {error.strip().splitlines()[-1]}")


def _print_shares(console: Console, report: dict[str, Any]) -> None:
    """Per process of each column: deliveries and CPU seconds in e2e and flows, and shares."""
    table = Table(title="work per process (deliveries: the process's /metrics counter of "
                        "successful attempts; CPU: /proc)")  # fmt: skip
    for col in ("column", "measurement", "process", "deliveries", "share", "CPU s", "share"):
        table.add_column(col, justify="left" if col in ("column", "measurement", "process")
                         else "right")  # fmt: skip
    rows = 0
    for n, c in report["columns"].items():
        for m in ("e2e", "flows"):
            for proc, s in (_get(c, "results", m, "shares") or {}).items():

                def fmt(v: float | None, pct: bool = False) -> str:
                    return "-" if v is None else f"{v:.0%}" if pct else f"{v:,.1f}"

                table.add_row(n, m, proc, fmt(s.get("deliveries")),
                              fmt(s.get("deliveries_share"), True), fmt(s.get("cpu_s")),
                              fmt(s.get("cpu_s_share"), True))  # fmt: skip
                rows += 1
    if rows:
        console.print(table)

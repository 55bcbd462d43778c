"""`crossdock retention run|status`: archive and prune what is past its retention age now, and
see what is eligible, the last runs and the archives written.

Like the other operator commands they open the store directly, so they work with the hub
stopped or running. A run beside the hub's own retention job is safe: each batch is one
transaction, and a message both pick at once is deleted once (at worst archived twice).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    console,
    fail,
    open_store,
    print_json,
    print_table,
)
from crossdock.entrypoints.cli_output import key, number, text

if TYPE_CHECKING:
    from crossdock.config import Settings
    from crossdock.hub.retention.model import RetentionRun

retention_app = typer.Typer(
    help="Retention: archive and prune old messages and flow history.", no_args_is_help=True
)

NOTHING_CONFIGURED = (
    "no retention ages are configured (retention.default_days, retention.document_types, "
    "retention.flow_days): nothing is ever pruned"
)


RUN_COLUMNS = [
    key("id"),
    text("started"),
    text("trigger"),
    number("messages"),
    number("flows"),
    number("batches"),
    text("archives"),
    text("error", drop=1),
]


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


def _ages(settings: Settings) -> dict[str, Any]:
    config = settings.retention
    return {
        "default_days": config.default_days,
        "document_types": dict(config.document_types),
        "flow_days": config.flow_age_days(),
    }


def _configured(settings: Settings) -> bool:
    config = settings.retention
    return (
        config.default_days is not None
        or config.flow_days is not None
        or any(d is not None for d in config.document_types.values())
    )


def run_dict(run: RetentionRun) -> dict[str, Any]:
    body = run.as_dict()
    body["started_at"] = _iso(run.started_at)
    body["finished_at"] = _iso(run.finished_at)
    return body


@retention_app.command("run")
def run(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="only say what would be archived and pruned"
    ),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Archive and prune everything past its retention age now, in batches of
    `retention.batch_size` (also when the hub's background job is off)."""
    from crossdock.bootstrap.retention import build_pruner

    with open_store(config, data_dir) as (settings, store):
        if not _configured(settings):
            raise fail(NOTHING_CONFIGURED, 2)
        pruner = build_pruner(settings, store)
        if dry_run:
            eligible = pruner.eligible()
            body = {"dry_run": True, "eligible": eligible, "ages": _ages(settings)}
            if json_out:
                print_json(body)
            else:
                _print_eligible(eligible, settings)
            return
        pacing = settings.retention
        done = pruner.run("cli", pause=pacing.pause_ms / 1000, share=pacing.max_share)
    if json_out:
        print_json(run_dict(done))
        return
    console.print(
        f"retention run {done.id}: {done.messages} message(s) pruned with "
        f"{done.deliveries} deliveries and {done.attempts} attempts, {done.flows} completed "
        f"flow instance(s), in {done.batches} batch(es)",
        highlight=False,
    )
    for path in done.archives:
        console.print(f"  archived to {path}", highlight=False)


@retention_app.command("status")
def status(
    runs: int = typer.Option(5, "--runs", min=1, max=100, help="how many recent runs to list"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """What is eligible now per document type, the last runs, and the archives written."""
    from crossdock.bootstrap.retention import archive_dir, build_pruner

    with open_store(config, data_dir) as (settings, store):
        pruner = build_pruner(settings, store)
        eligible = pruner.eligible()
        recent = pruner.store.runs(runs)
    directory = archive_dir(settings)
    files = sorted(directory.glob("*/*.ndjson.gz")) if directory.is_dir() else []
    body = {
        "enabled": settings.retention.enabled,
        "interval_seconds": settings.retention.interval_seconds,
        "ages": _ages(settings),
        "eligible": eligible,
        "runs": [run_dict(r) for r in recent],
        "archive": {
            "directory": str(directory),
            "files": len(files),
            "bytes": sum(f.stat().st_size for f in files),
        },
    }
    if json_out:
        print_json(body)
        return
    state = "on" if settings.retention.enabled else "off (only `crossdock retention run` prunes)"
    console.print(f"background job: {state}", highlight=False)
    if not _configured(settings):
        console.print(NOTHING_CONFIGURED, highlight=False)
    _print_eligible(eligible, settings)
    print_table(
        "Recent runs",
        RUN_COLUMNS,
        [
            [
                str(r.id),
                (_iso(r.started_at) or "")[:19].replace("T", " "),
                r.trigger,
                str(r.messages),
                str(r.flows),
                str(r.batches),
                str(len(r.archives)),
                r.error or "",
            ]
            for r in recent
        ],
    )
    size = sum(f.stat().st_size for f in files)
    console.print(
        f"archive: {len(files)} file(s), {size} bytes in {directory}",
        highlight=False,
    )


def _print_eligible(eligible: dict[str, int], settings: Settings) -> None:
    from crossdock.hub.retention.model import FLOWS

    def age(name: str) -> str:
        days = (
            settings.retention.flow_age_days()
            if name == FLOWS
            else settings.retention.age_days(name)
        )
        return "never" if days is None else f"{days:g} d"

    print_table(
        "Eligible now",
        [key("document type"), number("eligible"), text("age")],
        [[name, str(n), age(name)] for name, n in eligible.items()],
    )

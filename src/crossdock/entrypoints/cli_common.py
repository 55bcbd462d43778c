"""What every CLI command shares: loading settings, opening the store, printing.

Imports are lazy on purpose: every `crossdock` invocation imports this module, so settings
(pydantic), the store (SQLAlchemy) and JSON are loaded by the commands that use them, and
`crossdock --help` starts in a fraction of a second.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_output import (
    console,
    emit,
    err_console,
    print_json,
    print_table,
)

if TYPE_CHECKING:
    from crossdock.bootstrap.store import Store
    from crossdock.config import Settings

ConfigOption = typer.Option(
    None,
    "--config",
    "-c",
    help="crossdock.yaml to read (default: ./crossdock.yaml or $CROSSDOCK_CONFIG)",
)
DataDirOption = typer.Option(
    None, "--data-dir", help="where the SQLite store lives (overrides hub.data_dir)"
)
JsonOption = typer.Option(False, "--json", help="print JSON instead of a table")


def settings_from(
    config: Path | None, data_dir: Path | None = None, **hub_overrides: Any
) -> Settings:
    """Load settings or exit 2 with every problem listed, each with its file and line."""
    from crossdock.config import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        err_console.print(f"[red]configuration is invalid:[/red]\n{exc}", highlight=False)
        raise typer.Exit(2) from exc
    overrides = {k: v for k, v in hub_overrides.items() if v is not None}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if overrides:
        hub = settings.hub.model_copy(update=overrides)
        settings = settings.model_copy(update={"hub": hub})
    return settings


@contextlib.contextmanager
def open_store(config: Path | None, data_dir: Path | None) -> Iterator[tuple[Settings, Store]]:
    from crossdock.adapters.sql.schema_version import SchemaMismatch
    from crossdock.bootstrap.store import UnsupportedStore, build_store  # SQLAlchemy: lazily
    from crossdock.entrypoints.cli_db import refusal

    settings = settings_from(config, data_dir)
    try:
        store = build_store(settings)
    except SchemaMismatch as exc:  # read commands too: an old schema would fail them midway
        raise fail(refusal(exc, settings, config)) from None
    except UnsupportedStore as exc:
        raise fail(str(exc), 2) from None
    try:
        yield settings, store
    finally:
        store.close()


def short_time(iso: str | None) -> str:
    """'2026-11-27T06:41:24.633550+00:00' -> '2026-11-27 06:41:24' (UTC) for tables."""
    return "" if not iso else iso[:19].replace("T", " ")


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


__all__ = [
    "ConfigOption",
    "DataDirOption",
    "JsonOption",
    "console",
    "emit",
    "err_console",
    "fail",
    "open_store",
    "print_json",
    "print_table",
    "settings_from",
    "short_time",
]

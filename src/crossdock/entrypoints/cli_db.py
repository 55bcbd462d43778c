"""`crossdock db upgrade|current|check`: the store's schema version (Alembic migrations).

The hub and the operator commands refuse a store whose schema is not the one they run on,
with one line naming the command to run (`refusal`); these commands are that fix.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    console,
    err_console,
    fail,
    settings_from,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from crossdock.adapters.sql.schema_version import SchemaMismatch, SchemaStatus
    from crossdock.config import Settings

db_app = typer.Typer(
    help="The store's schema: upgrade, current, check; copy a store to PostgreSQL.",
    no_args_is_help=True,
)

UrlOption = typer.Option(
    None, "--url", help="database URL (overrides store.url and --data-dir)", show_default=False
)


def _where(settings: Settings, config: Path | None) -> str:
    """The options that point a `crossdock db` command at this store."""
    parts = [] if config is None else [f"--config {shlex.quote(str(config))}"]
    if settings.store.url is None:
        parts.append(f"--data-dir {shlex.quote(str(settings.hub.data_dir))}")
    return " ".join(parts)


def refusal(exc: SchemaMismatch, settings: Settings, config: Path | None) -> str:
    """One line: what is wrong with the store's schema and the command that fixes it."""
    return _advice(exc.status, _where(settings, config))


def _advice(status: SchemaStatus, where: str) -> str:
    from crossdock.adapters.sql.schema_version import SchemaState

    if status.state is SchemaState.UNKNOWN:
        return (
            f"the store's schema is {status.describe()}: a newer release of crossdock wrote "
            f"it; run that release (`crossdock db current {where}` shows the revision)"
        )
    return f"the store's schema is {status.describe()}: run `crossdock db upgrade {where}`"


def _open(config: Path | None, data_dir: Path | None, url: str | None) -> tuple[Engine, str]:
    """The engine (schema left as it is) and the options that name the same store."""
    from crossdock.bootstrap.store import UnsupportedStore, make_engine

    try:
        if url is not None:
            return make_engine(url, create_schema=False), f"--url {shlex.quote(url)}"
        settings = settings_from(config, data_dir)
        settings.hub.data_dir.mkdir(parents=True, exist_ok=True)
        return make_engine(settings.database_url, create_schema=False), _where(settings, config)
    except UnsupportedStore as exc:
        raise fail(str(exc), 2) from None


@db_app.command("upgrade")
def db_upgrade(
    data_dir: Path = DataDirOption, config: Path = ConfigOption, url: str = UrlOption
) -> None:
    """Migrate the store to this release's schema (stop the hub first); nothing is lost."""
    from crossdock.adapters.sql.schema_version import SchemaMismatch, current, upgrade

    engine, where = _open(config, data_dir, url)
    try:
        before = current(engine)
        after = upgrade(engine)
    except SchemaMismatch as exc:
        raise fail(f"{_advice(exc.status, where)}; nothing changed") from None
    finally:
        engine.dispose()
    console.print(f"{before.describe()} -> {after.describe()}", highlight=False, soft_wrap=True)


@db_app.command("current")
def db_current(
    data_dir: Path = DataDirOption, config: Path = ConfigOption, url: str = UrlOption
) -> None:
    """Print the store's schema revision and how it stands against this release."""
    from crossdock.adapters.sql.schema_version import current

    engine, _ = _open(config, data_dir, url)
    try:
        status = current(engine)
    finally:
        engine.dispose()
    console.print(f"{status.revision or '-'}  {status.describe()}", highlight=False, soft_wrap=True)


@db_app.command("check")
def db_check(
    data_dir: Path = DataDirOption, config: Path = ConfigOption, url: str = UrlOption
) -> None:
    """Exit 0 when the store is at this release's schema, 1 with the command to run."""
    from crossdock.adapters.sql.schema_version import SchemaState, check

    engine, where = _open(config, data_dir, url)
    try:
        status = check(engine)
    finally:
        engine.dispose()
    if status.state is SchemaState.AT_HEAD:
        console.print(f"[green]ok[/green]: {status.describe()}", highlight=False, soft_wrap=True)
        return
    err_console.print(_advice(status, where), highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@db_app.command("copy")
def db_copy(
    to: str = typer.Option(..., "--to", help="the target database URL (postgresql+psycopg://...)"),
    source: str = typer.Option(
        None, "--from", help="the source database URL (default: the configured store)"
    ),
    data_dir: Path = DataDirOption,
    config: Path = ConfigOption,
    chunk_rows: int = typer.Option(1000, "--chunk-rows", min=1, help="rows per target transaction"),
) -> None:
    """Copy the store, every table, into another database (stop the hub first); an
    interrupted copy run again resumes; exits 1 unless every table's counts match."""
    from crossdock.entrypoints.cli_db_copy import run_copy

    if source is None:
        settings = settings_from(config, data_dir)
        source, where = settings.database_url, _where(settings, config)
    else:
        where = f"--url {shlex.quote(source)}"
    run_copy(source, to, chunk_rows=chunk_rows, upgrade_hint=lambda s: _advice(s, where))


__all__ = ["db_app", "refusal"]

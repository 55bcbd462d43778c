"""`crossdock db copy`: the store into another database, with progress and a count check.

The copy itself is `adapters.sql.copy`; this module guards it (the hub stopped, the two URLs
valid and different, the target reachable), shows progress on stderr and prints the per-table
counts at the end. Every failure is one line with what to do, never a traceback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from crossdock.entrypoints.cli_common import console, err_console, fail, print_table
from crossdock.entrypoints.cli_output import ColumnSpec, key, number

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from sqlalchemy import Engine

    from crossdock.adapters.sql.copy import TableCopy
    from crossdock.adapters.sql.schema_version import SchemaStatus


def run_copy(
    source: str, to: str, *, chunk_rows: int, upgrade_hint: Callable[[SchemaStatus], str]
) -> None:
    """Copy `source` into `to`; raises `typer.Exit` with a one-line reason on any refusal."""
    from sqlalchemy.exc import DataError, DBAPIError

    from crossdock.adapters.sql.copy import CopyRefused, SourceNotAtHead, copy_store

    if _same(source, to):
        raise fail("--to names the source store itself; give another database")
    lock = _hold_source(source)
    try:
        with _engine(source, "source") as src, _engine(to, "target") as dst:
            started = time.monotonic()
            try:
                with _Bars() as bars:
                    results = copy_store(src, dst, progress=bars, chunk_rows=chunk_rows)
            except SourceNotAtHead as exc:
                raise fail(f"{upgrade_hint(exc.status)}; nothing copied") from None
            except CopyRefused as exc:
                raise fail(str(exc)) from None
            except DataError as exc:  # a value the target refuses: running again won't help
                raise fail(f"the target refused a value: {_first_line(exc)}") from None
            except DBAPIError as exc:
                raise fail(
                    f"{_first_line(exc)}; run the same command again: the copy resumes"
                ) from None
    finally:
        if lock is not None:
            os.close(lock)
    _summary(results, time.monotonic() - started)


def _same(source: str, to: str) -> bool:
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(source) == make_url(to)
    except ArgumentError:
        return False  # `_engine` says what is wrong with it


def _hold_source(source: str) -> int | None:
    """An embedded source: refuse while a hub runs on it, and keep one from starting until
    the copy ends (the data dir's process lock; returns its descriptor, to close at the end)."""
    from sqlalchemy import make_url

    from crossdock.entrypoints.process_lock import StoreInUse, hold_store_lock

    url = make_url(source)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    if not path.is_file():
        raise fail(f"no store at {path}: check --data-dir, --config or --from")
    try:
        return hold_store_lock(path.parent)
    except StoreInUse as exc:
        raise fail(f"cannot copy while a hub runs on the store: {exc}") from None


@contextmanager
def _engine(url: str, role: str) -> Iterator[Engine]:
    """An engine on `url` (schema untouched) that can connect, or a one-line refusal."""
    from sqlalchemy import make_url, text
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from crossdock.bootstrap.store import make_engine

    try:
        shown = make_url(url).render_as_string(hide_password=True)
        engine = make_engine(url, create_schema=False)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise fail(
            f"the {role} URL is not a database URL crossdock can use ({exc}); "
            "expected e.g. postgresql+psycopg://user@host:5432/dbname"
        ) from None
    try:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise fail(f"cannot reach the {role} database {shown}: {_first_line(exc)}") from None
        yield engine
    finally:
        engine.dispose()


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


class _Bars:
    """Progress on stderr, one bar per table (rich); a `CopyProgress`."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress: Progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def table(self, name: str, total: int) -> None:
        self.tasks[name] = self.progress.add_task(name, total=total)
        self.progress.update(self.tasks[name], completed=0)  # an empty table is done

    def advance(self, name: str, rows: int) -> None:
        self.progress.advance(self.tasks[name], rows)


def _summary(results: list[TableCopy], seconds: float) -> None:
    columns: list[ColumnSpec] = [
        key("table"),
        number("source"),
        number("target"),
        number("copied now"),
        "check",
    ]
    rows = [
        (r.name, r.source, r.target, r.copied, "ok" if r.matches else "MISMATCH") for r in results
    ]
    print_table("db copy: rows per table", columns, rows)
    copied = sum(r.copied for r in results)
    wrong = [r.name for r in results if not r.matches]
    if wrong:
        raise fail(
            f"counts differ between source and target in: {', '.join(wrong)} "
            "(something else writes the target, or it held rows the source no longer has)"
        )
    console.print(
        f"copied {copied} rows in {seconds:.1f}s; every table's count matches the source",
        highlight=False,
    )

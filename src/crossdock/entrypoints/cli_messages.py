"""`crossdock messages list|show|replay`: the message log from the command line (reads the
store directly, so it works with the hub stopped)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    console,
    emit,
    err_console,
    fail,
    open_store,
    print_json,
    print_table,
    short_time,
)
from crossdock.entrypoints.cli_output import Column, key, number, text

if TYPE_CHECKING:
    from crossdock.hub.records import MessageFilter

messages_app = typer.Typer(help="Inbound messages: list, show, replay.", no_args_is_help=True)


def _utc(value: datetime | None) -> datetime | None:
    """A time without an offset is taken as UTC, the store's clock."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _filter(
    document_type: str | None,
    source: str | None,
    correlation_key: str | None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    ids: list[str] | None = None,
) -> MessageFilter:
    from crossdock.hub.records import MessageFilter

    return MessageFilter(document_type, source, correlation_key, status, since, until, ids)


@messages_app.command("list")
def messages_list(
    document_type: str = typer.Option(None, "--type", "-t"),
    source: str = typer.Option(None, "--source", "-s"),
    correlation_key: str = typer.Option(None, "--key", "-k", help="correlation key (PO number...)"),
    status: str = typer.Option(
        None, "--status", help="e.g. accepted, rejected, delivered, unrouted, failed"
    ),
    since: datetime = typer.Option(None, "--since", help="received at or after (UTC)"),
    until: datetime = typer.Option(None, "--until", help="received before (UTC)"),
    partner: str = typer.Option(None, "--partner", "-p", help="only this partner's messages"),
    limit: int = typer.Option(50, "--limit", "-n"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """List recent messages, newest first (`--status unrouted`: those nobody acted on); the
    sender column says who sent each (the identity its channel proved)."""
    from crossdock.hub import operations as ops
    from crossdock.hub.records import MessageStatus

    if status is not None and status not in set(MessageStatus):
        raise fail(f"unknown status {status!r} (known: {', '.join(MessageStatus)})", 2)

    start, end = _utc(since), _utc(until)
    if start and end and end <= start:
        raise fail("--until must be later than --since", 2)
    flt = _filter(document_type, source, correlation_key, status, start, end)
    flt.partner = partner
    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        rows = ops.list_messages(uow, flt, limit)
    emit(
        json_out,
        rows,
        f"{len(rows)} message(s)",
        [
            key("id"),
            key("type"),
            Column("source", drop=2),
            Column("sender", drop=4),
            key("key"),
            "status",
            Column("received", drop=3),
            number("dups", drop=1),
        ],
        [
            [
                r["id"],
                r["document_type"],
                r["source"],
                r["sender"] or "",
                r["correlation_key"],
                r["status"],
                short_time(r["received_at"]),
                r["duplicates"],
            ]
            for r in rows
        ],
    )


@messages_app.command("show")
def messages_show(
    message_id: str,
    raw: bool = typer.Option(False, "--raw", help="include the bytes as received"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """One message: status, canonical payload, errors, warnings, deliveries and attempts."""
    from crossdock.hub import operations as ops

    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        view = ops.message_view(uow, message_id, include_raw=raw)
    if view is None:
        raise fail(f"no message with id {message_id!r}")
    if json_out:
        print_json(view)
        return
    console.print(
        f"[bold]{view['id']}[/bold] {view['document_type']} from {view['source']} via {view['channel']}"
    )
    if view["sender"]:
        console.print(
            f"sender: {view['sender']}  partner: {view['partner'] or '-'}", highlight=False
        )
    console.print(
        f"status: [bold]{view['status']}[/bold]  key: {view['correlation_key']}  received: {view['received_at']}"
    )
    if view["trace_id"]:
        console.print(f"trace: {view['trace_id']}", highlight=False)
    for error in view["errors"]:
        console.print(f"  [red]error[/red] {error['path']}: {error['reason']}", highlight=False)
    for warning in view["warnings"]:
        console.print(
            f"  [yellow]warning[/yellow] {warning['path']}: {warning['reason']}", highlight=False
        )
    rows = []
    for d in view["deliveries"]:
        last = d["attempts"][-1] if d["attempts"] else {}
        rows.append(
            [
                d["id"],
                d["route"],
                d["endpoint"],
                d["status"],
                len(d["attempts"]),
                last.get("status_code"),
                d["last_error"],
            ]
        )
    if rows:
        print_table(
            "deliveries",
            [
                key("id"),
                Column("route", drop=2),
                key("endpoint"),
                "status",
                number("attempts", drop=3),
                number("last code", drop=1),
                text("last error"),
            ],
            rows,
        )


@messages_app.command("replay")
def messages_replay(
    message_ids: list[str] = typer.Argument(None, help="message ids; or use a filter"),
    document_type: str = typer.Option(None, "--type", "-t"),
    source: str = typer.Option(None, "--source", "-s"),
    correlation_key: str = typer.Option(None, "--key", "-k"),
    since: datetime = typer.Option(None, "--since"),
    until: datetime = typer.Option(None, "--until"),
    group: str = typer.Option(
        None, "--group", "-g", help="consumer group (default: the routing lane)"
    ),
    from_seq: int = typer.Option(
        None, "--from-seq", help="with --group: every log entry from this sequence number"
    ),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Replay messages to a consumer group: by id, by type/source/key/time range, or (with
    --group) everything from a log sequence number."""
    from rich.progress import Progress

    from crossdock.hub import operations as ops

    if from_seq is not None:
        if not group:
            raise fail("--from-seq needs --group (the consumer group to replay to)", 2)
        with open_store(config, data_dir) as (_s, store):
            try:
                count = store.bus.replay_from(group, seq=from_seq)
            except KeyError as exc:
                raise fail(str(exc.args[0])) from exc
        if json_out:
            print_json({"replayed": {group: count}})
        else:
            console.print(f"replayed {count} log entries from #{from_seq} to {group}")
        return
    if not (message_ids or document_type or source or correlation_key or since):
        raise fail("name messages to replay: ids, or --type/--source/--key/--since", 2)
    flt = _filter(document_type, source, correlation_key, None, since, until, message_ids or None)
    with (
        open_store(config, data_dir) as (_s, store),
        store.uow.reader() as uow,
        Progress(console=err_console, transient=True, disable=json_out) as bar,
    ):
        task = bar.add_task("replaying", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = ops.replay(uow, store.bus, flt, group, progress=advance)
        except ops.ReplayError as exc:
            raise fail(str(exc)) from exc
    if json_out:
        print_json(result)
        return
    for name, count in result["replayed"].items():
        console.print(f"replayed {count} message(s) to {name}")

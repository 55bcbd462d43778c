"""`crossdock exceptions ...` and `crossdock flows ...`: what went wrong, and where flows stand.

Like the other operator commands they open the store directly, so they work with the hub
stopped; retry and replay put work on the bus that a running hub (or the next start) picks up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    console,
    emit,
    fail,
    open_store,
    print_json,
    print_table,
    short_time,
)
from crossdock.entrypoints.cli_output import Column, number, text
from crossdock.entrypoints.cli_output import key as key_column

if TYPE_CHECKING:
    from crossdock.hub.flows.exceptions import ExceptionCategory, ExceptionStatus

exceptions_app = typer.Typer(
    help="Categorized exceptions: list, show, resolve, retry, replay.", no_args_is_help=True
)
flows_app = typer.Typer(help="Flow instances: list, show.", no_args_is_help=True)


def _category(value: str | None) -> ExceptionCategory | None:
    from crossdock.hub.flows.exceptions import ExceptionCategory

    if value is None:
        return None
    try:
        return ExceptionCategory(value)
    except ValueError:
        known = ", ".join(c.value for c in ExceptionCategory)
        raise fail(f"unknown category {value!r} (known: {known})", 2) from None


def _status(value: str | None) -> ExceptionStatus | None:
    from crossdock.hub.flows.exceptions import ExceptionStatus

    if value is None:
        return None
    try:
        return ExceptionStatus(value)
    except ValueError:
        raise fail(f"unknown status {value!r} (known: open, resolved)", 2) from None


@exceptions_app.command("list")
def exceptions_list(
    category: str = typer.Option(
        None, "--category", help="e.g. late_acknowledgment (an unknown one lists them all)"
    ),
    status: str = typer.Option(None, "--status", help="open or resolved"),
    key: str = typer.Option(None, "--key", "-k", help="correlation key (PO number...)"),
    flow: str = typer.Option(None, "--flow", help="only exceptions raised by this flow"),
    limit: int = typer.Option(100, "--limit", "-n"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Exceptions, newest first."""
    from crossdock.hub.flows import actions

    wanted_category, wanted_status = _category(category), _status(status)
    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        rows = actions.list_exceptions(
            uow,
            category=wanted_category,
            status=wanted_status,
            correlation_key=key,
            flow=flow,
            limit=limit,
        )
    emit(
        json_out,
        rows,
        f"{len(rows)} exception(s)",
        [
            key_column("id"),
            key_column("category"),
            "status",
            Column("owner", drop=2),
            key_column("key"),
            Column("created", drop=1),
            text("detail"),
        ],
        [
            [
                r["id"],
                r["category"],
                r["status"],
                r["owner_role"],
                r["correlation_key"],
                short_time(r["created_at"]),
                r["detail"],
            ]
            for r in rows
        ],
    )


@exceptions_app.command("show")
def exceptions_show(
    exception_id: str,
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """One exception: category, owner, evidence messages, data and the actions taken."""
    from crossdock.hub.flows import actions

    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        view = actions.exception_view(uow, exception_id)
    if view is None:
        raise fail(f"no exception with id {exception_id!r}")
    if json_out:
        print_json(view)
        return
    _print_exception(view)


def _print_exception(view: dict[str, Any]) -> None:
    console.print(
        f"[bold]{view['id']}[/bold] {view['category']}  [bold]{view['status']}[/bold]  "
        f"owner: {view['owner_role']}",
        highlight=False,
    )
    console.print(f"flow: {view['flow'] or '-'}  key: {view['correlation_key'] or '-'}")
    console.print(f"raised: {view['created_at']}")
    console.print(view["detail"], highlight=False)
    if view["resolution"]:
        console.print(f"resolved {view['resolved_at']}: {view['resolution']}", highlight=False)
    evidence = view.get("evidence_messages") or []
    if evidence:
        print_table(
            "evidence",
            [
                key_column("message"),
                key_column("type"),
                Column("source", drop=2),
                key_column("key"),
                "status",
                Column("received", drop=1),
            ],
            [
                [
                    m["id"],
                    m.get("document_type", "(not in the log)"),
                    m.get("source"),
                    m.get("correlation_key"),
                    m.get("status"),
                    short_time(m.get("received_at")),
                ]
                for m in evidence
            ],
        )
    for action in view["actions"]:
        console.print(
            f"  {short_time(action['at'])} {action['action']}: {action['detail']}", highlight=False
        )


@exceptions_app.command("resolve")
def exceptions_resolve(
    exception_id: str,
    reason: str = typer.Option(..., "--reason", "-r", help="why it is resolved (kept with it)"),
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Close an open exception with the reason."""
    from crossdock.hub.flows import actions

    with open_store(config, data_dir) as (_s, store), store.uow() as uow:
        try:
            view = actions.resolve_exception(uow, exception_id, reason)
        except actions.ExceptionNotFound as exc:
            raise fail(str(exc)) from exc
        except actions.ExceptionActionError as exc:
            raise fail(str(exc)) from exc
        uow.commit()
    console.print(f"resolved {view['id']} ({view['category']}): {view['resolution']}")


@exceptions_app.command("retry")
def exceptions_retry(
    exception_id: str,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Re-deliver the dead letters of the exception's evidence messages."""
    from crossdock.hub.flows import actions

    with open_store(config, data_dir) as (_s, store):
        try:
            result = actions.retry_exception(store.uow.reader, store.uow, store.bus, exception_id)
        except (actions.ExceptionNotFound, actions.ExceptionActionError) as exc:
            raise fail(str(exc)) from exc
    console.print(
        f"{result['retried']} dead letter(s) back in their queue ({', '.join(result['groups'])})"
    )


@exceptions_app.command("replay")
def exceptions_replay(
    exception_id: str,
    group: str = typer.Option(
        None, "--group", "-g", help="consumer group (default: the routing lane)"
    ),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Replay the exception's evidence messages through the bus."""
    from crossdock.hub.flows import actions

    with open_store(config, data_dir) as (_s, store):
        try:
            result = actions.replay_exception(
                store.uow.reader, store.uow, store.bus, exception_id, group
            )
        except (actions.ExceptionNotFound, actions.ExceptionActionError) as exc:
            raise fail(str(exc)) from exc
    if json_out:
        print_json(result)
        return
    for name, count in result["replayed"].items():
        console.print(f"replayed {count} message(s) to {name}")


@flows_app.command("list")
def flows_list(
    flow: str = typer.Option(None, "--flow", help="flow name"),
    state: str = typer.Option(None, "--state", help="only instances in this state"),
    limit: int = typer.Option(100, "--limit", "-n"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Flow instances, most recently advanced first."""
    from crossdock.hub.flows import actions

    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        rows = actions.list_flows(uow, flow=flow, state=state, limit=limit)
    emit(
        json_out,
        rows,
        f"{len(rows)} flow instance(s)",
        [
            key_column("flow"),
            key_column("key"),
            "state",
            Column("completed", drop=3),
            number("version", drop=2),
            Column("updated", drop=1),
            number("held", drop=4),
        ],
        [
            [
                r["flow"],
                r["key"],
                r["state"],
                "yes" if r["completed"] else "",
                r["version"],
                short_time(r["updated_at"]),
                r["held_events"] or "",
            ]
            for r in rows
        ],
    )


@flows_app.command("show")
def flows_show(
    flow: str,
    key: str,
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """One flow instance: state, data, timers and exceptions."""
    from crossdock.hub.flows import actions

    with open_store(config, data_dir) as (_s, store), store.uow.reader() as uow:
        view = actions.flow_view(uow, flow, key)
    if view is None:
        raise fail(f"no {flow} flow instance with key {key!r}")
    if json_out:
        print_json(view)
        return
    done = "  completed" if view["completed"] else ""
    console.print(f"[bold]{flow} {key}[/bold]: {view['state']}{done} (version {view['version']})")
    for timer in view["timers"]:
        when = f"fired {timer['fired_at']}" if timer["fired_at"] else f"due {timer['due_at']}"
        console.print(f"  timer {timer['name']}: {when}")
    for e in view["exceptions"]:
        console.print(f"  exception {e['id']} {e['category']} {e['status']}: {e['detail']}")
    print_json(view["data"])

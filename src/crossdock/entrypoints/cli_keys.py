"""`crossdock keys create|list|rotate|revoke|generate`: API keys, against the store directly
(the first operator key needs no running hub and no credential: whoever can open the store is
the operator). A key's secret is printed once, when it is created, and never again."""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
)
from crossdock.entrypoints.cli_output import key, text

if TYPE_CHECKING:
    from crossdock.hub.credentials import ApiKey
    from crossdock.hub.keys import KeyService

keys_app = typer.Typer(help="API keys: create, list, rotate, revoke.", no_args_is_help=True)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
ScopeOption = typer.Option(None, "--scope", help="a scope to grant (repeat); operators: all")


def duration(value: str) -> float:
    """'90', '30s', '15m', '24h', '7d' -> seconds."""
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise fail(f"{value!r} is not a duration (like 30s, 15m, 24h, 7d)", 2)
    return float(match.group(1)) * _UNITS[match.group(2)]


def _when(at: float | None) -> str:
    return "" if at is None else datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def key_view(k: ApiKey, now: float) -> dict[str, Any]:
    """A key as listings show it: everything but its salt and digest."""
    return {
        "key_id": k.key_id,
        "client": k.client.subject,
        "partner_role": k.client.partner_role,
        "scopes": sorted(k.scopes),
        "state": k.state(now),
        "origin": k.origin,
        "label": k.label,
        "created_at": _when(k.created_at),
        "expires_at": _when(k.expires_at) or None,
        "revoked_at": _when(k.revoked_at) or None,
        "first_used_at": _when(k.first_used_at) or None,
        "last_used_at": _when(k.last_used_at) or None,
        "replaces": k.replaces,
    }


def _service(store: Any) -> KeyService:
    from crossdock.bootstrap.auth import key_service

    return key_service(store.engine)


@keys_app.command("create")
def keys_create(
    operator: str = typer.Option(None, "--operator", help="an operator's name"),
    partner: str = typer.Option(None, "--partner", help="a partner's logical name"),
    role: str = typer.Option(None, "--role", help="the partner's role: supplier, carrier, ..."),
    system: str = typer.Option(None, "--system", help="a business system's name"),
    carrier: str = typer.Option(None, "--carrier", help="a carrier's name"),
    scope: list[str] = ScopeOption,
    label: str = typer.Option("", "--label", help="a note shown in listings"),
    expires_in: str = typer.Option(None, "--expires-in", help="lapse after, e.g. 90d"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Issue a key and print it once (store it now: only its hash is kept)."""
    import time

    from crossdock.hub.credentials import BadKey, Client

    named = [
        (kind, name)
        for kind, name in (
            ("operator", operator),
            ("partner", partner),
            ("system", system),
            ("carrier", carrier),
        )
        if name
    ]
    if len(named) != 1:
        raise fail("name exactly one of --operator, --partner, --system, --carrier", 2)
    kind, name = named[0]
    if (role is not None) != (kind == "partner"):
        raise fail("--role goes with --partner, and a partner key needs it", 2)
    lapse = None if expires_in is None else time.time() + duration(expires_in)
    with open_store(config, data_dir) as (_s, store):
        try:
            issued = _service(store).issue(
                Client(kind, name, role),  # type: ignore[arg-type]
                scope or None,
                label=label,
                expires_at=lapse,
                actor=cli_actor(),
            )
        except BadKey as exc:
            raise fail(str(exc), 2) from None
    view = key_view(issued.key, time.time())
    if json_out:
        print_json({**view, "key": issued.token})
        return
    console.print(
        f"key {issued.key.key_id} for {issued.key.client.subject}: {', '.join(view['scopes'])}"
    )
    console.print("store it now, it is not shown again:", highlight=False)
    print(issued.token)


@keys_app.command("list")
def keys_list(
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Every key (never a secret), newest first."""
    import time

    with open_store(config, data_dir) as (_s, store):
        keys = _service(store).keys.list_keys()
    now = time.time()
    rows = [key_view(k, now) for k in keys]
    emit(
        json_out,
        rows,
        "API keys",
        [
            key("key_id"),
            text("client"),
            text("state"),
            text("scopes"),
            text("expires_at"),
            text("last_used_at"),
        ],
        [
            [
                r["key_id"],
                r["client"],
                r["state"],
                " ".join(r["scopes"]),
                r["expires_at"] or "",
                r["last_used_at"] or "",
            ]
            for r in rows
        ],
    )


@keys_app.command("rotate")
def keys_rotate(
    key_id: str = typer.Argument(..., help="the key to replace"),
    overlap: str = typer.Option("24h", "--overlap", help="how long the old key keeps working"),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Issue a successor (printed once); the old key lapses after the overlap."""
    import time

    from crossdock.hub.credentials import BadKey

    with open_store(config, data_dir) as (_s, store):
        try:
            issued, old = _service(store).rotate(key_id, duration(overlap), actor=cli_actor())
        except BadKey as exc:
            raise fail(str(exc)) from None
    now = time.time()
    if json_out:
        print_json({**key_view(issued.key, now), "key": issued.token, "old": key_view(old, now)})
        return
    console.print(
        f"key {issued.key.key_id} replaces {old.key_id}, which works until {_when(old.expires_at)}"
    )
    console.print("store it now, it is not shown again:", highlight=False)
    print(issued.token)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="the key to revoke"),
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Stop a key at once (a running hub stops accepting it within auth.key_cache_seconds)."""
    from crossdock.hub.credentials import BadKey

    with open_store(config, data_dir) as (settings, store):
        try:
            revoked = _service(store).revoke(key_id, actor=cli_actor())
        except BadKey as exc:
            raise fail(str(exc)) from None
    console.print(
        f"key {revoked.key_id} revoked at {_when(revoked.revoked_at)}; running hubs refuse it "
        f"within {settings.auth.key_cache_seconds:g} s"
    )


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a fresh key without storing it (a value for CROSSDOCK_ADMIN_KEY)."""
    from crossdock.hub.credentials import new_key

    print(new_key())


def cli_actor() -> str:
    """Who a CLI action is attributed to: whoever can open the store, by their OS user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def audit(
    actor: str = typer.Option(None, "--actor", help="e.g. operator:alice, cli:root, anonymous"),
    action: str = typer.Option(None, "--action", help="e.g. key.revoked; 'key.' for all key.*"),
    since: datetime = typer.Option(None, "--since", help="at or after (UTC)"),
    limit: int = typer.Option(100, "--limit", "-n", min=1, max=100_000),
    json_out: bool = JsonOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """The audit log, newest first: admin and operator actions, credential events."""
    from crossdock.adapters.sql.audit_log import SqlAuditLog

    start = None if since is None else (since if since.tzinfo else since.replace(tzinfo=UTC))
    with open_store(config, data_dir) as (_s, store):
        entries = SqlAuditLog(store.engine).query(
            actor=actor,
            action=action,
            since=start.timestamp() if start else None,
            limit=limit,
        )
    rows = [
        {
            "id": e.id,
            "at": _when(e.at),
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "outcome": e.outcome,
            "source_ip": e.source_ip,
            "detail": dict(e.detail),
        }
        for e in entries
    ]
    emit(
        json_out,
        rows,
        "audit log",
        [key("at"), text("actor"), text("action"), text("target"), text("outcome"), text("from")],
        [
            [r["at"], r["actor"], r["action"], r["target"], r["outcome"], r["source_ip"] or ""]
            for r in rows
        ],
    )

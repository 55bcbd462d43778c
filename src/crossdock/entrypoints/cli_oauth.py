"""`crossdock oauth ...`: the hub's token signing keys (list, rotate).

Works on the store directly, with the hub running or not: every hub process sharing the
store picks up a rotated key within ``oauth.key_cache_seconds`` (at once when it meets a
token signed with it). Private keys are never printed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    console,
    emit,
    fail,
    open_store,
)
from crossdock.entrypoints.cli_output import key, text

oauth_app = typer.Typer(help="OAuth2: the hub's token signing keys.", no_args_is_help=True)


def _when(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


@oauth_app.command("keys")
def keys(
    json_out: bool = JsonOption, config: Path = ConfigOption, data_dir: Path = DataDirOption
) -> None:
    """Signing keys, newest (current) first: kid, algorithm, created, retires (no secrets)."""
    from crossdock.bootstrap.oauth import keyring_for

    with open_store(config, data_dir) as (settings, store):
        found = keyring_for(settings, store.engine).keys()
    rows = [
        {
            "kid": k.kid,
            "algorithm": k.algorithm,
            "created_at": _when(k.created_at),
            "retire_after": _when(k.retire_after),
            "encrypted": k.encrypted,
        }
        for k in found
    ]
    emit(
        json_out,
        rows,
        f"{len(rows)} signing key(s)",
        [key("kid"), "algorithm", "created", text("retires"), "encrypted"],
        [
            [
                r["kid"],
                r["algorithm"],
                r["created_at"],
                r["retire_after"] or "current",
                r["encrypted"],
            ]
            for r in rows
        ],
    )


@oauth_app.command("rotate-signing-key")
def rotate(config: Path = ConfigOption, data_dir: Path = DataDirOption) -> None:
    """Make a new current signing key; the previous ones keep verifying until every token
    they signed has expired (access token lifetime + key cache period + leeway)."""
    from crossdock.adapters.sql.audit_log import SqlAuditLog
    from crossdock.bootstrap.oauth import (
        SIGNING_KEY_ROTATED,
        KeyUnreadable,
        keyring_for,
        record_credential_event,
    )
    from crossdock.entrypoints.cli_keys import cli_actor

    with open_store(config, data_dir) as (settings, store):
        keyring = keyring_for(settings, store.engine)
        try:
            new = keyring.rotate()
        except ValueError as exc:
            raise fail(str(exc)) from None
        except KeyUnreadable as exc:
            raise fail(str(exc)) from None
        record_credential_event(
            SqlAuditLog(store.engine),
            cli_actor(),
            SIGNING_KEY_ROTATED,
            f"signing-key:{new.kid}",
            None,
            {"algorithm": new.algorithm, "overlap_seconds": int(keyring.policy.overlap)},
        )
    console.print(
        f"new signing key {new.kid} ({new.algorithm}); previous keys retire in "
        f"{int(keyring.policy.overlap)} s"
    )

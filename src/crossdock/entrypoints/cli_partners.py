"""`crossdock partners list|show|create|update|state|go-live|certifications`: the partner
registry, offline against the store (like the other operator commands, it works with the
hub stopped; a running hub sees the change within ``onboarding.directory_refresh_seconds``).

Partners of ``crossdock.yaml`` are listed with origin ``file`` and are changed in the file;
the commands here register and change partners kept in the store. Every change is audited
as the operator running the command (``operator:cli:<user>``).
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    emit,
    fail,
    open_store,
    print_json,
    short_time,
)
from crossdock.entrypoints.cli_output import key, text

if TYPE_CHECKING:
    from crossdock.hub.identity import Principal
    from crossdock.hub.partners.registry import PartnerRegistry

partners_app = typer.Typer(
    help="Partner registry and onboarding: list, register, certify, go live, suspend.",
    no_args_is_help=True,
)

KindOption = typer.Option(
    None, "--kind", help="supplier, carrier, 3pl, customer or internal (required to create)"
)
SettingsFileOption = typer.Option(
    None,
    "--settings",
    help="a JSON or YAML file with the partner's settings (the admin API's body without name)",
)
ChannelOption = typer.Option(None, "--channel", help="http, edi, folder or webhook (repeat)")
ContactOption = typer.Option(None, "--contact", help="NAME,EMAIL[,ROLE] (repeat)")


def _actor() -> Principal:
    from crossdock.hub.identity import ALL_SCOPES, Principal

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal(subject=f"operator:cli:{user}", kind="operator", scopes=ALL_SCOPES, via="cli")


@contextlib.contextmanager
def _registry(config: Path | None, data_dir: Path | None) -> Iterator[PartnerRegistry]:
    """The registry on the store, refusals turned into precise CLI errors."""
    from pydantic import ValidationError

    from crossdock.bootstrap.partners import build_partner_services
    from crossdock.hub.partners.ports import ChecklistIncomplete, PartnerError, PartnerNotFound

    with open_store(config, data_dir) as (settings, store):
        try:
            yield build_partner_services(settings, store).registry
        except PartnerNotFound as exc:
            raise fail(str(exc)) from None
        except ChecklistIncomplete as exc:
            raise fail(f"{exc} (certify them, or --force with --reason)") from None
        except PartnerError as exc:
            raise fail(str(exc)) from None
        except ValidationError as exc:
            lines = [
                f"  {'.'.join(str(p) for p in e['loc']) or '$'}: {e['msg']}" for e in exc.errors()
            ]
            raise fail("the partner is invalid:\n" + "\n".join(lines), 2) from None
        except ValueError as exc:
            raise fail(str(exc), 2) from None


def _changes(
    settings_file: Path | None,
    kind: str | None,
    display_name: str | None,
    x12_id: str | None,
    x12_qualifier: str | None,
    gln: str | None,
    duns: str | None,
    channels: list[str] | None,
    contacts: list[str] | None,
) -> dict[str, Any]:
    """The settings given on the command line (over those of `--settings`)."""
    data: dict[str, Any] = {}
    if settings_file is not None:
        import yaml

        try:
            loaded = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise fail(f"{settings_file}: {exc}", 2) from None
        if not isinstance(loaded, dict):
            raise fail(f"{settings_file}: expected a mapping of settings", 2)
        data.update(loaded)
    if kind is not None:
        data["kind"] = kind
    if display_name is not None:
        data["display_name"] = display_name
    if x12_id is not None:
        data["x12"] = {**data.get("x12", {}), "id": x12_id}
    if x12_qualifier is not None:
        data["x12"] = {**data.get("x12", {}), "qualifier": x12_qualifier}
    if gln is not None or duns is not None:
        ids = dict(data.get("identifiers", {}))
        ids.update({k: v for k, v in (("gln", gln), ("duns", duns)) if v is not None})
        data["identifiers"] = ids
    if channels:
        data["channels"] = channels
    if contacts:
        data["contacts"] = [_contact(c) for c in contacts]
    return data


def _contact(value: str) -> dict[str, str]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (2, 3):
        raise fail(f"--contact {value!r}: expected NAME,EMAIL[,ROLE]", 2)
    contact = {"name": parts[0], "email": parts[1]}
    if len(parts) == 3:
        contact["role"] = parts[2]
    return contact


LIST_COLUMNS = [key("name"), text("origin"), text("kind"), text("state"), text("x12 sender"),
                text("created", 1), text("live since", 2)]  # fmt: skip


@partners_app.command("list")
def list_partners(
    json_out: bool = JsonOption, config: Path = ConfigOption, data_dir: Path = DataDirOption
) -> None:
    """Every partner: from crossdock.yaml (origin file) and registered (origin store)."""
    with _registry(config, data_dir) as registry:
        rows = registry.listing()
    data = [r.model_dump(mode="json") for r in rows]
    table = [
        [
            r["name"],
            r["origin"],
            r["kind"] or "-",
            r["state"],
            r["x12_sender"] or "-",
            short_time(r["created_at"]),
            short_time(r["live_at"]),
        ]
        for r in data
    ]
    emit(json_out, data, f"{len(rows)} partners", LIST_COLUMNS, table)


@partners_app.command("show")
def show(
    name: str = typer.Argument(..., help="the partner's name"),
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """One partner's settings, state and certification checklist (JSON)."""
    with _registry(config, data_dir) as registry:
        if name in registry.directory.file_names:
            print_json(registry.find(name).model_dump(mode="json"))
            return
        partner = registry.get(name)
        status = registry.checklist(name)
    print_json({**partner.model_dump(mode="json"), "origin": "store",
                "checklist_status": status.as_dict()})  # fmt: skip


@partners_app.command("create")
def create(
    name: str = typer.Argument(..., help="logical name: lowercase letters, digits, - and _"),
    kind: str = KindOption,
    display_name: str = typer.Option(None, "--display-name"),
    x12_id: str = typer.Option(None, "--x12-id", help="ISA06 of the partner's interchanges"),
    x12_qualifier: str = typer.Option(None, "--x12-qualifier", help="ISA05 (default ZZ)"),
    gln: str = typer.Option(None, "--gln"),
    duns: str = typer.Option(None, "--duns"),
    channel: list[str] = ChannelOption,
    contact: list[str] = ContactOption,
    settings_file: Path = SettingsFileOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Register a partner (state draft); refused when crossdock.yaml or another registered
    partner has the name or the X12 sender id."""
    from crossdock.hub.partners.model import PartnerFields

    data = _changes(settings_file, kind, display_name, x12_id, x12_qualifier, gln, duns,
                    channel, contact)  # fmt: skip
    with _registry(config, data_dir) as registry:
        partner = registry.create(name, PartnerFields.model_validate(data), _actor())
    typer.echo(f"partner {partner.name} registered ({partner.kind}, {partner.state})")


@partners_app.command("update")
def update(
    name: str = typer.Argument(..., help="the partner's name"),
    kind: str = KindOption,
    display_name: str = typer.Option(None, "--display-name"),
    x12_id: str = typer.Option(None, "--x12-id"),
    x12_qualifier: str = typer.Option(None, "--x12-qualifier"),
    gln: str = typer.Option(None, "--gln"),
    duns: str = typer.Option(None, "--duns"),
    channel: list[str] = ChannelOption,
    contact: list[str] = ContactOption,
    settings_file: Path = SettingsFileOption,
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Change a registered partner's settings; each given field is replaced whole (an
    --x12-id alone keeps the rest of the X12 settings)."""
    data = _changes(settings_file, kind, display_name, x12_id, x12_qualifier, gln, duns,
                    channel, contact)  # fmt: skip
    if not data:
        raise fail("nothing to change: give an option or --settings", 2)
    with _registry(config, data_dir) as registry:
        if "x12" in data and settings_file is None:
            current = registry.get(name).x12
            data["x12"] = {**(current.model_dump() if current else {}), **data["x12"]}
        partner = registry.update(name, data, _actor())
    typer.echo(f"partner {partner.name} updated")


@partners_app.command("state")
def state(
    name: str = typer.Argument(..., help="the partner's name"),
    to: str = typer.Argument(..., help="testing, live (from suspended) or suspended"),
    reason: str = typer.Option(None, "--reason", help="why (kept in the audit log)"),
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """Move a partner through onboarding: draft → testing, live → suspended → live."""
    from crossdock.hub.partners.model import OnboardingState

    try:
        target = OnboardingState(to)
    except ValueError:
        raise fail(f"unknown state {to!r}: draft, testing, live or suspended", 2) from None
    with _registry(config, data_dir) as registry:
        partner = registry.set_state(name, target, _actor(), reason)
    typer.echo(f"partner {partner.name} is {partner.state}")


@partners_app.command("go-live")
def go_live(
    name: str = typer.Argument(..., help="the partner's name"),
    force: bool = typer.Option(False, "--force", help="skip the checklist (needs --reason)"),
    reason: str = typer.Option(None, "--reason", help="why (kept in the audit log)"),
    config: Path = ConfigOption,
    data_dir: Path = DataDirOption,
) -> None:
    """testing → live once every checklist document type passed certification."""
    with _registry(config, data_dir) as registry:
        partner = registry.go_live(name, _actor(), force=force, reason=reason)
    typer.echo(f"partner {partner.name} is live")

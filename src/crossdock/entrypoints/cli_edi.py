"""`crossdock edi ...`: read, validate, acknowledge and render X12 from the command line.

These commands work on files alone (no hub, no store) except `edi outbound`, which reads the
outbound ledger: what was sent to partners and what their 997/999 said.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import asdict
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
    settings_from,
    short_time,
)
from crossdock.entrypoints.cli_output import Column, key, text

if TYPE_CHECKING:
    from crossdock.hub.edi.partners import TradingPartner

edi_app = typer.Typer(help="X12 EDI: parse, validate, acknowledge, render.", no_args_is_help=True)

FileArgument = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="X12 file")
StrictOption = typer.Option(
    False,
    "--strict",
    help="as for a partner with x12.strict: a code outside a code list the hub carries only "
    "in part is an error (set rejected), not a warning",
)


def _events(path: Path) -> Iterator[Any]:
    from crossdock.x12 import reader

    return reader.read(path)


def _issue_dict(issue: Any) -> dict[str, Any]:
    data = {k: v for k, v in asdict(issue).items() if v is not None}
    data["level"] = issue.level.value
    data["severity"] = issue.severity.value
    return data


@edi_app.command("parse")
def edi_parse(path: Path = FileArgument, as_json: bool = JsonOption) -> None:
    """Show the interchanges, groups and transaction sets in a file (a tree, or --json)."""
    from rich.tree import Tree

    from crossdock.x12 import reader

    parsed = reader.parse(path)
    unreadable = list(getattr(parsed, "unreadable", []))
    if as_json:
        print_json(
            {
                "interchanges": [_interchange_json(i) for i in parsed],
                "unreadable": [
                    {"offset": u.offset, "issues": [_issue_dict(i) for i in u.issues]}
                    for u in unreadable
                ],
            }
        )
        return
    root = Tree(f"[bold]{path.name}[/bold]")
    for interchange in parsed:
        h = interchange.header
        node = root.add(
            f"ISA {h.control_number} {h.sender_qualifier}/{h.sender_id.strip()} -> "
            f"{h.receiver_qualifier}/{h.receiver_id.strip()} version {h.version} usage {h.usage}"
        )
        for issue in interchange.issues:
            node.add(f"[yellow]{issue}[/yellow]")
        for group in interchange.groups:
            g = group.header
            gnode = node.add(f"GS {g.functional_id} {g.control_number} version {g.version}")
            for issue in group.issues:
                gnode.add(f"[yellow]{issue}[/yellow]")
            for t in group.transactions:
                tnode = gnode.add(f"ST {t.code} {t.control_number}: {len(t.segments)} segments")
                for issue in t.issues:
                    tnode.add(f"[yellow]{issue}[/yellow]")
    for span in unreadable:
        for issue in span.issues:
            root.add(f"[red]{issue}[/red]")
    console.print(root)


def _interchange_json(interchange: Any) -> dict[str, Any]:
    header = asdict(interchange.header)
    header["delimiters"] = asdict(interchange.header.delimiters)
    return {
        "header": header,
        "issues": [_issue_dict(i) for i in interchange.issues],
        "groups": [
            {
                "header": asdict(group.header),
                "issues": [_issue_dict(i) for i in group.issues],
                "transactions": [
                    {
                        "code": t.code,
                        "control_number": t.control_number,
                        "implementation": t.implementation,
                        "issues": [_issue_dict(i) for i in t.issues],
                        "segments": [[s.tag, *s.elements] for s in t.segments],
                    }
                    for t in group.transactions
                ],
            }
            for group in interchange.groups
        ],
    }


@edi_app.command("validate")
def edi_validate(
    path: Path = FileArgument, as_json: bool = JsonOption, strict: bool = StrictOption
) -> None:
    """Check envelopes and every transaction set against its spec. Exit 0 when valid, 1 when
    any error was found (warnings alone keep 0, e.g. a code outside a list the hub carries
    only in part, unless --strict); the first 100 findings of each transaction set are
    listed, the rest counted."""
    from functools import partial

    from crossdock.x12.findings import total_count
    from crossdock.x12.model import Severity, Transaction
    from crossdock.x12.outcome import OutcomeCollector
    from crossdock.x12.validator import validate

    collector = OutcomeCollector(partial(validate, strict=strict))
    findings: list[Any] = []
    transactions = 0

    def counted(events: Iterator[Any]) -> Iterator[Any]:
        nonlocal transactions
        for event in events:
            if isinstance(event, Transaction):
                transactions += 1
            yield event

    for outcome in collector.feed(counted(_events(path))):
        findings.extend(outcome.issues)
        for group in outcome.groups:
            findings.extend(group.issues)
            for transaction in group.transactions:
                findings.extend(transaction.issues)
    for span in collector.unreadable:
        findings.extend(span.issues)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if as_json:
        print_json(
            {
                "valid": not errors and transactions > 0,
                "transactions": transactions,
                "issues": [_issue_dict(f) for f in findings],
            }
        )
    else:
        for finding in findings:
            colour = "red" if finding.severity is Severity.ERROR else "yellow"
            console.print(f"[{colour}]{finding.severity.value}[/{colour}] {finding}")
        verdict = "valid" if not errors and transactions else "INVALID"
        error_total = total_count(errors)
        console.print(
            f"{path.name}: {verdict} ({transactions} transaction sets, {error_total} errors, "
            f"{total_count(findings) - error_total} warnings)"
        )
    if errors or transactions == 0:
        raise typer.Exit(1)


@edi_app.command("ack")
def edi_ack(
    path: Path = FileArgument,
    kind: str = typer.Option("auto", help="auto (997 for 004010, 999 for 005010), 997 or 999"),
    control: int = typer.Option(1, min=1, max=999_999_999, help="first ISA13/GS06 to use"),
    strict: bool = StrictOption,
) -> None:
    """Print the 997/999 (and TA1 where due) answering each interchange in a file. A code
    outside a partial code list is noted (AK5/IK5 E), or rejected (R) with --strict."""
    from functools import partial

    from crossdock.x12.ack_interchange import acknowledge
    from crossdock.x12.outcome import collect
    from crossdock.x12.validator import validate

    if kind not in ("auto", "997", "999"):
        raise fail(f"--kind must be auto, 997 or 999, got {kind!r}", 2)
    now = datetime.now(UTC)
    answered = 0
    for outcome in collect(_events(path), partial(validate, strict=strict)):
        reply = acknowledge(
            outcome,
            when=now,
            interchange_control=control,
            group_control=control,
            kind=None if kind == "auto" else kind,  # type: ignore[arg-type]
        )
        sys.stdout.write(reply.to_text())
        control += 1
        answered += 1
    if answered == 0:
        raise fail(f"{path.name}: no interchange to acknowledge (not X12?)")


def _registered_partner(
    config: Path | None, data_dir: Path | None, name: str
) -> tuple[TradingPartner | None, list[str]]:
    """A partner the file does not name, from the partner directory on the store (the
    file's partners, then the registered ones), and every name it knows. An embedded store
    that does not exist yet is not created for this: nobody is registered in it."""
    from crossdock.bootstrap.partners import build_directory

    settings = settings_from(config, data_dir)
    if settings.store.url is None and not (settings.hub.data_dir / "crossdock.db").exists():
        return None, []
    with open_store(config, data_dir) as (settings, store):
        directory = build_directory(settings, store)
        return directory.get(name), directory.names()


@edi_app.command("render")
def edi_render(
    document_type: str = typer.Argument(..., help="canonical document type, e.g. purchase_order"),
    document: Path = typer.Argument(..., exists=True, dir_okay=False, help="canonical JSON"),
    partner: str = typer.Option(None, help="partner from the config (envelope and maps)"),
    config: Path = ConfigOption,
    control: int = typer.Option(1, min=1, max=999_999_999, help="ISA13/GS06/ST02 to use"),
    data_dir: Path = DataDirOption,
) -> None:
    """Render a canonical document as an X12 interchange for a partner: one of the config,
    or one registered in the store (`crossdock partners`)."""
    from pydantic import ValidationError

    from crossdock.bootstrap import build_partners, mapper_factory
    from crossdock.canonical.json_numbers import validate_json
    from crossdock.canonical.registry import document_model
    from crossdock.hub.edi.outbound import GS_VERSIONS, envelope_settings, without_delimiters
    from crossdock.hub.edi.partners import PartnerDirectory, TradingPartner
    from crossdock.x12.codes import functional_id_for
    from crossdock.x12.writer import write_interchange

    model = document_model(document_type)
    if model is None:
        raise fail(f"unknown document type {document_type!r}", 2)
    try:
        doc = validate_json(model, document.read_bytes())
    except ValidationError as exc:
        raise fail(f"{document}: not a valid {document_type}:\n{exc}") from exc
    settings = settings_from(config)
    directory: PartnerDirectory = build_partners(settings)
    chosen = directory.get(partner) if partner else None
    if partner and chosen is None:
        chosen, known = _registered_partner(config, data_dir, partner)
        if chosen is None:
            known = known or directory.names()
            raise fail(f"unknown partner {partner!r} (known: {', '.join(known) or 'none'})", 2)
    target = chosen or TradingPartner(name="partner", qualifier="ZZ", id="PARTNER", gs_id="PARTNER")
    gs_version = GS_VERSIONS.get(target.version, "004010")
    try:
        body = mapper_factory(directory)(chosen).from_canonical(doc, version=gs_version)
        body = without_delimiters(body, target.delimiters)
        text = write_interchange(
            envelope_settings(target, directory.own),
            [(functional_id_for(body.code), gs_version, [body])],
            interchange_control=control,
            group_controls=[control],
            transaction_controls=[[control]],
            when=datetime.now(UTC),
        )
    except (ValueError, LookupError) as exc:
        raise fail(f"cannot render {document_type} as X12: {exc}") from exc
    sys.stdout.write(text)


@edi_app.command("outbound")
def edi_outbound(
    partner: str = typer.Option(None, help="only this partner"),
    message: str = typer.Option(None, help="only documents rendered from this message"),
    limit: int = typer.Option(50, min=1),
    data_dir: Path = DataDirOption,
    config: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """X12 documents sent to partners and what their 997/999 said about them."""
    with open_store(config, data_dir) as (_settings, store), store.uow.reader() as uow:
        rows = uow.edi.outbound(partner=partner, message_id=message, limit=limit)
    emit(
        as_json,
        [{**asdict(r), "created_at": r.created_at.isoformat()} for r in rows],
        "outbound X12",
        [
            key("partner"),
            key("ST"),
            key("ISA13"),
            Column("GS06", drop=2),
            Column("ST02", drop=1),
            "status",
            text("reason"),
            key("message"),
            Column("sent", drop=3),
        ],
        [
            (
                r.partner,
                r.transaction_code,
                r.interchange_control,
                r.group_control,
                r.transaction_control,
                r.status.value,
                r.reason,
                r.message_id,
                short_time(r.created_at.isoformat()),
            )
            for r in rows
        ],
    )

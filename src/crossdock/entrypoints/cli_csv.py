"""`crossdock csv check MAP FILE`: what a partner's flat file would become, without a hub.

MAP is a partner of ``crossdock.yaml`` with CSV maps (``partners.<name>.csv``) or a map
written to its own YAML / JSON file. Prints each document (its key, rows and canonical JSON,
or its errors) as JSON, and each row error on stderr; exits 1 when there is any error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.entrypoints.cli_common import ConfigOption, err_console, fail, settings_from
from crossdock.entrypoints.cli_output import print_json

if TYPE_CHECKING:
    from crossdock.mapping.csv import CsvMap

csv_app = typer.Typer(
    help="Flat files (CSV, fixed width): check a partner's map.", no_args_is_help=True
)

FileArgument = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="the file")
MapArgument = typer.Argument(..., help="a partner name from crossdock.yaml, or a map file")
TypeOption = typer.Option(
    None, "--type", "-t", help="document type (when the partner has several maps)"
)


def _map(spec: str, path: Path, document_type: str | None, config: Path | None) -> CsvMap:
    from pydantic import ValidationError

    from crossdock.mapping.csv.model import load_map_file

    candidate = Path(spec)
    if candidate.suffix.lower() in (".yaml", ".yml", ".json") and candidate.is_file():
        try:
            csv_map = load_map_file(candidate)
        except (ValidationError, ValueError) as exc:
            raise fail(f"{spec}: not a CSV map: {exc}", 2) from None
        if csv_map.document_type is None:
            if document_type is None:
                raise fail(f"{spec}: say which document type it reads (document_type or --type)", 2)
            csv_map = csv_map.model_copy(update={"document_type": document_type})
        return csv_map
    settings = settings_from(config)
    partner = settings.partners.get(spec)
    if partner is None or partner.csv is None or not partner.csv.maps:
        with_maps = sorted(n for n, p in settings.partners.items() if p.csv and p.csv.maps)
        known = ", ".join(with_maps) or "none"
        raise fail(f"{spec!r} is neither a map file nor a partner with CSV maps ({known})", 2)
    maps = partner.csv.maps
    if document_type is not None:
        if document_type not in maps:
            raise fail(f"{spec} has no CSV map for {document_type} ({', '.join(maps)})", 2)
        return maps[document_type]
    if len(maps) == 1:
        return next(iter(maps.values()))
    chosen = partner.csv.map_for_file(path.name)
    if chosen is None:
        raise fail(f"{spec} has several maps; none reads {path.name}: give --type", 2)
    return chosen


@csv_app.command("check")
def csv_check(
    map_spec: str = MapArgument,
    path: Path = FileArgument,
    document_type: str | None = TypeOption,
    config: Path | None = ConfigOption,
) -> None:
    """Read FILE with MAP and print what each document would become (JSON) and each row
    error; exit 1 when there is any."""
    from crossdock.mapping.csv import read_documents

    csv_map = _map(map_spec, path, document_type, config)
    out: list[dict[str, Any]] = []
    errors = 0
    with path.open("rb") as stream:
        for document in read_documents(stream, csv_map):
            item: dict[str, Any] = {
                "document_type": document.document_type,
                "key": document.key,
                "rows": [document.rows[0], document.rows[-1]] if document.rows else [],
            }
            if document.ok and document.document is not None:
                item["document"] = document.document.model_dump(mode="json", exclude_none=True)
            else:
                item["errors"] = [e.as_dict() for e in document.errors]
                for error in document.errors:
                    errors += 1
                    err_console.print(f"{path.name}: {error}", highlight=False, soft_wrap=True)
            out.append(item)
    print_json(out)
    if errors:
        raise typer.Exit(1)

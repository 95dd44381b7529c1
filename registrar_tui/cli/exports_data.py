"""`registrar-tui export families|students|balances FILE`: the import format, written back
(docs/import.md), UTF-8 with BOM by default (`--encoding`, `--delimiter`).

The commands join the `export` group of cli/exports.py (`export journal`, `export
receivables`), and write through the same CSV writer (services/interchange/csv_out.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registrar_tui.cli.exports import export_group
from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import _, ngettext


def register_data_exports(app: typer.Typer) -> None:
    """Add `export families|students|balances` to the app's `export` group."""
    export = export_group(app)
    for kind, help_text in (
        ("families", _("Familles et responsables, au format d'import.")),
        ("students", _("Élèves, au format d'import.")),
        ("balances", _("Soldes dus par famille, au format d'import des soldes.")),
    ):
        _add(export, kind, help_text)


def _add(export: typer.Typer, kind: str, help_text: str) -> None:
    @export.command(kind, help=help_text)
    def run(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help=_("Fichier CSV à écrire."))],
        encoding: Annotated[
            str,
            typer.Option("--encoding", metavar="utf-8-sig|utf-8|cp1252", help=_("Encodage.")),
        ] = "utf-8-sig",
        delimiter: Annotated[
            str, typer.Option("--delimiter", metavar="',' | ';' | tab", help=_("Séparateur."))
        ] = ",",
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.interchange.csv_out import (
            CsvFormat,
            parse_delimiter,
            parse_encoding,
        )
        from registrar_tui.services.interchange.exporting import export_table, to_csv

        with user_errors():
            fmt = CsvFormat(encoding=parse_encoding(encoding), delimiter=parse_delimiter(delimiter))
        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    header, rows = export_table(uow, kind)
                    data, count = to_csv(header, rows, fmt)
            finally:
                database.dispose()
        try:
            file.write_bytes(data)
        except OSError as error:
            echo_error(
                _("Fichier impossible à écrire : {path} ({detail}).").format(
                    path=file, detail=error.strerror or error
                )
            )
            raise typer.Exit(1) from None
        typer.echo(
            ngettext(
                "{count} ligne écrite dans {path}.", "{count} lignes écrites dans {path}.", count
            ).format(count=count, path=file)
        )

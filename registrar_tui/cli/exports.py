"""Files for the accountant (issue #15 §3): the journal and the receivables ageing.

    registrar-tui export journal --from 2026-11-01 --to 2026-11-30 [--establishment MTL] \\
        [--format csv] [--encoding utf-8-sig|utf-8|cp1252] [--delimiter ,|;|tab] FILE|-
    registrar-tui export receivables --at 2026-11-30 [--format csv|pdf] [--establishment MTL] \\
        [--encoding …] [--delimiter …] FILE|-

FILE is replaced whole or not at all (written beside it, then renamed); `-` writes to
standard output. What was written is summed up on standard error (entries, debits =
credits; families and totals). CSV files are UTF-8 with a BOM unless `--encoding` says
otherwise; the decimal mark follows the delimiter (`,` with `;`): see docs/exports.md and
services/interchange/csv_out.py. Reading needs no sign-in, like `groups list`.

The `export` group is shared: `export_group(app)` returns it (creating it the first
time), so another module adds its own exports (`export families …`) to the same group.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_money, ngettext
from registrar_tui.services.core.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from registrar_tui.services.interchange.csv_out import CsvFormat

OPTION_OF = {
    "start": "--from",
    "end": "--to",
    "at": "--at",
    "establishment": "--establishment",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "format": "--format",
    "accounts": "accounts",
}


def export_group(app: typer.Typer) -> typer.Typer:
    """The `export` group of `app`: the one already added, or a new one added now."""
    for info in app.registered_groups:
        if info.name == "export" and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=_("Fichiers pour la comptabilité et d'autres systèmes."))
    app.add_typer(group, name="export", no_args_is_help=True)
    return group


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            N_("Date invalide « {text} » : écrivez AAAA-MM-JJ."), field=field, text=text
        ) from None


def _refusal(error: DomainError) -> typer.Exit:
    option = OPTION_OF.get(error.field or "")
    echo_error(f"{option} : {error.translated()}" if option else error.translated())
    return typer.Exit(1)


def _csv_format(encoding: str, delimiter: str) -> CsvFormat:
    from registrar_tui.services.interchange.csv_out import (
        CsvFormat,
        parse_delimiter,
        parse_encoding,
    )

    return CsvFormat(encoding=parse_encoding(encoding), delimiter=parse_delimiter(delimiter))


def _write(target: str, data: bytes) -> str:
    """Write the export at `target` (`-`: standard output); the name to report."""
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return _("la sortie standard")
    from registrar_tui.services.documents.output import replace_file

    path = Path(target).expanduser()
    replace_file(path, data)
    return str(path)


def _format_option(choices: str) -> Any:
    return typer.Option("--format", metavar=choices, help=_("Format du fichier."))


def _encoding_option() -> Any:
    return typer.Option(
        "--encoding",
        metavar="utf-8-sig|utf-8|cp1252",
        help=_("Encodage du CSV (défaut : UTF-8 avec BOM, qu'Excel lit avec ses accents)."),
    )


def _delimiter_option() -> Any:
    return typer.Option(
        "--delimiter",
        metavar=",|;|tab",
        help=_("Séparateur du CSV ; avec « ; », la virgule est la marque décimale."),
    )


def _establishment_option() -> Any:
    return typer.Option(
        "--establishment", metavar="CODE", help=_("Un seul établissement (MTL, QC…).")
    )


def _target_argument() -> Any:
    return typer.Argument(metavar="FILE|-", help=_("Fichier à écrire, ou - pour la sortie."))


def register(app: typer.Typer) -> None:
    """Add `export journal` and `export receivables` to the `export` group of `app`."""
    export = export_group(app)

    @export.command(
        "journal",
        help=_(
            "Journal comptable d'une période : une ligne par ligne d'écriture (date, "
            "écriture, type, pièce, compte, débit, crédit, établissement, description)."
        ),
    )
    def export_journal(
        ctx: typer.Context,
        target: Annotated[str, _target_argument()],
        start: Annotated[
            str, typer.Option("--from", metavar=_("AAAA-MM-JJ"), help=_("Premier jour."))
        ],
        end: Annotated[
            str, typer.Option("--to", metavar=_("AAAA-MM-JJ"), help=_("Dernier jour (inclus)."))
        ],
        file_format: Annotated[str, _format_option("csv")] = "csv",
        establishment: Annotated[str | None, _establishment_option()] = None,
        encoding: Annotated[str, _encoding_option()] = "utf-8-sig",
        delimiter: Annotated[str, _delimiter_option()] = ",",
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.interchange.csv_out import csv_bytes
        from registrar_tui.services.interchange.journal import accounting_journal, journal_rows

        with user_errors():
            try:
                if file_format != "csv":
                    raise InvalidInput(
                        N_("Format inconnu « {value} » (choix : {choices})."),
                        field="format",
                        value=file_format,
                        choices="csv",
                    )
                fmt = _csv_format(encoding, delimiter)
                first, last = _day(start, "start"), _day(end, "end")
                database = open_checked(url_from(ctx, db))
                try:
                    with database.read() as uow:
                        journal = accounting_journal(uow, first, last, establishment)
                finally:
                    database.dispose()
                header, rows = journal_rows(journal)
                written = _write(target, csv_bytes(header, rows, fmt))
            except DomainError as error:
                raise _refusal(error) from None
        entries = ngettext("{count} écriture", "{count} écritures", len(journal.entries)).format(
            count=len(journal.entries)
        )
        lines = ngettext("{count} ligne", "{count} lignes", len(rows)).format(count=len(rows))
        echo_error(
            _(
                "Journal du {start} au {end} : {entries}, {lines} ; débits {debit} = "
                "crédits {credit} → {target}"
            ).format(
                start=first.isoformat(),
                end=last.isoformat(),
                entries=entries,
                lines=lines,
                debit=format_money(journal.total_debit),
                credit=format_money(journal.total_credit),
                target=written,
            )
        )

    @export.command(
        "receivables",
        help=_(
            "Âge des comptes clients à une date : par famille, le solde non échu, à "
            "0-30, 31-60, 61-90 et plus de 90 jours de retard, le crédit ; ligne de totaux."
        ),
    )
    def export_receivables(
        ctx: typer.Context,
        target: Annotated[str, _target_argument()],
        at: Annotated[
            str,
            typer.Option("--at", metavar=_("AAAA-MM-JJ"), help=_("Le jour (à sa fin).")),
        ],
        file_format: Annotated[str, _format_option("csv|pdf")] = "csv",
        establishment: Annotated[str | None, _establishment_option()] = None,
        encoding: Annotated[str, _encoding_option()] = "utf-8-sig",
        delimiter: Annotated[str, _delimiter_option()] = ",",
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.interchange.ageing import ageing_rows, receivables_ageing

        with user_errors():
            try:
                if file_format not in ("csv", "pdf"):
                    raise InvalidInput(
                        N_("Format inconnu « {value} » (choix : {choices})."),
                        field="format",
                        value=file_format,
                        choices="csv, pdf",
                    )
                fmt = _csv_format(encoding, delimiter)
                day = _day(at, "at")
                database = open_checked(url_from(ctx, db))
                try:
                    with database.read() as uow:
                        ageing = receivables_ageing(uow, day, establishment)
                        if file_format == "pdf":
                            from registrar_tui.i18n import current_language
                            from registrar_tui.services.interchange.ageing import ageing_pdf

                            data = ageing_pdf(uow, ageing, current_language())
                finally:
                    database.dispose()
                if file_format == "csv":
                    from registrar_tui.services.interchange.csv_out import csv_bytes

                    header, rows = ageing_rows(ageing)
                    data = csv_bytes(header, rows, fmt)
                written = _write(target, data)
            except DomainError as error:
                raise _refusal(error) from None
        families = ngettext("{count} famille", "{count} familles", len(ageing.rows)).format(
            count=len(ageing.rows)
        )
        echo_error(
            _(
                "Comptes clients au {at} : {families} ; total {total}, crédit {credit} → {target}"
            ).format(
                at=day.isoformat(),
                families=families,
                total=format_money(ageing.totals.total),
                credit=format_money(ageing.totals.credit),
                target=written,
            )
        )

"""`registrar-tui import families|students|enrolments|balances FILE`: moving in from the
previous software (docs/import.md).

Without `--apply` it is a dry run: every problem with its line and column, then what the
import would create, leave unchanged or find changed; exit status 1 when there is any
problem. `--apply --as ADMIN` (the administrator's password is asked, or read with
`--password-stdin`) checks again and writes the whole file in one transaction, with a
progress bar on standard error (rows/s, time left; none with `--quiet` or when standard
error is not a terminal). Ctrl+C rolls everything back: nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, ngettext
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.text import clean_text

if TYPE_CHECKING:
    from registrar_tui.services.interchange.report import ImportReport

KIND_NAMES = ("families", "students", "enrolments", "balances")
MSG_NO_STDIN = N_("Mot de passe attendu sur l'entrée standard (--password-stdin).")
INTERRUPTED_STATUS = 130


def _password(username: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(MSG_NO_STDIN, field="password")
        return line.rstrip("\r\n")
    return str(
        typer.prompt(_("Mot de passe de {username}").format(username=username), hide_input=True)
    )


def print_report(report: ImportReport) -> None:
    """The problems by line and column, the changed rows, then the counts."""
    delimiter = _("point-virgule") if report.delimiter == ";" else _("virgule")
    typer.echo(
        _("{file} : {encoding}, séparateur {delimiter}, {rows}.").format(
            file=clean_text(report.file_name),
            encoding="UTF-8" if report.encoding == "utf-8" else "Windows-1252",
            delimiter=delimiter,
            rows=ngettext("{count} ligne", "{count} lignes", report.rows).format(count=report.rows),
        )
    )
    for problem in report.problems:
        if problem.column:
            where = _("ligne {line}, « {column} »").format(
                line=problem.line, column=clean_text(problem.column)
            )
        else:
            where = _("ligne {line}").format(line=problem.line)
        typer.echo(f"  {where} : {clean_text(problem.translated())}")
    for changed in report.changed:
        typer.echo(
            "  "
            + _(
                "ligne {line} (ancien id {old_id}) : diffère de la fiche importée ({fields}) ; "
                "non modifiée, corrigez au comptoir."
            ).format(
                line=changed.line,
                old_id=clean_text(changed.old_id),
                fields=", ".join(changed.fields),
            )
        )
    counts = _("{created} · {unchanged} · {changed}").format(
        created=(
            ngettext("{count} créé", "{count} créés", report.created)
            if report.applied
            else ngettext("{count} à créer", "{count} à créer", report.created)
        ).format(count=report.created),
        unchanged=ngettext("{count} inchangé", "{count} inchangés", report.unchanged).format(
            count=report.unchanged
        ),
        changed=ngettext("{count} différent", "{count} différents", len(report.changed)).format(
            count=len(report.changed)
        ),
    )
    if report.problems:
        typer.echo(
            ngettext(
                "{count} problème : rien n'est importé. {counts}",
                "{count} problèmes : rien n'est importé. {counts}",
                len(report.problems),
            ).format(count=len(report.problems), counts=counts)
        )
    elif report.applied:
        typer.echo(_("Importé en une transaction : {counts}.").format(counts=counts))
    else:
        typer.echo(
            _("Essai à blanc, rien n'est écrit : {counts}. Ajoutez --apply pour importer.").format(
                counts=counts
            )
        )


def _rows_per_second_column() -> Any:
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.speed
            shown = "–" if speed is None else f"{speed:,.0f}".replace(",", " ")
            return Text(_("{speed} lignes/s").format(speed=shown))

    return RowsPerSecond()


class _Bar:
    """The rich progress bar on standard error (rows, rows/s, time left), or nothing."""

    def __init__(self, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            _rows_per_second_column(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not (enabled and console.is_terminal),
        )
        self.task: Any = None

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task(_("Import"), total=total)
        self.progress.update(self.task, completed=done, total=total)


def register(app: typer.Typer) -> None:
    """Add `import KIND FILE` to `app`, and the data exports to the `export` group."""
    import_app = typer.Typer(
        help=_("Importer les données de l'ancien logiciel (essai à blanc par défaut)."),
        no_args_is_help=True,
    )
    app.add_typer(import_app, name="import")
    for kind, help_text in (
        ("families", _("Familles et leurs responsables (un fichier CSV).")),
        ("students", _("Élèves, rattachés aux familles déjà importées.")),
        ("enrolments", _("Inscriptions des élèves importés aux groupes d'une session.")),
        ("balances", _("Soldes d'ouverture : une facture « Solde reporté » par famille.")),
    ):
        _add_import_command(import_app, kind, help_text)
    from registrar_tui.cli.exports_data import register_data_exports

    register_data_exports(app)


def _add_import_command(import_app: typer.Typer, kind: str, help_text: str) -> None:
    @import_app.command(kind, help=help_text)
    def run(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help=_("Fichier CSV (UTF-8 ou Windows-1252)."))],
        apply: Annotated[
            bool, typer.Option("--apply", help=_("Importer (sans : essai à blanc)."))
        ] = False,
        as_user: Annotated[
            str | None,
            typer.Option(
                "--as",
                metavar="ADMIN",
                help=_("Administrateur qui importe (son mot de passe est demandé)."),
                show_default=False,
            ),
        ] = None,
        password_stdin: Annotated[
            bool,
            typer.Option(
                "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
            ),
        ] = False,
        quiet: Annotated[
            bool, typer.Option("--quiet", help=_("Sans barre de progression."))
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.interchange.importing import (
            ImportHasProblems,
            apply_file,
            check_file,
        )
        from registrar_tui.services.staff.auth import authenticate

        try:
            data = file.read_bytes()
        except OSError as error:
            echo_error(
                _("Fichier illisible : {path} ({detail}).").format(
                    path=file, detail=error.strerror or error
                )
            )
            raise typer.Exit(1) from None
        if apply and as_user is None:
            echo_error(_("--apply demande --as : indiquez l'administrateur qui importe."))
            raise typer.Exit(1)
        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                if not apply:
                    with database.read() as uow, _Bar(not quiet) as bar:
                        report = check_file(uow, kind, data, file.name, bar)
                else:
                    assert as_user is not None
                    password = _password(as_user, password_stdin)
                    with database.write() as uow:
                        user_id = authenticate(uow, as_user, password).id
                    try:
                        with _Bar(not quiet) as bar, database.write() as uow:
                            report = apply_file(uow, user_id, kind, data, file.name, bar)
                    except ImportHasProblems as refused:
                        report = refused.report
                    except KeyboardInterrupt:
                        echo_error(_("Interrompu : rien n'a été écrit."))
                        raise typer.Exit(INTERRUPTED_STATUS) from None
            finally:
                database.dispose()
        print_report(report)
        if report.problems:
            raise typer.Exit(1)

"""`registrar-tui backup [PATH]` and `registrar-tui restore PATH` (SQLite databases).

A backup can be taken while the app is running (SQLite's online backup API). Restoring
needs the app closed everywhere, asks for confirmation (unless --yes), keeps a copy of
the replaced database, then checks the restored hash chains. PostgreSQL databases are
saved and restored with pg_dump / pg_restore: both commands say so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from registrar_tui.cli.support import db_option, echo_error, url_from, user_errors
from registrar_tui.i18n import _

if TYPE_CHECKING:
    from registrar_tui.services.staff.backup import BackupFile

YES_ANSWERS = frozenset({"o", "oui", "y", "yes"})


def _summary(backup: BackupFile) -> str:
    return _("paiements : {payments} ; reçus : {receipts} ; révision {revision}").format(
        payments=backup.payments, receipts=backup.receipts, revision=backup.revision
    )


def _verify_restored(url: str) -> None:
    """Check the restored hash chains; exit 1 naming the first broken link."""
    from registrar_tui.cli.support import open_checked
    from registrar_tui.services.audit.verify import verify_chains

    database = open_checked(url)
    try:
        with database.read() as uow:
            report = verify_chains(uow)
    finally:
        database.dispose()
    if report.ok:
        typer.echo(
            _(
                "Chaînes de hachage intactes (reçus : {receipts} ; événements d'audit : {events})."
            ).format(receipts=report.receipts_checked, events=report.audit_events_checked)
        )
        return
    for link in report.breaks:
        echo_error(_("Maillon rompu : {link}").format(link=link.describe()))
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `backup` and `restore` to `app`."""

    @app.command(
        "backup",
        help=_(
            "Copie la base de données SQLite (même pendant son utilisation) dans PATH : "
            "un fichier, ou un dossier ; par défaut le dossier backups à côté de la base."
        ),
    )
    def backup(
        ctx: typer.Context,
        path: Annotated[
            Path | None, typer.Argument(help=_("Fichier ou dossier de destination."))
        ] = None,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.backup import backup_database

        with user_errors():
            written = backup_database(url_from(ctx, db), path, datetime.now(tz=UTC))
        typer.echo(
            _("Sauvegarde écrite : {path} ({summary}).").format(
                path=written.path, summary=_summary(written)
            )
        )

    @app.command(
        "restore",
        help=_(
            "Remplace la base de données SQLite par une sauvegarde ; l'ancienne base est "
            "gardée dans le dossier backups. Fermez l'application sur tous les postes avant."
        ),
    )
    def restore(
        ctx: typer.Context,
        path: Annotated[Path, typer.Argument(help=_("Fichier de sauvegarde."))],
        yes: Annotated[
            bool, typer.Option("--yes", help=_("Ne pas demander de confirmation."))
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.backup import (
            database_file,
            inspect_backup,
            restore_database,
        )

        url = url_from(ctx, db)
        with user_errors():
            target = database_file(url)
            found = inspect_backup(url, path)
        typer.echo(_("Sauvegarde {path} : {summary}.").format(path=path, summary=_summary(found)))
        if not yes:
            answer = typer.prompt(
                _("Remplacer la base de données {database} par cette sauvegarde ? [o/N]").format(
                    database=target
                ),
                default="",
                show_default=False,
            )
            if answer.strip().casefold() not in YES_ANSWERS:
                typer.echo(_("Restauration annulée : rien n'a changé."))
                raise typer.Exit(1)
        with user_errors():
            result = restore_database(url, path, datetime.now(tz=UTC))
        typer.echo(_("Base de données {database} restaurée.").format(database=result.database))
        if result.previous_copy is not None:
            typer.echo(
                _("L'ancienne base est gardée dans {path}.").format(path=result.previous_copy)
            )
        if result.restored.needs_upgrade:
            typer.echo(
                _(
                    "Cette sauvegarde vient d'une version antérieure : "
                    "lancez « registrar-tui db upgrade »."
                )
            )
            return
        with user_errors():
            _verify_restored(url)

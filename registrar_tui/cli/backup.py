"""`registrar-tui backup [PATH]` and `registrar-tui restore PATH` (SQLite databases).

A backup can be taken while the app is running (SQLite's online backup API), into an
existing folder (a missing one is refused, never created). Restoring needs the app closed
everywhere, keeps a copy of the replaced database, then checks the restored hash chains.
It first lists what the live database holds that the backup lacks (payments, refunds,
voids: receipt number, family, amount); when something would be lost the person types
that count to go on (`--yes` does not skip it; scripts pass `--confirm-loss N`), the list
is written beside the kept copy, and the receipt numbers carry on above the highest either
database issued. Nothing lost: it asks yes/no (unless --yes). PostgreSQL databases are
saved and restored with pg_dump / pg_restore: both commands say so.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from registrar_tui.cli.support import db_option, echo_error, url_from, user_errors
from registrar_tui.i18n import N_, _, format_money, ngettext

if TYPE_CHECKING:
    from registrar_tui.services.staff.backup import BackupFile, RestoreLosses

YES_ANSWERS = frozenset({"o", "oui", "y", "yes"})


def _summary(backup: BackupFile) -> str:
    return _("paiements : {payments} ; reçus : {receipts} ; révision {revision}").format(
        payments=backup.payments, receipts=backup.receipts, revision=backup.revision
    )


_KINDS = {
    "payment": N_("paiement"),
    "refund": N_("remboursement"),
    "void": N_("annulation"),
}


def _show_losses(losses: RestoreLosses) -> None:
    """One line per record the restore would take away, then the count."""
    typer.echo(
        ngettext(
            "La base en service contient {count} enregistrement que cette sauvegarde n'a "
            "pas ; il sera retiré de la base :",
            "La base en service contient {count} enregistrements que cette sauvegarde n'a "
            "pas ; ils seront retirés de la base :",
            losses.count,
        ).format(count=losses.count)
    )
    header = (_("n° de reçu"), _("nature"), _("date (UTC)"), _("famille"), _("montant"))
    typer.echo("  " + "\t".join(header))
    for record in losses.records:
        typer.echo(
            "  "
            + "\t".join(
                (
                    record.receipt_number,
                    _(_KINDS[record.kind]),
                    record.occurred_at[:16],
                    f"{record.family_number} {record.family_name}".strip(),
                    format_money(record.amount),
                )
            ).replace("\n", " ")
        )


def _confirm_losses(losses: RestoreLosses, yes: bool, confirm_loss: int | None) -> None:
    """Go on only when the person (or script) confirmed exactly how many records go."""
    if confirm_loss is not None:
        if confirm_loss != losses.count:
            echo_error(
                _(
                    "--confirm-loss {given} ne correspond pas au nombre d'enregistrements qui "
                    "seraient perdus ({count}). Restauration annulée : rien n'a changé."
                ).format(given=confirm_loss, count=losses.count)
            )
            raise typer.Exit(1)
        return
    if not losses.count:
        return
    if yes:
        echo_error(
            _(
                "--yes ne suffit pas quand des enregistrements seraient perdus : relancez "
                "sans --yes et tapez leur nombre, ou passez --confirm-loss {count}. "
                "Restauration annulée : rien n'a changé."
            ).format(count=losses.count)
        )
        raise typer.Exit(1)
    answer = typer.prompt(
        _("Pour remplacer quand même la base, tapez ce nombre ({count})").format(
            count=losses.count
        ),
        default="",
        show_default=False,
    )
    if answer.strip() != str(losses.count):
        typer.echo(_("Restauration annulée : rien n'a changé."))
        raise typer.Exit(1)


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
            str | None,
            typer.Argument(help=_("Fichier ou dossier (existant) de destination.")),
        ] = None,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.backup import backup_database

        destination = Path(path) if path else None
        as_folder = path is not None and path.endswith(("/", os.sep))
        with user_errors():
            written = backup_database(
                url_from(ctx, db), destination, datetime.now(tz=UTC), as_folder=as_folder
            )
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
            bool,
            typer.Option(
                "--yes",
                help=_(
                    "Ne pas demander de confirmation quand rien ne serait perdu "
                    "(sinon, --confirm-loss N)."
                ),
            ),
        ] = False,
        confirm_loss: Annotated[
            int | None,
            typer.Option(
                "--confirm-loss",
                metavar="N",
                min=0,
                help=_(
                    "Pour les scripts : confirme que N enregistrements de la base en service "
                    "(paiements, remboursements, annulations absents de la sauvegarde) seront "
                    "perdus ; refusé si ce n'est pas le nombre exact."
                ),
            ),
        ] = None,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.backup import (
            database_file,
            inspect_backup,
            restore_database,
            restore_losses,
        )

        url = url_from(ctx, db)
        with user_errors():
            target = database_file(url)
            found = inspect_backup(url, path)
            losses = restore_losses(url, path)
        typer.echo(_("Sauvegarde {path} : {summary}.").format(path=path, summary=_summary(found)))
        if not losses.readable:
            echo_error(
                _(
                    "La base en service est illisible : ce qu'elle contient de plus que la "
                    "sauvegarde ne peut pas être listé, ni ses numéros de reçu reportés."
                )
            )
        if losses.count:
            _show_losses(losses)
        _confirm_losses(losses, yes, confirm_loss)
        if not losses.count and not yes and confirm_loss is None:
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
            result = restore_database(
                url, path, datetime.now(tz=UTC), confirmed_losses=losses.count
            )
        typer.echo(_("Base de données {database} restaurée.").format(database=result.database))
        if result.previous_copy is not None:
            typer.echo(
                _("L'ancienne base est gardée dans {path}.").format(path=result.previous_copy)
            )
        if result.report is not None:
            typer.echo(_("Liste de ce qui a été retiré : {path}.").format(path=result.report))
        for numbers in result.skipped:
            typer.echo(
                _(
                    "Numéros de reçu {prefix}-{first:06d} à {prefix}-{last:06d} déjà émis par "
                    "l'ancienne base : le prochain reçu sera {prefix}-{next:06d}."
                ).format(
                    prefix=numbers.prefix,
                    first=numbers.first,
                    last=numbers.last,
                    next=numbers.last + 1,
                )
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

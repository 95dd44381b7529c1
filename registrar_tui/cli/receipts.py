"""`registrar-tui receipts resume`: finish handing over receipts a crash left pending.

A payment's receipt handover (original PDF, e-mail) is written as pending work in the
payment's transaction; the app completes what is left at its next start, and this command
does the same from a script (e.g. before a day close, or after a terminal was lost).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from registrar_tui.services.outbox.handover import HandedOverReceipt


def describe_handover(handed: HandedOverReceipt) -> str:
    """What was done for one receipt, in the UI language (one line)."""
    parts = []
    if handed.path is not None:
        parts.append(_("original enregistré : {path}").format(path=handed.path))
    if handed.emailed_to is not None:
        parts.append(_("courriel en file pour {address}").format(address=handed.emailed_to))
    parts.extend(error.translated() for error in handed.problems)
    return " ; ".join(parts) if parts else _("aucun courriel au dossier")


def register(app: typer.Typer) -> None:
    """Add `receipts resume` to `app`."""
    receipts_app = typer.Typer(help=_("Reçus des paiements encaissés."))
    app.add_typer(receipts_app, name="receipts")

    @receipts_app.command(
        "resume",
        help=_(
            "Termine la remise des reçus restée en suspens (PDF original, courriel) après un "
            "arrêt brutal, une seule fois chacun ; code de sortie 1 s'il en reste."
        ),
    )
    def resume(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        from registrar_tui.services.documents.output import output_settings
        from registrar_tui.services.outbox.handover import resume_handovers

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                report = resume_handovers(database, output_settings())
            finally:
                database.dispose()
        for done in report.completed:
            typer.echo(
                _("Reçu {number} : {what}.").format(
                    number=done.receipt_number, what=describe_handover(done.handed)
                )
            )
        for left in report.unfinished:
            echo_error(
                _("Reçu {number} toujours en suspens : {what}.").format(
                    number=left.receipt_number, what=describe_handover(left.handed)
                )
            )
        count = len(report.completed)
        if not count and not report.unfinished:
            typer.echo(_("Aucun reçu en suspens."))
        elif count:
            typer.echo(
                ngettext(
                    "{count} reçu remis à la reprise.", "{count} reçus remis à la reprise.", count
                ).format(count=count)
            )
        if report.unfinished:
            raise typer.Exit(1)

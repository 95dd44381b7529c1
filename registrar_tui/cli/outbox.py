"""`registrar-tui outbox send|list`: the confirmation e-mails."""

from __future__ import annotations

from typing import Annotated

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import _

STATUSES = ("pending", "sent", "failed")


def register(app: typer.Typer) -> None:
    """Add `outbox send` and `outbox list` to `app`."""
    outbox_app = typer.Typer(help=_("Courriels de confirmation en attente d'envoi."))
    app.add_typer(outbox_app, name="outbox")

    @outbox_app.command(
        "send",
        help=_(
            "Envoie les courriels en attente (et ceux en échec) par SMTP, configuré par "
            "REGISTRAR_SMTP_HOST, _PORT, _STARTTLS, _USER, _PASSWORD et _FROM ; "
            "code de sortie 1 si un envoi échoue."
        ),
    )
    def send(
        ctx: typer.Context,
        db: Annotated[str | None, db_option()] = None,
        max_attempts: Annotated[
            int,
            typer.Option(
                "--max-attempts",
                min=1,
                help=_("Nombre d'essais après lequel un courriel en échec n'est plus renvoyé."),
            ),
        ] = 5,
    ) -> None:
        from registrar_tui.services.outbox.send import send_outbox, smtp_settings

        with user_errors():
            settings = smtp_settings()
            database = open_checked(url_from(ctx, db))
            try:
                report = send_outbox(database, settings, max_attempts=max_attempts)
            finally:
                database.dispose()
        typer.echo(
            _("Courriels envoyés : {sent} ; en échec : {failed}.").format(
                sent=report.sent, failed=report.failed
            )
        )
        for message_id, error in report.errors:
            echo_error(_("Courriel {id} non envoyé : {error}").format(id=message_id, error=error))
        if report.stopped_early:
            echo_error(
                _("Serveur SMTP injoignable : les autres courriels attendent le prochain envoi.")
            )
        if report.failed:
            raise typer.Exit(1)

    @outbox_app.command(
        "list",
        help=_(
            "Liste les courriels, les plus récents d'abord ; une ligne par courriel : n°, état, "
            "essais, date, destinataire, objet, pièce jointe, erreur (séparés par des tabulations)."
        ),
    )
    def list_messages(
        ctx: typer.Context,
        db: Annotated[str | None, db_option()] = None,
        status: Annotated[
            str | None,
            typer.Option(
                "--status",
                metavar="pending|sent|failed",
                help=_("Seulement les courriels de cet état."),
            ),
        ] = None,
        limit: Annotated[
            int, typer.Option("--limit", min=1, help=_("Nombre maximal de courriels."))
        ] = 50,
    ) -> None:
        from registrar_tui.i18n import format_datetime
        from registrar_tui.models.base import OutboxStatus
        from registrar_tui.services.outbox.send import outbox_messages

        if status is not None and status not in STATUSES:
            raise typer.BadParameter(
                _("état inconnu « {value} » (choix : {choices}).").format(
                    value=status, choices=", ".join(STATUSES)
                ),
                param_hint="--status",
            )
        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    rows = outbox_messages(
                        uow, OutboxStatus(status) if status else None, limit=limit
                    )
            finally:
                database.dispose()
        for row in rows:
            fields = (
                row.message_id,
                row.status.value,
                row.attempts,
                format_datetime(row.created_at, "yyyy-MM-dd HH:mm"),
                row.recipient,
                row.subject,
                row.attachment_name or "",
                row.last_error,
            )
            typer.echo(
                "\t".join(str(field).replace("\t", " ").replace("\n", " ") for field in fields)
            )
        if not rows:
            echo_error(_("Aucun courriel."))

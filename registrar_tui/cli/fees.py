"""`registrar-tui fees late-confirmation --term CODE`: the attendance-confirmation fee job.

Without `--as` the command only says what it would do (who would be charged, who already
was). With `--as USERNAME` (a registrar or an administrator) it asks for that person's
password — a real, audited sign-in, so the invoices name someone who proved who they are —
and bills the term's late-confirmation fee once to each student who did not confirm.
For a scheduled job, `--password-stdin` reads the password from standard input. Running
it twice bills nobody twice.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.services.core.errors import InvalidInput, NotFound

MSG_NO_STDIN = N_("Mot de passe attendu sur l'entrée standard (--password-stdin).")


def _password(username: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(MSG_NO_STDIN, field="password")
        return line.rstrip("\r\n")
    return str(
        typer.prompt(_("Mot de passe de {username}").format(username=username), hide_input=True)
    )


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="USERNAME",
        help=_(
            "Registraire ou administrateur qui applique les frais (son mot de passe est demandé)."
        ),
        show_default=False,
    )


def register(app: typer.Typer) -> None:
    """Add the `fees` command group to `app`."""
    fees = typer.Typer(help=_("Frais de session : confirmation tardive."), no_args_is_help=True)
    app.add_typer(fees, name="fees")
    from registrar_tui.cli.reference import register_fee_commands

    register_fee_commands(fees)  # `fees set` (administrator)

    @fees.command(
        "late-confirmation",
        help=_(
            "Facture les frais de confirmation tardive aux élèves qui n'ont pas confirmé "
            "leur présence (une seule fois par élève et par session)."
        ),
    )
    def late_confirmation(
        ctx: typer.Context,
        term: Annotated[
            str,
            typer.Option("--term", metavar="CODE", help=_("Session, par exemple AUT-2026.")),
        ],
        as_user: Annotated[str | None, _as_option()] = None,
        password_stdin: Annotated[
            bool,
            typer.Option(
                "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
            ),
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.records.term_fees import (
            apply_late_confirmation_fees,
            late_fee_terms,
        )
        from registrar_tui.services.staff.auth import authenticate

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                if as_user is None:
                    with database.read() as uow:
                        found = [t for t in late_fee_terms(uow) if t.term_code == term]
                    if not found:
                        raise NotFound(
                            N_("Aucune date limite de confirmation pour la session {term}."),
                            term=term,
                        )
                    preview = found[0]
                    typer.echo(
                        _(
                            "Session {term} (date limite : {deadline}) : {to_charge}, {done}."
                        ).format(
                            term=preview.term_code,
                            deadline=format_date(preview.deadline),
                            to_charge=ngettext(
                                "{count} élève à facturer",
                                "{count} élèves à facturer",
                                preview.to_charge,
                            ).format(count=preview.to_charge),
                            done=ngettext(
                                "{count} déjà facturé",
                                "{count} déjà facturés",
                                preview.already_charged,
                            ).format(count=preview.already_charged),
                        )
                    )
                    echo_error(_("Rien n'est facturé sans --as : indiquez qui applique les frais."))
                    return
                password = _password(as_user, password_stdin)
                with database.write() as uow:
                    user_id = authenticate(uow, as_user, password).id
                with database.write() as uow:
                    run = apply_late_confirmation_fees(uow, actor_id=user_id, term_code=term)
            finally:
                database.dispose()
        typer.echo(
            _("Session {term} : {charged} ({total}), {done}.").format(
                term=run.term_code,
                charged=ngettext(
                    "{count} élève facturé", "{count} élèves facturés", run.charged
                ).format(count=run.charged),
                total=format_money(run.total),
                done=ngettext(
                    "{count} déjà facturé auparavant",
                    "{count} déjà facturés auparavant",
                    run.already_charged,
                ).format(count=run.already_charged),
            )
        )
        for number in run.invoice_numbers:
            typer.echo(f"  {number}")

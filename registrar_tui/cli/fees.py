"""`registrar-tui fees late-confirmation --term CODE`: the attendance-confirmation fee job.

It first shows who would be charged: each student with the family billed, then the
count of students and families and the total. Without `--as` that is all. With `--as
USERNAME` (a registrar or an administrator) it asks for that person's password — a real,
audited sign-in, so the invoices name someone who proved who they are — then asks "o/N"
(`--yes` does not ask) and bills the term's late-confirmation fee once to each student
who did not confirm, queueing a message to each family charged. For a scheduled job,
`--password-stdin --yes` reads the password from standard input. Running it twice bills
nobody twice.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.text import clean_text

if TYPE_CHECKING:
    from registrar_tui.services.records.term_fees import LateFeePreview

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
            "Facturer les frais de confirmation tardive aux élèves qui n'ont pas confirmé "
            "leur présence (une seule fois par élève et par session) et prévenir leurs "
            "familles. Montre d'abord qui serait facturé."
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
        yes: Annotated[
            bool,
            typer.Option(
                "--yes", help=_("Facturer sans demander de confirmation (tâche planifiée).")
            ),
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.records.term_fees import (
            apply_late_confirmation_fees,
            late_fee_preview,
        )
        from registrar_tui.services.staff.auth import authenticate

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                user_id = None
                if as_user is not None:
                    password = _password(as_user, password_stdin)
                    with database.write() as uow:
                        user_id = authenticate(uow, as_user, password).id
                with database.read() as uow:
                    preview = late_fee_preview(uow, term)
                _echo_preview(preview)
                if user_id is None:
                    echo_error(_("Rien n'est facturé sans --as : indiquez qui applique les frais."))
                    return
                if preview.students and not yes and not _agreed(_("Facturer ces élèves ? o/N")):
                    echo_error(_("Rien n'a été facturé."))
                    return
                with database.write() as uow:
                    run = apply_late_confirmation_fees(uow, actor_id=user_id, term_code=term)
            finally:
                database.dispose()
        typer.echo(run.summary())
        for number in run.invoice_numbers:
            typer.echo(f"  {number}")


def _agreed(question: str) -> bool:
    """A yes to `question`: « o »/« oui » (or « y »/« yes »); anything else, even nothing, is no."""
    answer = str(typer.prompt(question, default="", show_default=False)).strip().casefold()
    return answer in ("o", "oui", "y", "yes")


def _echo_preview(preview: LateFeePreview) -> None:
    """Who would be charged (one line each), then the students, families and total."""
    typer.echo(
        _("Session {term} (date limite : {deadline}) :").format(
            term=preview.term_code, deadline=format_date(preview.deadline)
        )
    )
    for student in preview.students:
        typer.echo(
            f"  {clean_text(student.student_name)} ({student.student_number}) — "
            f"{clean_text(student.family_name)}"
        )
    students = ngettext(
        "{count} élève à facturer", "{count} élèves à facturer", len(preview.students)
    ).format(count=len(preview.students))
    families = ngettext("{count} famille", "{count} familles", preview.families).format(
        count=preview.families
    )
    done = ngettext(
        "{count} déjà facturé", "{count} déjà facturés", preview.already_charged
    ).format(count=preview.already_charged)
    typer.echo(
        _("{students} · {families} · total {total} · {done}").format(
            students=students,
            families=families,
            total=format_money(preview.total),
            done=done,
        )
    )

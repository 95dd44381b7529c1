"""`registrar-tui reminders`: overdue reminders (relances).

`reminders [--as-of DATE] [--level N]` is a dry run (the default): each family that would get
a letter, its level, invoices and total, then the totals per level. `--send --as USERNAME`
(a registrar or an administrator; the password is asked, or read with `--password-stdin`)
sends them with a progress bar: one PDF letter per family, saved under the documents folder
(`reminders/`), and an e-mail with it queued in the outbox.

`reminders levels` lists the three levels and the minimum balance; `reminders set-level N
--days D --text-fr FILE --text-en FILE --as admin` changes a level, `reminders
set-threshold AMOUNT --as admin` the minimum balance.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.text import clean_text

if TYPE_CHECKING:
    from registrar_tui.db import Database
    from registrar_tui.services.ledger.reminders import ReminderPreview

MSG_NO_STDIN = N_("Mot de passe attendu sur l'entrée standard (--password-stdin).")
MSG_BAD_DATE = N_("Date invalide « {value} » (AAAA-MM-JJ).")
MSG_BAD_AMOUNT = N_("Montant invalide « {value} ».")


def _signed_in(database: Database, as_user: str, from_stdin: bool) -> int:
    from registrar_tui.services.staff.auth import authenticate

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(MSG_NO_STDIN, field="password")
        password = line.rstrip("\r\n")
    else:
        password = str(
            typer.prompt(_("Mot de passe de {username}").format(username=as_user), hide_input=True)
        )
    with database.write() as uow:
        user_id = authenticate(uow, as_user, password).id
    assert user_id is not None
    return user_id


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(MSG_BAD_DATE, field="as_of", value=value[:20]) from error


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="USERNAME",
        help=_("Qui agit (son mot de passe est demandé)."),
        show_default=False,
    )


def _stdin_option() -> Any:
    return typer.Option(
        "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
    )


def register(app: typer.Typer) -> None:
    """Add the `reminders` command group to `app`."""
    group = typer.Typer(
        help=_("Relances des comptes en retard (essai par défaut, --send pour envoyer)."),
        invoke_without_command=True,
    )
    app.add_typer(group, name="reminders")

    @group.callback()
    def reminders(
        ctx: typer.Context,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of", metavar="DATE", help=_("En date du (AAAA-MM-JJ ; aujourd'hui).")
            ),
        ] = None,
        send: Annotated[
            bool,
            typer.Option(
                "--send/--dry-run",
                help=_("Envoyer les lettres (par défaut : essai, rien n'est écrit)."),
            ),
        ] = False,
        level: Annotated[
            int | None,
            typer.Option("--level", metavar="N", help=_("Seulement ce niveau (1, 2 ou 3).")),
        ] = None,
        as_user: Annotated[str | None, _as_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        from registrar_tui.services.ledger.reminders import reminder_preview
        from registrar_tui.services.outbox.reminder_letters import send_reminders

        with user_errors():
            day = _day(as_of)
            database = open_checked(url_from(ctx, db))
            try:
                user_id = None
                if send:
                    if as_user is None:
                        echo_error(_("--send : indiquez qui envoie les relances avec --as."))
                        raise typer.Exit(1)
                    user_id = _signed_in(database, as_user, password_stdin)
                with database.read() as uow:
                    preview = reminder_preview(uow, day, level=level)
                _echo_preview(preview)
                if user_id is None:
                    typer.echo(_("Essai : rien n'a été envoyé (--send pour envoyer)."))
                    return
                run = _send(database, send_reminders, user_id, preview.as_of, level)
            finally:
                database.dispose()
        letters = ngettext("{count} lettre", "{count} lettres", len(run.letters)).format(
            count=len(run.letters)
        )
        emails = ngettext(
            "{count} courriel en file", "{count} courriels en file", run.emails
        ).format(count=run.emails)
        typer.echo(
            _("Relances envoyées : {letters} · {emails} · total {total}.").format(
                letters=letters, emails=emails, total=format_money(run.total_overdue)
            )
        )
        if run.saved:
            typer.echo(_("Lettres enregistrées dans {folder}").format(folder=run.saved[0].parent))
        for problem in run.save_errors:
            echo_error(problem)

    @group.command("levels", help=_("Les trois niveaux de relance et le solde minimal."))
    def levels(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        from registrar_tui.services.ledger.reminders import reminder_settings

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    settings = reminder_settings(uow)
            finally:
                database.dispose()
        for found in settings.levels:
            typer.echo(
                _("Niveau {level} : {days} jours de retard").format(
                    level=found.level, days=found.days_overdue
                )
            )
            typer.echo(f"  fr : {clean_text(found.text_fr)}")
            typer.echo(f"  en : {clean_text(found.text_en)}")
        typer.echo(_("Solde minimal : {amount}").format(amount=format_money(settings.min_balance)))

    @group.command(
        "set-level", help=_("Changer les jours et les textes d'un niveau (administrateur).")
    )
    def set_level(
        ctx: typer.Context,
        level: Annotated[int, typer.Argument(metavar="N", help=_("Niveau 1, 2 ou 3."))],
        days: Annotated[
            int | None, typer.Option("--days", metavar="D", help=_("Jours de retard."))
        ] = None,
        text_fr: Annotated[
            Path | None,
            typer.Option("--text-fr", metavar="FILE", help=_("Fichier du texte en français.")),
        ] = None,
        text_en: Annotated[
            Path | None,
            typer.Option("--text-en", metavar="FILE", help=_("Fichier du texte en anglais.")),
        ] = None,
        as_user: Annotated[str | None, _as_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.ledger.reminders import set_reminder_level

        if as_user is None:
            echo_error(_("--as : indiquez l'administrateur qui fait le changement."))
            raise typer.Exit(1)
        with user_errors():
            fr = _read(text_fr)
            en = _read(text_en)
            database = open_checked(url_from(ctx, db))
            try:
                user_id = _signed_in(database, as_user, password_stdin)
                with database.write() as uow:
                    found = set_reminder_level(
                        uow,
                        actor_id=user_id,
                        level=level,
                        days_overdue=days,
                        text_fr=fr,
                        text_en=en,
                    )
            finally:
                database.dispose()
        typer.echo(
            _("Niveau {level} : {days} jours de retard").format(
                level=found.level, days=found.days_overdue
            )
        )

    @group.command(
        "set-threshold", help=_("Solde minimal pour recevoir une relance (administrateur).")
    )
    def set_threshold(
        ctx: typer.Context,
        amount: Annotated[str, typer.Argument(metavar="AMOUNT", help=_("Montant, ex. 10,00."))],
        as_user: Annotated[str | None, _as_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.ledger.reminders import set_reminder_threshold

        if as_user is None:
            echo_error(_("--as : indiquez l'administrateur qui fait le changement."))
            raise typer.Exit(1)
        with user_errors():
            try:
                value = Decimal(amount.replace(",", ".").replace("$", "").strip())
            except InvalidOperation as error:
                raise InvalidInput(MSG_BAD_AMOUNT, field="amount", value=amount[:20]) from error
            database = open_checked(url_from(ctx, db))
            try:
                user_id = _signed_in(database, as_user, password_stdin)
                with database.write() as uow:
                    saved = set_reminder_threshold(uow, actor_id=user_id, min_balance=value)
            finally:
                database.dispose()
        typer.echo(_("Solde minimal : {amount}").format(amount=format_money(saved)))


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(
            N_("Fichier illisible : {path}"), field="text", path=str(path)[:200]
        ) from error


def _send(database: Database, send: Any, user_id: int, day: date, level: int | None) -> Any:
    from rich.progress import Progress

    from registrar_tui.services.documents.output import output_settings

    with Progress(transient=True) as bar:
        task = bar.add_task(_("Relances"), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return send(
            database,
            actor_id=user_id,
            as_of=day,
            level=level,
            documents_dir=output_settings().documents_dir,
            progress=progress,
        )


def _echo_preview(preview: ReminderPreview) -> None:
    """One line per family (level, number, name, invoices, total), then the totals."""
    typer.echo(_("Relances en date du {day} :").format(day=format_date(preview.as_of)))
    for family in preview.families:
        invoices = ", ".join(
            r.invoice_number
            if r.instalment_sequence is None
            else _("échéance {sequence}").format(sequence=r.instalment_sequence)
            for r in family.invoices
        )
        typer.echo(
            f"  {family.level}  {family.family_number}  {clean_text(family.family_name)}  "
            f"{format_money(family.total_overdue)}  ({invoices})"
        )
    for total in preview.totals:
        families = ngettext("{count} famille", "{count} familles", total.families).format(
            count=total.families
        )
        invoices = ngettext("{count} facture", "{count} factures", total.invoices).format(
            count=total.invoices
        )
        typer.echo(
            _("Niveau {level} : {families} · {invoices} · {amount}").format(
                level=total.level,
                families=families,
                invoices=invoices,
                amount=format_money(total.amount),
            )
        )
    left = ngettext(
        "{count} famille sous le solde minimal",
        "{count} familles sous le solde minimal",
        preview.under_threshold,
    ).format(count=preview.under_threshold)
    plans = ngettext(
        "{count} famille avec une entente de paiement",
        "{count} familles avec une entente de paiement",
        preview.on_plan,
    ).format(count=preview.on_plan)
    typer.echo(
        _("Total : {amount} · exclues : {left}, {plans}").format(
            amount=format_money(preview.total_overdue), left=left, plans=plans
        )
    )

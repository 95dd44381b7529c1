"""`registrar-tui deposits list|prepare|make|abandon|pdf`: bank deposits from a terminal.

Every command acts as a registrar or an administrator (`--as USERNAME`, whose password is
asked, or read from standard input with `--password-stdin`): deposits are money records,
audited under a name that proved who it is.

    deposits start --establishment MTL --on 2026-11-16 --as lgagnon   first day of deposits (once)
    deposits list --establishment MTL --as lgagnon            what can be deposited, past deposits
    deposits prepare --establishment MTL --count 100=3 --count 20=2 --as lgagnon
    deposits make MTL-DEP-0007 --as lgagnon                   taken to the bank: locked
    deposits abandon MTL-DEP-0007 --as lgagnon                a prepared one only
    deposits pdf MTL-DEP-0007 --output slip.pdf --as lgagnon
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.text import clean_text

if TYPE_CHECKING:
    from registrar_tui.db import Database
    from registrar_tui.services.ledger.deposits import Depositable, DepositView

MSG_NO_STDIN = N_("Mot de passe attendu sur l'entrée standard (--password-stdin).")
MSG_DATE_FORMAT = N_("Date attendue sous la forme AAAA-MM-JJ, par exemple 2026-11-16.")
MSG_COUNT_FORMAT = N_("Décompte attendu sous la forme COUPURE=NOMBRE, par exemple 20=4.")


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="USERNAME",
        help=_("Registraire ou administrateur (son mot de passe est demandé)."),
        show_default=False,
    )


def _stdin_option() -> Any:
    return typer.Option(
        "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
    )


def _establishment_option() -> Any:
    return typer.Option(
        "--establishment", metavar="CODE", help=_("Établissement, par exemple MTL.")
    )


def _sign_in(database: Database, username: str, from_stdin: bool) -> int:
    from registrar_tui.models.base import require_id
    from registrar_tui.services.staff.auth import authenticate

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(MSG_NO_STDIN, field="password")
        password = line.rstrip("\r\n")
    else:
        password = str(
            typer.prompt(_("Mot de passe de {username}").format(username=username), hide_input=True)
        )
    with database.write() as uow:
        return require_id(authenticate(uow, username, password))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(MSG_DATE_FORMAT, field="on") from None


def _counts(texts: list[str]) -> dict[Decimal, int]:
    from registrar_tui.services.ledger.denominations import parse_denomination

    counts: dict[Decimal, int] = {}
    for text in texts:
        denomination, sep, quantity = text.partition("=")
        if not sep or not quantity.strip().isdigit():
            raise InvalidInput(MSG_COUNT_FORMAT, field="counts")
        value = parse_denomination(denomination)
        counts[value] = counts.get(value, 0) + int(quantity.strip())
    return counts


def _echo_depositable(found: Depositable) -> None:
    if found.starts_on is None:
        typer.echo(
            _(
                "Les dépôts de cet établissement n'ont pas de date de début : fixez-la d'abord "
                "(registrar-tui deposits start)."
            )
        )
        return
    typer.echo(_("Dépôts depuis le {date}").format(date=format_date(found.starts_on)))
    for line in found.payments:
        detail = "" if line.is_cash else f" n° {clean_text(line.cheque_number or '')}"
        typer.echo(
            f"  {line.receipt_number}  {clean_text(line.family_name)}  "
            f"{_method(line.method)}{detail}  {format_money(line.amount)}"
        )
    for adjustment in found.adjustments:
        if adjustment.is_refund:
            typer.echo(
                "  "
                + _("{receipt} remboursé en comptant : {amount}").format(
                    receipt=adjustment.receipt_number, amount=format_money(adjustment.amount)
                )
            )
            continue
        typer.echo(
            "  "
            + _("{receipt} annulé après le dépôt {deposit} : {amount}").format(
                receipt=adjustment.receipt_number,
                deposit=adjustment.original_deposit_number,
                amount=format_money(adjustment.amount),
            )
        )
    for difference in found.over_short:
        template = (
            _("{clerk} : manque de {amount} à la fermeture de caisse")
            if difference.is_short
            else _("{clerk} : surplus de {amount} à la fermeture de caisse")
        )
        typer.echo(
            "  "
            + template.format(
                amount=format_money(difference.amount), clerk=clean_text(difference.clerk_name)
            )
        )
    count = len(found.payments)
    typer.echo(
        ngettext("{count} paiement à déposer", "{count} paiements à déposer", count).format(
            count=count
        )
        + " · "
        + _("comptant {cash} · chèques {cheques} · total {total}").format(
            cash=format_money(found.cash_total),
            cheques=format_money(found.cheque_total),
            total=format_money(found.total),
        )
    )


METHOD_LABELS = {
    "cash": N_("Comptant"),
    "certified_cheque": N_("Chèque certifié"),
    "cheque": N_("Chèque"),
}


def _method(method: Any) -> str:
    value = str(getattr(method, "value", method))
    return _(METHOD_LABELS.get(value, value))


def _echo_deposit(view: DepositView) -> None:
    typer.echo(
        _("Dépôt {number} ({status}) : comptant {cash} · chèques {cheques} · total {total}").format(
            number=view.number,
            status=_(STATUS_LABELS[view.status.value]),
            cash=format_money(view.cash_total),
            cheques=format_money(view.cheque_total),
            total=format_money(view.total),
        )
    )


STATUS_LABELS = {
    "prepared": N_("préparé"),
    "made": N_("fait"),
    "abandoned": N_("abandonné"),
}


def register(app: typer.Typer) -> None:
    """Add the `deposits` command group to `app`."""
    deposits_app = typer.Typer(
        help=_("Dépôts bancaires : comptant et chèques des caisses fermées."),
        no_args_is_help=True,
    )
    app.add_typer(deposits_app, name="deposits")

    @deposits_app.command(
        "start",
        help=_(
            "Fixer le premier jour des dépôts d'un établissement (avant son premier dépôt) : "
            "rien de reçu avant n'est proposé."
        ),
    )
    def start_command(
        ctx: typer.Context,
        establishment: Annotated[str, _establishment_option()],
        as_user: Annotated[str, _as_option()],
        on: Annotated[
            str | None,
            typer.Option(
                "--on", metavar="AAAA-MM-JJ", help=_("Premier jour (par défaut aujourd'hui).")
            ),
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.ledger.deposit_start import deposits_start_today, start_deposits
        from registrar_tui.services.school_year.groups import establishment_id_by_code

        with user_errors():
            start_on = None if on is None else _date(on)
            database = open_checked(url_from(ctx, db))
            try:
                actor_id = _sign_in(database, as_user, password_stdin)
                with database.write() as uow:
                    establishment_id = establishment_id_by_code(uow, establishment)
                    chosen = start_deposits(
                        uow, actor_id, establishment_id, start_on or deposits_start_today(uow)
                    )
            finally:
                database.dispose()
        typer.echo(_("Dépôts depuis le {date}").format(date=format_date(chosen)))

    @deposits_app.command(
        "list", help=_("Ce qui peut être déposé pour un établissement, et ses derniers dépôts.")
    )
    def list_command(
        ctx: typer.Context,
        establishment: Annotated[str, _establishment_option()],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.ledger.deposits import depositable, list_deposits
        from registrar_tui.services.school_year.groups import establishment_id_by_code

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                actor_id = _sign_in(database, as_user, password_stdin)
                with database.read() as uow:
                    establishment_id = establishment_id_by_code(uow, establishment)
                    found = depositable(uow, actor_id, establishment_id)
                    past = list_deposits(uow, actor_id, establishment_id)
            finally:
                database.dispose()
        _echo_depositable(found)
        for row in past:
            typer.echo(
                f"{row.number}  {_(STATUS_LABELS[row.status.value])}  {format_money(row.total)}"
            )

    @deposits_app.command(
        "prepare",
        help=_(
            "Préparer le dépôt de tout ce qui peut être déposé ; le décompte du comptant "
            "(--count COUPURE=NOMBRE, répété) doit égaler le comptant à déposer."
        ),
    )
    def prepare_command(
        ctx: typer.Context,
        establishment: Annotated[str, _establishment_option()],
        as_user: Annotated[str, _as_option()],
        count: Annotated[
            list[str] | None,
            typer.Option(
                "--count", metavar="COUPURE=NOMBRE", help=_("Par exemple 20=4 ou 0,25=40.")
            ),
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.ledger.deposits import depositable, prepare_deposit
        from registrar_tui.services.school_year.groups import establishment_id_by_code

        with user_errors():
            counts = _counts(count or [])
            database = open_checked(url_from(ctx, db))
            try:
                actor_id = _sign_in(database, as_user, password_stdin)
                with database.read() as uow:
                    establishment_id = establishment_id_by_code(uow, establishment)
                    seen = depositable(uow, actor_id, establishment_id).payment_ids
                with database.write() as uow:
                    view = prepare_deposit(uow, actor_id, establishment_id, seen, counts)
            finally:
                database.dispose()
        _echo_deposit(view)

    @deposits_app.command("make", help=_("Le dépôt a été fait à la banque : il est verrouillé."))
    def make_command(
        ctx: typer.Context,
        number: Annotated[
            str, typer.Argument(metavar="NUMBER", help=_("Par exemple MTL-DEP-0007."))
        ],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _act(ctx, "make", number, as_user, password_stdin, db)

    @deposits_app.command("abandon", help=_("Abandonner un dépôt préparé (pas encore fait)."))
    def abandon_command(
        ctx: typer.Context,
        number: Annotated[
            str, typer.Argument(metavar="NUMBER", help=_("Par exemple MTL-DEP-0007."))
        ],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _act(ctx, "abandon", number, as_user, password_stdin, db)

    @deposits_app.command("pdf", help=_("Enregistrer le bordereau de dépôt en PDF."))
    def pdf_command(
        ctx: typer.Context,
        number: Annotated[
            str, typer.Argument(metavar="NUMBER", help=_("Par exemple MTL-DEP-0007."))
        ],
        as_user: Annotated[str, _as_option()],
        output: Annotated[
            Path | None,
            typer.Option(
                "--output", metavar="FILE", help=_("Fichier PDF (par défaut NUMÉRO.pdf).")
            ),
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.documents.deposit import deposit_slip_pdf
        from registrar_tui.services.ledger.deposits import deposit_id_by_number

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                actor_id = _sign_in(database, as_user, password_stdin)
                with database.read() as uow:
                    generated = deposit_slip_pdf(uow, actor_id, deposit_id_by_number(uow, number))
            finally:
                database.dispose()
        path = output or Path(generated.filename)
        try:
            path.write_bytes(generated.pdf)
        except OSError as error:
            echo_error(str(error))
            raise typer.Exit(1) from error
        typer.echo(_("Bordereau enregistré : {path}").format(path=path))


def _act(
    ctx: typer.Context,
    verb: str,
    number: str,
    as_user: str,
    password_stdin: bool,
    db: str | None,
) -> None:
    from registrar_tui.services.ledger.deposits import (
        abandon_deposit,
        deposit_id_by_number,
        make_deposit,
    )

    action = make_deposit if verb == "make" else abandon_deposit
    with user_errors():
        database = open_checked(url_from(ctx, db))
        try:
            actor_id = _sign_in(database, as_user, password_stdin)
            with database.write() as uow:
                view = action(uow, actor_id, deposit_id_by_number(uow, number))
        finally:
            database.dispose()
    _echo_deposit(view)

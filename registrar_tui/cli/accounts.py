"""The chart of accounts the journal export posts to (issue #15 §3).

    registrar-tui accounts list [--json]
    registrar-tui accounts set fee CODE ACCOUNT --as ADMIN        (CODE, PREFIX* or *)
    registrar-tui accounts set method METHOD ACCOUNT --as ADMIN   (cash, debit, credit_card,
                                                                   certified_cheque, cheque, online)
    registrar-tui accounts set refund METHOD ACCOUNT --as ADMIN   (cash, cheque)
    registrar-tui accounts set receivable ACCOUNT --as ADMIN
    registrar-tui accounts set credit ACCOUNT --as ADMIN

`list` needs no sign-in (like `groups list`); it prints one line per setting, fields
separated by tabs — kind, key, account, and « défaut » for a default or « AUCUN » for a
fee code in use that no account takes — or a JSON array with `--json`. A change signs the
administrator in (`--as`, password asked or read with `--password-stdin`) and is one
audited write (services/interchange/accounts.py).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.reference import _as_admin, _as_option, _stdin_option
from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import _

if TYPE_CHECKING:
    from registrar_tui.db import UnitOfWork
    from registrar_tui.services.interchange.accounts import AccountSetting


def _setting_fields(setting: AccountSetting) -> dict[str, Any]:
    return {
        "kind": setting.kind.value,
        "key": setting.key,
        "account": setting.account,
        "default": setting.is_default,
        "in_use": setting.in_use,
    }


def _set(
    ctx: typer.Context,
    db: str | None,
    as_user: str,
    password_stdin: bool,
    kind: str,
    key: str,
    account: str,
) -> None:
    from registrar_tui.services.interchange.accounts import set_account

    def change(uow: UnitOfWork, user_id: int) -> AccountSetting:
        return set_account(uow, kind, key, account, user_id)

    done = _as_admin(ctx, db, as_user, password_stdin, change)
    shown = f"{done.kind.value} {done.key}".strip()
    typer.echo(_("Compte défini : {what} → {account}.").format(what=shown, account=done.account))


def register(app: typer.Typer) -> None:
    """Add the `accounts` commands to `app`."""
    accounts = typer.Typer(
        help=_("Plan comptable du journal : comptes des frais, modes de paiement, clients."),
        no_args_is_help=True,
    )
    app.add_typer(accounts, name="accounts")
    setter = typer.Typer(
        help=_("Définit un compte (administrateur)."),
        no_args_is_help=True,
    )
    accounts.add_typer(setter, name="set")

    @accounts.command(
        "list",
        help=_(
            "Affiche le compte de chaque code de frais, mode de paiement, des comptes "
            "clients et du crédit des familles, et les codes de frais sans compte."
        ),
    )
    def accounts_list(
        ctx: typer.Context,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json", help=_("Écrire un tableau JSON au lieu de lignes à tabulations.")
            ),
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.interchange.accounts import account_settings

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    settings = account_settings(uow)
            finally:
                database.dispose()
        if as_json:
            typer.echo(json.dumps([_setting_fields(s) for s in settings], ensure_ascii=False))
            return
        missing = []
        for setting in settings:
            note = ""
            if setting.account is None:
                note = _("AUCUN COMPTE")
                missing.append(setting.key)
            elif setting.is_default:
                note = _("défaut")
            elif not setting.in_use:
                note = _("aucun code en usage")
            fields = (setting.kind.value, setting.key or "—", setting.account or "—", note)
            typer.echo("\t".join(fields).rstrip())
        if missing:
            echo_error(
                _(
                    "Codes de frais sans compte : {codes}. Le journal les refuse : "
                    "« registrar-tui accounts set fee CODE COMPTE --as ADMIN »."
                ).format(codes=", ".join(missing))
            )

    @setter.command("fee", help=_("Compte de revenu d'un code de frais (CODE, PRÉFIXE* ou *)."))
    def set_fee(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(metavar="CODE", help=_("SCO-PIA, ACT-* ou *."))],
        account: Annotated[str, typer.Argument(metavar="ACCOUNT", help=_("Le compte (4100)."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _set(ctx, db, as_user, password_stdin, "fee", code, account)

    @setter.command("method", help=_("Compte où entre l'argent d'un mode de paiement."))
    def set_method(
        ctx: typer.Context,
        method: Annotated[
            str,
            typer.Argument(
                metavar="METHOD",
                help="cash, debit, credit_card, certified_cheque, cheque, online",
            ),
        ],
        account: Annotated[str, typer.Argument(metavar="ACCOUNT", help=_("Le compte (1010)."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _set(ctx, db, as_user, password_stdin, "method", method, account)

    @setter.command("refund", help=_("Compte d'où sort un remboursement (comptant, chèque)."))
    def set_refund(
        ctx: typer.Context,
        method: Annotated[str, typer.Argument(metavar="METHOD", help="cash, cheque")],
        account: Annotated[str, typer.Argument(metavar="ACCOUNT", help=_("Le compte (1010)."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _set(ctx, db, as_user, password_stdin, "refund", method, account)

    @setter.command(
        "receivable", help=_("Compte des comptes clients (ce que les familles doivent).")
    )
    def set_receivable(
        ctx: typer.Context,
        account: Annotated[str, typer.Argument(metavar="ACCOUNT", help=_("Le compte (1200)."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _set(ctx, db, as_user, password_stdin, "receivable", "", account)

    @setter.command("credit", help=_("Compte du crédit des familles (dépôts de clients)."))
    def set_credit(
        ctx: typer.Context,
        account: Annotated[str, typer.Argument(metavar="ACCOUNT", help=_("Le compte (2400)."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        _set(ctx, db, as_user, password_stdin, "credit", "", account)

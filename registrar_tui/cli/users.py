"""`registrar-tui user add|disable|enable|reset-password|unlock|list`: staff accounts.

Who acts: `--as ADMIN` names the administrator making the change; the command asks for
that administrator's password (a real sign-in: it is audited and counts towards the
lock), so the audit trail names someone who proved who they are. Without `--as`, only
one thing is allowed: creating the first admin of a database that has none (first
set-up). `user list` needs `--as` too: the accounts are shown to an administrator.

Passwords are typed twice with hidden input. For scripts, `--password-stdin` reads them
from standard input instead, one per line: first the `--as` administrator's password
(when `--as` is given), then the new password (add, reset-password).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _
from registrar_tui.services.core.errors import InvalidInput

if TYPE_CHECKING:
    from registrar_tui.db import Database
    from registrar_tui.services.staff.accounts import StaffAccount

ROLE_LABELS = {
    "clerk": N_("Commis"),
    "registrar": N_("Registraire"),
    "admin": N_("Administrateur"),
    "portal": N_("Portail"),
}
ROLE_CHOICES = "clerk|registrar|admin"
MSG_NO_STDIN = N_("Mot de passe attendu sur l'entrée standard (--password-stdin).")
MSG_MISMATCH = N_("Les deux mots de passe ne sont pas identiques.")


class _Passwords:
    """Where passwords come from: hidden prompts, or one line each from standard input."""

    def __init__(self, from_stdin: bool) -> None:
        self.from_stdin = from_stdin

    def _line(self) -> str:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(MSG_NO_STDIN, field="password")
        return line.rstrip("\r\n")

    def of_admin(self, username: str) -> str:
        if self.from_stdin:
            return self._line()
        prompt = _("Mot de passe de {username}").format(username=username)
        return str(typer.prompt(prompt, hide_input=True))

    def new(self, username: str) -> str:
        if self.from_stdin:
            return self._line()
        first = typer.prompt(
            _("Nouveau mot de passe pour {username}").format(username=username),
            hide_input=True,
        )
        again = typer.prompt(_("Retapez le mot de passe"), hide_input=True)
        if first != again:
            raise InvalidInput(MSG_MISMATCH, field="password")
        return str(first)


def _sign_in_admin(database: Database, username: str | None, passwords: _Passwords) -> int | None:
    """The id of the `--as` administrator after a real (audited) sign-in; None without --as."""
    if username is None:
        return None
    from registrar_tui.services.staff.auth import authenticate

    password = passwords.of_admin(username)
    with database.write() as uow:
        return authenticate(uow, username, password).id


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="ADMIN",
        help=_("Administrateur qui fait la modification (son mot de passe est demandé)."),
        show_default=False,
    )


def _stdin_option() -> Any:
    return typer.Option(
        "--password-stdin",
        help=_(
            "Lire les mots de passe sur l'entrée standard, un par ligne : "
            "celui de l'administrateur --as, puis le nouveau."
        ),
    )


def _status(account: StaffAccount) -> str:
    return _("{username} ({name}, {role}) : {state}.").format(
        username=account.username,
        name=account.full_name,
        role=_(ROLE_LABELS[account.role.value]),
        state=_("actif") if account.is_active else _("désactivé"),
    )


def _table(accounts: list[StaffAccount]) -> list[str]:
    from registrar_tui.i18n import format_datetime

    header = (
        _("Utilisateur"),
        _("Nom"),
        _("Rôle"),
        _("Établissement"),
        _("Actif"),
        _("Verrouillé jusqu'à"),
    )
    rows = [
        (
            account.username,
            account.full_name,
            _(ROLE_LABELS[account.role.value]),
            account.establishment_code or "—",
            _("oui") if account.is_active else _("non"),
            "—" if account.locked_until is None else format_datetime(account.locked_until),
        )
        for account in accounts
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def register(app: typer.Typer) -> None:
    """Add the `user` commands to `app`."""
    user_app = typer.Typer(help=_("Comptes du personnel (commis, registraires, administrateurs)."))
    app.add_typer(user_app, name="user")

    @user_app.command("add", help=_("Crée un compte ; le mot de passe est demandé deux fois."))
    def add(
        ctx: typer.Context,
        username: Annotated[str, typer.Argument(help=_("Nom d'utilisateur (a-z, 0-9, . _ -)."))],
        name: Annotated[str, typer.Option("--name", help=_("Nom complet."))],
        role: Annotated[str, typer.Option("--role", metavar=ROLE_CHOICES, help=_("Rôle."))],
        establishment: Annotated[
            str | None,
            typer.Option("--establishment", metavar="CODE", help=_("Code de l'établissement.")),
        ] = None,
        language: Annotated[
            str, typer.Option("--language", metavar="fr_CA|en", help=_("Langue de l'interface."))
        ] = "fr_CA",
        as_admin: Annotated[str | None, _as_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.models.base import Language, Role
        from registrar_tui.services.staff.accounts import NewStaffUser, add_user

        if role not in ROLE_CHOICES.split("|"):
            raise typer.BadParameter(
                _("rôle inconnu « {value} » (choix : {choices}).").format(
                    value=role, choices=ROLE_CHOICES
                ),
                param_hint="--role",
            )
        if language not in {item.value for item in Language}:
            raise typer.BadParameter(
                _("langue inconnue « {value} » (choix : {choices}).").format(
                    value=language, choices="fr_CA, en"
                ),
                param_hint="--language",
            )
        passwords = _Passwords(password_stdin)
        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                actor = _sign_in_admin(database, as_admin, passwords)
                new = NewStaffUser(
                    username=username,
                    full_name=name,
                    role=Role(role),
                    password=passwords.new(username),
                    establishment_code=establishment,
                    language=Language(language),
                )
                with database.write() as uow:
                    account = add_user(uow, actor, new)
            finally:
                database.dispose()
        typer.echo(_("Compte créé : {status}").format(status=_status(account)))

    def _simple(command: str, help_text: str, service_name: str, done: str) -> None:
        @user_app.command(command, help=help_text)
        def run(
            ctx: typer.Context,
            username: Annotated[str, typer.Argument(help=_("Nom d'utilisateur."))],
            as_admin: Annotated[str, _as_option()],
            password_stdin: Annotated[bool, _stdin_option()] = False,
            db: Annotated[str | None, db_option()] = None,
        ) -> None:
            from registrar_tui.services.staff import accounts as staff

            passwords = _Passwords(password_stdin)
            with user_errors():
                database = open_checked(url_from(ctx, db))
                try:
                    actor = _sign_in_admin(database, as_admin, passwords)
                    assert actor is not None
                    service = getattr(staff, service_name)
                    args: tuple[str, ...] = (username,)
                    if service_name == "reset_password":
                        with database.read() as uow:
                            staff.find_account(uow, username)  # before asking a password
                        args = (username, passwords.new(username))
                    with database.write() as uow:
                        account = service(uow, actor, *args)
                finally:
                    database.dispose()
            typer.echo(_(done).format(status=_status(account)))

    _simple(
        "disable",
        _("Désactive un compte (il ne peut plus se connecter)."),
        "disable_user",
        N_("Compte désactivé : {status}"),
    )
    _simple("enable", _("Réactive un compte."), "enable_user", N_("Compte réactivé : {status}"))
    _simple(
        "reset-password",
        _("Donne un nouveau mot de passe à un compte (et le déverrouille)."),
        "reset_password",
        N_("Mot de passe changé : {status}"),
    )
    _simple(
        "unlock",
        _("Déverrouille un compte sans attendre la fin du verrouillage."),
        "unlock_user",
        N_("Compte déverrouillé : {status}"),
    )

    @user_app.command("list", help=_("Liste les comptes du personnel."))
    def list_(
        ctx: typer.Context,
        as_admin: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.accounts import list_users

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                actor = _sign_in_admin(database, as_admin, _Passwords(password_stdin))
                with database.read() as uow:
                    accounts = list_users(uow, actor)
            finally:
                database.dispose()
        if not accounts:
            typer.echo(_("Aucun compte : créez le premier administrateur avec « user add »."))
            return
        for line in _table(accounts):
            typer.echo(line)

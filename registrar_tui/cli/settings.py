"""`registrar-tui setting list | set NAME VALUE --as ADMIN`: the settings every terminal shares.

    institution-name   the name printed on receipts and documents
    medical-roles      roles that read allergies and medical notes (e.g. registrar,admin)
    idle-minutes       minutes without a key before a terminal locks (1–480)
    deposit-account    the bank account printed on deposit slips (blank: a line to fill)

Changing one is an admin's sign-in (password asked, audited like any sign-in) followed by
the service call, which checks the role again and writes the audit event.
"""

from __future__ import annotations

from typing import Annotated

import typer

from registrar_tui.cli.reference import _as_admin, _as_option, _stdin_option
from registrar_tui.cli.support import db_option, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _
from registrar_tui.services.core.errors import InvalidInput

SETTING_NAMES = ("institution-name", "medical-roles", "idle-minutes", "deposit-account")


def register(app: typer.Typer) -> None:
    """Add `setting list` and `setting set` to `app`."""
    setting = typer.Typer(help=_("Réglages communs à tous les postes."), no_args_is_help=True)
    app.add_typer(setting, name="setting")

    @setting.command("list", help=_("Affiche les réglages."))
    def setting_list(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        from registrar_tui.services.records.need_to_know import medical_roles
        from registrar_tui.services.staff.screen_lock import idle_minutes
        from registrar_tui.services.staff.settings import (
            DEPOSIT_ACCOUNT,
            get_setting,
            institution_name,
        )

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    shown = {
                        "institution-name": institution_name(uow),
                        "medical-roles": ",".join(
                            sorted(role.value for role in medical_roles(uow))
                        ),
                        "idle-minutes": str(idle_minutes(uow, environ={})),
                        "deposit-account": get_setting(uow, DEPOSIT_ACCOUNT),
                    }
            finally:
                database.dispose()
        for name in SETTING_NAMES:
            typer.echo(f"{name}\t{shown[name]}")

    @setting.command("set", help=_("Change un réglage (administrateur)."))
    def setting_set(
        ctx: typer.Context,
        name: Annotated[
            str,
            typer.Argument(
                metavar="NAME",
                help=_("institution-name, medical-roles, idle-minutes ou deposit-account."),
            ),
        ],
        value: Annotated[str, typer.Argument(metavar="VALUE", help=_("La nouvelle valeur."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.models.base import Role
        from registrar_tui.services.records.need_to_know import set_medical_roles
        from registrar_tui.services.staff.screen_lock import set_idle_minutes
        from registrar_tui.services.staff.settings import (
            DEPOSIT_ACCOUNT,
            INSTITUTION_NAME,
            set_setting,
        )

        if name not in SETTING_NAMES:
            with user_errors():
                raise InvalidInput(
                    N_("Réglage inconnu « {name} » (choix : {choices})."),
                    name=name,
                    choices=", ".join(SETTING_NAMES),
                )

        def change(uow: object, user_id: int) -> str:
            from registrar_tui.db import UnitOfWork

            assert isinstance(uow, UnitOfWork)
            if name == "medical-roles":
                try:
                    roles = [Role(part.strip()) for part in value.split(",") if part.strip()]
                except ValueError:
                    raise InvalidInput(
                        N_("Rôles possibles : clerk, registrar, admin (séparés par des virgules)."),
                        field="roles",
                    ) from None
                chosen = set_medical_roles(uow, roles, user_id)
                return ",".join(sorted(role.value for role in chosen))
            if name == "idle-minutes":
                if not value.strip().isdigit():
                    raise InvalidInput(N_("Un nombre de minutes entier."), field="minutes")
                return str(set_idle_minutes(uow, int(value), user_id))
            if name == "deposit-account":
                return set_setting(uow, DEPOSIT_ACCOUNT, value, user_id)
            return set_setting(uow, INSTITUTION_NAME, value, user_id)

        stored = _as_admin(ctx, db, as_user, password_stdin, change)
        typer.echo(f"{name}\t{stored}")

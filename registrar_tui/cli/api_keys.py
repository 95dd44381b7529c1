"""`registrar-tui api-key add|list|revoke`: the portal's API clients and their keys.

    registrar-tui api-key add NAME --as ADMIN [--password-stdin]   the key, shown once
    registrar-tui api-key list [--json]
    registrar-tui api-key revoke NAME --as ADMIN [--password-stdin]

`--as` signs the administrator in (password asked, or one line of standard input with
`--password-stdin`; audited, counts towards the lock), as `user` does. The key is printed
once on standard output, alone on its line, with a warning on standard error that it will
never be shown again: only its SHA-256 is kept.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import _

if TYPE_CHECKING:
    from registrar_tui.services.staff.api_clients import ApiClientRow


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="ADMIN",
        help=_("Administrateur qui fait la modification (son mot de passe est demandé)."),
        show_default=False,
    )


def _stdin_option() -> Any:
    return typer.Option(
        "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
    )


def _state(row: ApiClientRow) -> str:
    from registrar_tui.i18n import format_datetime

    if row.revoked_at is None:
        return _("active")
    return _("révoquée le {when} par {who}").format(
        when=format_datetime(row.revoked_at, "short"), who=row.revoked_by or "—"
    )


def register(app: typer.Typer) -> None:
    """Add the `api-key` commands to `app`."""
    keys = typer.Typer(help=_("Clés d'API du portail (clients de l'API)."), no_args_is_help=True)
    app.add_typer(keys, name="api-key")

    @keys.command("add", help=_("Crée un client d'API et affiche sa clé, une seule fois."))
    def add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help=_("Nom du client (a-z, 0-9, . _ -)."))],
        as_admin: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.cli.fees import _password
        from registrar_tui.services.staff.api_clients import add_api_client
        from registrar_tui.services.staff.auth import authenticate

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                password = _password(as_admin, password_stdin)
                with database.write() as uow:
                    actor = authenticate(uow, as_admin, password).id
                with database.write() as uow:
                    created = add_api_client(uow, actor, name)
            finally:
                database.dispose()
        echo_error(
            _(
                "Client d'API « {name} » créé (compte {username}, préfixe {prefix}). Copiez "
                "sa clé maintenant : elle ne sera plus jamais affichée."
            ).format(
                name=created.client.name,
                username=created.client.username,
                prefix=created.client.key_prefix,
            )
        )
        typer.echo(created.key)

    @keys.command("list", help=_("Liste les clients d'API (jamais leur clé)."))
    def list_clients(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help=_("Écrire un tableau JSON."))] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.i18n import format_datetime
        from registrar_tui.services.staff.api_clients import list_api_clients

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    rows = list_api_clients(uow)
            finally:
                database.dispose()
        if as_json:
            typer.echo(
                json.dumps(
                    [
                        {
                            "name": row.name,
                            "key_prefix": row.key_prefix,
                            "username": row.username,
                            "created_at": row.created_at.isoformat(),
                            "created_by": row.created_by,
                            "revoked_at": None
                            if row.revoked_at is None
                            else row.revoked_at.isoformat(),
                            "revoked_by": row.revoked_by,
                        }
                        for row in rows
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        if not rows:
            typer.echo(_("Aucun client d'API."))
            return
        for row in rows:
            typer.echo(
                "\t".join(
                    (
                        row.name,
                        row.key_prefix,
                        row.username,
                        format_datetime(row.created_at, "short"),
                        row.created_by,
                        _state(row),
                    )
                )
            )

    @keys.command("revoke", help=_("Révoque la clé d'un client d'API, pour de bon."))
    def revoke(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help=_("Nom du client."))],
        as_admin: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.cli.fees import _password
        from registrar_tui.services.staff.api_clients import revoke_api_client
        from registrar_tui.services.staff.auth import authenticate

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                password = _password(as_admin, password_stdin)
                with database.write() as uow:
                    actor = authenticate(uow, as_admin, password).id
                with database.write() as uow:
                    row = revoke_api_client(uow, actor, name)
            finally:
                database.dispose()
        typer.echo(_("Clé du client « {name} » révoquée.").format(name=row.name))

"""What every `registrar-tui` command shares: the --db option, opening a checked database,
and turning refusals into a message with exit status 1 (never a traceback).

Command modules (`cli_*.py`) import these and expose `register(app)`, called by
`cli.create_cli()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from registrar_tui.i18n import N_, _
from registrar_tui.services.core.errors import DomainError, SchemaOutOfDate

if TYPE_CHECKING:
    from registrar_tui.db import Database


def echo_error(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn refusals and database failures into a message and exit status 1."""
    try:
        yield
    except DomainError as error:
        echo_error(error.translated())
        raise typer.Exit(1) from None
    except Exception as error:
        from sqlalchemy.exc import DBAPIError

        if not isinstance(error, DBAPIError):
            raise
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        echo_error(_("Erreur de base de données : {detail}").format(detail=detail))
        raise typer.Exit(1) from None


def url_from(ctx: typer.Context, db: str | None, *, check: bool = True) -> str:
    """The database URL: this command's --db, the global --db, $REGISTRAR_DB_URL, default.

    Checked (`db.parse_url`): an address that is not one, a database other than SQLite or
    PostgreSQL, a driver not installed are said in one line, exit status 1. `check=False`
    leaves SQLAlchemy unloaded (the app's start: the app checks in a worker).
    """
    from registrar_tui.dburl import resolve_url

    given = db or (ctx.obj or {}).get("db")
    url = resolve_url(given)
    if check:
        with user_errors():
            from registrar_tui.db import parse_url

            parse_url(url)
    return url


def shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def missing_sqlite_file(url: str) -> bool:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return False
    return not Path(parsed.database).exists()


def open_checked(url: str) -> Database:
    """Open the database, refusing one that is missing or not at the current schema."""
    from registrar_tui.db import Database
    from registrar_tui.migrate import check_schema

    if missing_sqlite_file(url):
        raise SchemaOutOfDate(
            N_("La base de données {path} n'existe pas : lancez « registrar-tui db upgrade »."),
            path=shown_url(url),
        )
    database = Database.open(url)
    try:
        check_schema(database)
    except BaseException:
        database.dispose()
        raise
    return database


def db_option() -> Any:
    return typer.Option(
        "--db",
        metavar="URL",
        help=_("Base de données : chemin d'un fichier SQLite ou URL PostgreSQL."),
        show_default=False,
    )

"""`registrar-tui serve-web`: the app in a web browser, served by textual-serve.

    registrar-tui [--db URL] [--lang fr_CA|en] serve-web [--host 127.0.0.1] [--port 8760]
                                                         [--public-url https://…]

Each browser page that connects starts its own `registrar-tui` process (the same program,
the same --db and --lang) speaking Textual's web protocol; its documents reach the
browser as downloads (screens/widgets/pdf_output.py). Listens on the loopback by default:
TLS and the public address are a reverse proxy's (docs/deploy-web.md). The database URL
goes to each session through the environment, never on a command line others can read.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Annotated

import typer

from registrar_tui.cli.support import db_option, open_checked, url_from, user_errors
from registrar_tui.i18n import DEFAULT_LANGUAGE, _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8760
TITLE = "Registrar TUI"


def session_command(language: str) -> str:
    """The shell command textual-serve runs for each browser session: this program's
    launcher under this interpreter (the database URL comes from $REGISTRAR_DB_URL)."""
    return shlex.join(
        [
            sys.executable,
            "-c",
            "from registrar_tui.launcher import main; main()",
            "--lang",
            language,
        ]
    )


def register(app: typer.Typer) -> None:
    """Add the `serve-web` command to `app`."""

    @app.command("serve-web", help=_("Sert l'application dans un navigateur (textual-serve)."))
    def serve_web(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help=_("Adresse d'écoute."))] = DEFAULT_HOST,
        port: Annotated[int, typer.Option("--port", help=_("Port d'écoute."))] = DEFAULT_PORT,
        public_url: Annotated[
            str | None,
            typer.Option(
                "--public-url",
                help=_(
                    "Adresse publique de la page (derrière un mandataire inverse), "
                    "ex. : https://comptoir.ecole.example"
                ),
            ),
        ] = None,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from textual_serve.server import Server

        from registrar_tui.dburl import ENV_DB_URL

        url = url_from(ctx, db)
        with user_errors():
            open_checked(url).dispose()  # a database missing or out of date: said now
        language = (ctx.obj or {}).get("lang") or DEFAULT_LANGUAGE
        os.environ[ENV_DB_URL] = url  # each session's process inherits it
        server = Server(
            session_command(language),
            host=host,
            port=port,
            title=TITLE,
            public_url=public_url.rstrip("/") if public_url else None,
        )
        server.serve()

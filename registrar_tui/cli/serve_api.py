"""`registrar-tui serve-api`: the portal's HTTP API under uvicorn.

    registrar-tui serve-api [--host 127.0.0.1] [--port 8750] [--workers N] [--db URL]
    registrar-tui serve-api --print-openapi > docs/api/openapi.json

Listens on the loopback by default: TLS and the public address are the reverse proxy's
(docs/api.md). Several workers share the database (replays and rates are checked there).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from typing import Annotated

import typer

from registrar_tui.api.receipts import ENV_FOLLOWER, follow_receipts
from registrar_tui.cli.support import db_option, open_checked, url_from, user_errors
from registrar_tui.i18n import _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8750
FOLLOWER_GRACE = 10.0
"""Seconds the receipts' follower is given to finish its receipt when the server stops."""
ENV_SERVED_URL = "REGISTRAR_API_DB_URL"
"""How the workers learn the database (uvicorn imports the factory in each)."""


def app_factory():  # type: ignore[no-untyped-def]
    """The application for uvicorn's workers, over $REGISTRAR_API_DB_URL."""
    from registrar_tui.api.app import create_api

    return create_api(os.environ.get(ENV_SERVED_URL))


def register(app: typer.Typer) -> None:
    """Add the `serve-api` command to `app`."""

    @app.command("serve-api", help=_("Sert l'API HTTP du portail (uvicorn)."))
    def serve_api(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help=_("Adresse d'écoute."))] = DEFAULT_HOST,
        port: Annotated[int, typer.Option("--port", help=_("Port d'écoute."))] = DEFAULT_PORT,
        workers: Annotated[
            int, typer.Option("--workers", min=1, help=_("Nombre de processus."))
        ] = 1,
        print_openapi: Annotated[
            bool,
            typer.Option("--print-openapi", help=_("Écrire le schéma OpenAPI et quitter.")),
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        if print_openapi:
            from registrar_tui.api.app import create_api

            typer.echo(json.dumps(create_api().openapi(), indent=2, ensure_ascii=False))
            return
        import uvicorn

        url = url_from(ctx, db)
        with user_errors():
            open_checked(url).dispose()  # a database missing or out of date: said now
        os.environ[ENV_SERVED_URL] = url
        # The online payments' receipts are handed over by a process of their own, at a
        # lower CPU priority than the workers' answers (api/receipts.py).
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        follower = context.Process(
            target=follow_receipts,
            args=(url, stop, os.getpid()),
            name="registrar-receipts",
            daemon=True,
        )
        follower.start()
        os.environ[ENV_FOLLOWER] = "1"
        try:
            uvicorn.run(
                "registrar_tui.cli.serve_api:app_factory",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                proxy_headers=True,
                log_level="info",
            )
        finally:
            stop.set()
            follower.join(FOLLOWER_GRACE)
            if follower.is_alive():
                follower.terminate()  # its receipt stays pending: nothing lost

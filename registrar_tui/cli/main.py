"""The `registrar-tui` command: the app, and the same services for scripts and set-up.

    registrar-tui [--db URL] [--lang fr_CA|en]       run the app (started by launcher.py)
    registrar-tui --version | doctor                 the version; what to fix on this machine
    registrar-tui db upgrade | db current            schema migrations
    registrar-tui demo [--families N] [--seed S]     demo data
    registrar-tui reindex                            rebuild the search index
    registrar-tui search QUERY                       print matching families/students/invoices
    registrar-tui verify                             check the receipt, ledger and audit hash chains
    registrar-tui user add|disable|enable|reset-password|unlock|list   staff accounts
    registrar-tui backup [PATH] | restore PATH       SQLite backups
    registrar-tui fees late-confirmation --term CODE  the late-confirmation fee job
    registrar-tui reminders [--send --as USER]     overdue reminders (dry run by default)
    registrar-tui outbox send | list                 confirmation e-mails (SMTP)
    registrar-tui receipts resume                    finish receipt handovers a crash left
    registrar-tui groups list|add|edit|close|reopen|teachers|teacher-add   course groups
    registrar-tui term list|create|rollover|set      terms, next term's groups, dates
    registrar-tui api-key add|list|revoke            the portal's API clients and keys
    registrar-tui serve-api [--port 8750]            the portal's HTTP API (uvicorn)
    registrar-tui serve-web [--port 8760]            the app in a web browser (textual-serve)
    registrar-tui accounts list|set                  the chart of accounts of the journal
    registrar-tui export journal|receivables         files for the accountant
    registrar-tui import KIND FILE [--apply --as A]  families, students, … from the old software
    registrar-tui export families|students|balances FILE   the same format, written back

Help texts are translated, so the CLI is built by `create_cli()` after the language is
known. Heavy imports (SQLAlchemy, Alembic, Textual, Faker) happen inside the commands:
`--help` and start-up stay fast. A refused operation (DomainError) prints its translated
message and exits with status 1, never a traceback.

Adding commands: a module `cli_<topic>.py` with `register(app)`, listed in
`COMMAND_MODULES`; shared helpers are in `cli/support.py`.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import typer

from registrar_tui.cli.support import (
    db_option,
    echo_error,
    missing_sqlite_file,
    open_checked,
    shown_url,
    url_from,
    user_errors,
)
from registrar_tui.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, ngettext, set_language
from registrar_tui.services.core.errors import DomainError, SchemaOutOfDate

if TYPE_CHECKING:
    pass

ENV_LANGUAGE = "REGISTRAR_LANG"
SEARCH_LIMIT = 20
COMMAND_MODULES = (
    "registrar_tui.cli.users",
    "registrar_tui.cli.accounts",
    "registrar_tui.cli.exports",
    "registrar_tui.cli.backup",
    "registrar_tui.cli.fees",
    "registrar_tui.cli.reminders",
    "registrar_tui.cli.groups",
    "registrar_tui.cli.outbox",
    "registrar_tui.cli.receipts",
    "registrar_tui.cli.reconcile",
    "registrar_tui.cli.reference",
    "registrar_tui.cli.settings",
    "registrar_tui.cli.api_keys",
    "registrar_tui.cli.serve_api",
    "registrar_tui.cli.serve_web",
    "registrar_tui.cli.imports",
    "registrar_tui.cli.doctor",
    "registrar_tui.cli.slips",
    "registrar_tui.cli.deposits",
)
"""Modules adding their commands with `register(app)` (see cli/support.py)."""


# ---------------------------------------------------------------- helpers


def _language_from_argv(argv: list[str]) -> str:
    """The --lang given on the command line (or $REGISTRAR_LANG), before Typer parses it."""
    language = os.environ.get(ENV_LANGUAGE, DEFAULT_LANGUAGE)
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            language = argv[index + 1]
        elif arg.startswith("--lang="):
            language = arg.split("=", 1)[1]
    return language


# ---------------------------------------------------------------- commands


def _add_db_commands(app: typer.Typer) -> None:
    db_app = typer.Typer(help=_("Schéma de la base de données (migrations)."))
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade", help=_("Crée ou met à jour le schéma de la base de données."))
    def db_upgrade(
        ctx: typer.Context,
        db: Annotated[str | None, db_option()] = None,
        revision: Annotated[
            str, typer.Option("--revision", help=_("Révision visée (par défaut : la dernière)."))
        ] = "head",
    ) -> None:
        from datetime import UTC, datetime

        from registrar_tui.db import Database
        from registrar_tui.migrate import current_revision, upgrade
        from registrar_tui.services.staff.backup import backup_before_upgrade

        url = url_from(ctx, db)
        with user_errors():
            # An existing SQLite database is copied before its schema changes.
            saved = backup_before_upgrade(url, datetime.now(tz=UTC))
            if saved is not None:
                typer.echo(
                    _("Copie de la base avant la mise à jour : {path}").format(path=saved.path)
                )
            upgrade(url, revision)
            database = Database.open(url)
            try:
                current = current_revision(database)
            finally:
                database.dispose()
        typer.echo(
            _("Base de données {database} à jour (révision {revision}).").format(
                database=shown_url(url), revision=current
            )
        )

    @db_app.command("current", help=_("Affiche la révision du schéma de la base de données."))
    def db_current(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        from registrar_tui.db import Database
        from registrar_tui.migrate import current_revision, head_revision

        url = url_from(ctx, db)
        if missing_sqlite_file(url):
            typer.echo(_("Aucune base de données à {path}.").format(path=shown_url(url)))
            return
        with user_errors():
            database = Database.open(url)
            try:
                current = current_revision(database)
            finally:
                database.dispose()
        head = head_revision()
        if current is None:
            typer.echo(_("Schéma absent : lancez « registrar-tui db upgrade »."))
        elif current == head:
            typer.echo(_("{revision} (à jour)").format(revision=current))
        else:
            typer.echo(
                _(
                    "{revision} (la version actuelle est {head} : "
                    "lancez « registrar-tui db upgrade »)"
                ).format(revision=current, head=head)
            )


def _add_data_commands(app: typer.Typer) -> None:
    @app.command("demo", help=_("Remplit une base vide avec des données de démonstration."))
    def demo(
        ctx: typer.Context,
        families: Annotated[
            int, typer.Option("--families", min=1, help=_("Nombre de familles."))
        ] = 300,
        seed: Annotated[
            int, typer.Option("--seed", help=_("Graine : même graine, mêmes données."))
        ] = 2026,
        db: Annotated[str | None, db_option()] = None,
        if_empty: Annotated[
            bool,
            typer.Option(
                "--if-empty",
                help=_("Ne rien faire (sans erreur) si la base contient déjà des données."),
            ),
        ] = False,
    ) -> None:
        from babel.numbers import format_decimal

        from registrar_tui.i18n import babel_locale
        from registrar_tui.migrate import upgrade

        url = url_from(ctx, db)
        with user_errors():
            upgrade(url)  # a demo database is created from scratch: bring the schema first
            from registrar_tui.demo import DEMO_ACCOUNTS, database_is_empty, generate_demo

            database = open_checked(url)
            try:
                if not database_is_empty(database):
                    if if_empty:
                        typer.echo(_("La base contient déjà des données : démo non générée."))
                        return
                    raise DomainError(
                        N_(
                            "La base de données {database} contient déjà des données : "
                            "la démo ne se génère que dans une base vide."
                        ),
                        database=shown_url(url),
                    )
                summary = generate_demo(database, families=families, seed=seed)
            finally:
                database.dispose()
        seconds = format_decimal(round(summary.seconds, 1), format="0.0", locale=babel_locale())
        typer.echo(
            _(
                "Démo générée en {seconds} s : {families}, {students}, {invoices}, {payments}."
            ).format(
                seconds=seconds,
                families=ngettext("{count} famille", "{count} familles", summary.families).format(
                    count=summary.families
                ),
                students=ngettext("{count} élève", "{count} élèves", summary.students).format(
                    count=summary.students
                ),
                invoices=ngettext("{count} facture", "{count} factures", summary.invoices).format(
                    count=summary.invoices
                ),
                payments=ngettext("{count} paiement", "{count} paiements", summary.payments).format(
                    count=summary.payments
                ),
            )
        )
        typer.echo(_("Comptes de démonstration (utilisateur / mot de passe / rôle) :"))
        for username, password, role in DEMO_ACCOUNTS:
            typer.echo(f"  {username} / {password} / {role}")

    @app.command("reindex", help=_("Reconstruit l'index de recherche."))
    def reindex(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        from registrar_tui.services.search.index import rebuild_index

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.write() as uow:
                    count = rebuild_index(uow)
            finally:
                database.dispose()
        typer.echo(
            ngettext(
                "Index de recherche reconstruit : {count} entrée.",
                "Index de recherche reconstruit : {count} entrées.",
                count,
            ).format(count=count)
        )

    @app.command(
        "search",
        help=_(
            "Cherche familles, élèves et factures ; une ligne par résultat : "
            "type, identifiant, famille, titre, détail (séparés par des tabulations)."
        ),
    )
    def search(
        ctx: typer.Context,
        query: Annotated[str, typer.Argument(help=_("Nom, numéro d'élève, code permanent…"))],
        db: Annotated[str | None, db_option()] = None,
        limit: Annotated[
            int, typer.Option("--limit", min=1, help=_("Nombre maximal de résultats."))
        ] = SEARCH_LIMIT,
    ) -> None:
        from registrar_tui.services.search import query as search_service

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    page = search_service.search(uow, query, limit=limit)
            finally:
                database.dispose()
        for hit in page.rows:
            fields = (hit.kind.value, hit.ref_id, hit.family_id, hit.title, hit.subtitle)
            typer.echo("\t".join(str(field) for field in fields))
        if not page.rows:
            echo_error(_("Aucun résultat pour « {query} ».").format(query=query))
        elif page.has_more:
            echo_error(_("D'autres résultats existent : augmentez --limit."))


def _add_ledger_commands(app: typer.Typer) -> None:
    @app.command(
        "verify",
        help=_(
            "Vérifie les chaînes de hachage des reçus, du grand livre (factures, lignes, "
            "imputations, annulations, remboursements, notes de crédit) et du journal "
            "d'audit ; code de sortie 1 si un maillon est rompu."
        ),
    )
    def verify(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        from registrar_tui.services.audit.verify import verify_chains

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    report = verify_chains(uow)
            finally:
                database.dispose()
        counts = {
            "receipts": ngettext("{count} reçu", "{count} reçus", report.receipts_checked).format(
                count=report.receipts_checked
            ),
            "records": ngettext(
                "{count} enregistrement comptable",
                "{count} enregistrements comptables",
                report.ledger_records_checked,
            ).format(count=report.ledger_records_checked),
            "events": ngettext(
                "{count} événement d'audit",
                "{count} événements d'audit",
                report.audit_events_checked,
            ).format(count=report.audit_events_checked),
        }
        if report.ok:
            typer.echo(
                _("Chaînes intactes : {receipts}, {records} et {events} vérifiés.").format(**counts)
            )
            return
        # The break comes first, and nothing says « vérifiés » over a broken chain.
        echo_error(
            ngettext(
                "ÉCHEC : {count} maillon rompu.",
                "ÉCHEC : {count} maillons rompus.",
                len(report.breaks),
            ).format(count=len(report.breaks))
        )
        for link in report.breaks:
            echo_error(_("Maillon rompu : {link}").format(link=link.describe()))
        echo_error(_("Parcourus : {receipts}, {records} et {events}.").format(**counts))
        raise typer.Exit(1)


# ---------------------------------------------------------------- the application


def create_cli() -> typer.Typer:
    """Build the command line in the current language."""
    from registrar_tui.cli.library_words import install

    install()  # Typer's own words (Usage, Error, --help) through our catalog
    app = typer.Typer(
        help=_("Comptoir et registrariat : familles, élèves, paiements et reçus."),
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        no_args_is_help=False,
    )

    @app.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[
            str,
            typer.Option(
                "--lang",
                metavar="fr_CA|en",
                envvar=ENV_LANGUAGE,
                help=_("Langue de l'interface : fr_CA ou en."),
            ),
        ] = DEFAULT_LANGUAGE,
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                is_eager=True,
                help=_("Affiche la version de registrar-tui et s'arrête."),
            ),
        ] = False,
    ) -> None:
        if version:
            from registrar_tui import __version__

            typer.echo(f"registrar-tui {__version__}")
            raise typer.Exit()
        if lang not in LANGUAGES:
            raise typer.BadParameter(
                _("langue inconnue « {value} » (choix : {choices}).").format(
                    value=lang, choices=", ".join(LANGUAGES)
                ),
                param_hint="--lang",
            )
        set_language(lang)
        ctx.obj = {"db": db, "lang": lang}
        if ctx.invoked_subcommand is not None:
            return
        url = url_from(ctx, db, check=False)
        # Only cheap checks here (standard library): SQLAlchemy must not load before the
        # login screen paints. On PostgreSQL the app checks the schema in a worker.
        from registrar_tui.dburl import sqlite_path

        path = sqlite_path(url)
        with user_errors():
            from registrar_tui.services.documents.output import receipt_format

            receipt_format()  # a typo in REGISTRAR_RECEIPT_FORMAT stops here, not at a payment
        if path is not None:
            with user_errors():
                if not path.exists():
                    raise SchemaOutOfDate(
                        N_(
                            "La base de données {path} n'existe pas : "
                            "lancez « registrar-tui db upgrade »."
                        ),
                        path=str(path),
                    )
                from registrar_tui.migrate import check_revision, sqlite_file_revision

                check_revision(sqlite_file_revision(path))
        from registrar_tui.app import run_app

        run_app(url, lang)

    _add_db_commands(app)
    _add_data_commands(app)
    _add_ledger_commands(app)
    for module in COMMAND_MODULES:
        import_module(module).register(app)
    return app


def main() -> None:
    """Console script entry point (`registrar-tui`)."""
    set_language(_language_from_argv(sys.argv[1:]))
    create_cli()(prog_name="registrar-tui")

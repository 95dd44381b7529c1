"""`registrar-tui doctor`: what this machine needs for the program to work, checked.

One line per check, ✓ (fine), ! (works, but something is missing) or ✗ (broken), and for
each ! or ✗ what to do. Exit status 1 when one is broken:

- the database: reachable, at the schema's head revision, its hash chains intact;
- the documents folder (receipts, invoices, day closes): there and writable;
- the printer command, when set: found on this machine;
- the receipt page (`REGISTRAR_RECEIPT_FORMAT`): letter or roll;
- e-mail (SMTP): configured, and the server answers.
"""

from __future__ import annotations

import enum
import shlex
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import typer

from registrar_tui.cli.support import db_option, missing_sqlite_file, shown_url, url_from
from registrar_tui.i18n import _

SMTP_TIMEOUT_SECONDS = 5.0


class Verdict(enum.Enum):
    OK = "✓"
    WARNING = "!"
    BROKEN = "✗"


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    what: str
    fix: str = ""


def check_database(url: str) -> Finding:
    from registrar_tui.db import Database
    from registrar_tui.migrate import check_schema
    from registrar_tui.services.audit.verify import verify_chains
    from registrar_tui.services.core.errors import DomainError

    where = shown_url(url)
    if missing_sqlite_file(url):  # opening it would create an empty file
        return Finding(
            Verdict.BROKEN,
            _("Base de données {where} : le fichier n'existe pas").format(where=where),
            _(
                "Créez-la avec « registrar-tui db upgrade », ou donnez la bonne avec --db ou "
                "REGISTRAR_DB_URL."
            ),
        )
    try:
        database = Database.open(url)
    except DomainError as error:
        return Finding(
            Verdict.BROKEN, _("Base de données {where}").format(where=where), error.translated()
        )
    try:
        check_schema(database)
        with database.read() as uow:
            report = verify_chains(uow)
    except DomainError as error:  # SchemaOutOfDate says which command to run
        return Finding(
            Verdict.BROKEN, _("Base de données {where}").format(where=where), error.translated()
        )
    finally:
        database.dispose()
    if not report.ok:
        return Finding(
            Verdict.BROKEN,
            _("Base de données {where} : chaînes de hachage rompues").format(where=where),
            _("Lancez « registrar-tui verify » pour voir les maillons rompus."),
        )
    return Finding(
        Verdict.OK, _("Base de données {where} : à jour, chaînes intactes").format(where=where)
    )


def check_documents() -> Finding:
    from registrar_tui.services.documents.output import ENV_DOCUMENTS_DIR, documents_dir

    folder = documents_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        return Finding(
            Verdict.BROKEN,
            _("Dossier des documents {folder} : pas d'écriture possible ({error})").format(
                folder=folder, error=error.strerror or error
            ),
            _(
                "Donnez les droits d'écriture sur ce dossier, ou choisissez-en un autre avec "
                "{variable}."
            ).format(variable=ENV_DOCUMENTS_DIR),
        )
    return Finding(
        Verdict.OK,
        _("Dossier des documents {folder} : accessible en écriture").format(folder=folder),
    )


def check_printer() -> Finding:
    from registrar_tui.services.documents.output import ENV_PRINTER_COMMAND, printer_command

    command = printer_command()
    if command is None:
        return Finding(
            Verdict.WARNING,
            _("Imprimante : aucune commande, les documents sont enregistrés sans être imprimés"),
            _(
                "Pour imprimer au comptoir, définissez {variable} (par exemple « lp -d comptoir »)."
            ).format(variable=ENV_PRINTER_COMMAND),
        )
    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        program = ""
    if not program or shutil.which(program) is None:
        return Finding(
            Verdict.BROKEN,
            _("Imprimante : la commande « {command} » est introuvable").format(command=command),
            _(
                "Installez-la (par exemple le paquet cups-client pour lp) ou corrigez {variable}."
            ).format(variable=ENV_PRINTER_COMMAND),
        )
    return Finding(Verdict.OK, _("Imprimante : « {command} »").format(command=command))


def check_receipt_format() -> Finding:
    from registrar_tui.services.documents.output import (
        ENV_RECEIPT_FORMAT,
        ReceiptFormat,
        UnknownReceiptFormat,
        receipt_format,
    )

    try:
        chosen = receipt_format()
    except UnknownReceiptFormat as error:
        return Finding(
            Verdict.BROKEN,
            _("Reçus : format inconnu"),
            error.translated()
            + " "
            + _("Corrigez {variable} ou retirez-la (page Lettre).").format(
                variable=ENV_RECEIPT_FORMAT
            ),
        )
    if chosen is ReceiptFormat.ROLL:
        return Finding(
            Verdict.OK,
            _("Reçus : rouleau de 80 mm à ce poste (courriel : page Lettre)"),
        )
    return Finding(Verdict.OK, _("Reçus : page Lettre"))


def check_smtp() -> Finding:
    import smtplib

    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.outbox.send import SmtpNotConfigured, smtp_settings

    try:
        settings = smtp_settings()
    except SmtpNotConfigured as error:
        return Finding(
            Verdict.WARNING,
            _("Courriel : non configuré, les courriels attendent dans la file d'envoi"),
            error.translated(),
        )
    except DomainError as error:
        return Finding(Verdict.BROKEN, _("Courriel : réglage invalide"), error.translated())
    server = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        return Finding(
            Verdict.BROKEN,
            _("Courriel : le serveur {server} ne répond pas ({error})").format(
                server=server, error=error
            ),
            _(
                "Vérifiez REGISTRAR_SMTP_HOST et REGISTRAR_SMTP_PORT, et que ce poste peut "
                "joindre le serveur."
            ),
        )
    return Finding(Verdict.OK, _("Courriel : le serveur {server} répond").format(server=server))


def register(app: typer.Typer) -> None:
    """Add `doctor` to `app`."""

    @app.command(
        "doctor",
        help=_(
            "Vérifie ce poste : la base de données (joignable, à jour, chaînes intactes), le "
            "dossier des documents, la commande d'impression, le format des reçus et l'envoi "
            "des courriels ; dit quoi corriger. Code de sortie 1 si un point est en panne."
        ),
    )
    def doctor(ctx: typer.Context, db: Annotated[str | None, db_option()] = None) -> None:
        url = url_from(ctx, db)
        checks: list[Callable[[], Finding]] = [
            lambda: check_database(url),
            check_documents,
            check_printer,
            check_receipt_format,
            check_smtp,
        ]
        broken = False
        for check in checks:
            finding = check()
            typer.echo(f"{finding.verdict.value} {finding.what}")
            if finding.fix:
                typer.echo(f"  → {finding.fix}")
            broken = broken or finding.verdict is Verdict.BROKEN
        if broken:
            raise typer.Exit(1)

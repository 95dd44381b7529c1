"""A wrong database says so (issue #13, point 12): an address that is not one, a database
other than SQLite or PostgreSQL, a driver not installed, a server out of reach: one line
saying what is wrong and what to do, exit status 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli

DEAD_SERVER = "postgresql://registrar@127.0.0.1:1/registrar"
"""Nothing listens on port 1: the connection is refused at once."""

BAD_URLS = {
    "nonsense://x": "Base de données « nonsense » non prise en charge",
    "mysql://u:secret@db.example/registrar": "Base de données « mysql » non prise en charge",
    "postgresql+pg8000://u@db.example/registrar": "Le pilote « postgresql+pg8000 » n'est pas",
    "postgresql://u@db.example:port/registrar": "n'est pas une adresse de base de données",
    DEAD_SERVER: "Base de données injoignable (127.0.0.1, port 1)\u00a0: connexion refusée",
}
COMMANDS = [
    ("verify",),
    ("db", "upgrade"),
    ("db", "current"),
    ("demo", "--families", "1"),
    ("search", "tremblay"),
    ("reindex",),
    ("outbox", "list"),
    ("user", "list", "--as", "admin", "--password-stdin"),
]


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args), input="x\n")


@pytest.mark.parametrize("url", list(BAD_URLS))
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_wrong_database_is_said_in_one_line(url: str, command: tuple[str, ...]) -> None:
    result = run("--db", url, *command)

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert BAD_URLS[url] in result.output
    assert "Traceback" not in result.output
    assert "secret" not in result.output  # a password in the address is never printed


def console(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a person types it."""
    script = os.path.join(os.path.dirname(sys.executable), "registrar-tui")
    environment = {**os.environ, "REGISTRAR_LANG": "fr_CA"}
    return subprocess.run(
        [script, *args], capture_output=True, text=True, timeout=120, env=environment
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nonsense://x", BAD_URLS["nonsense://x"]),
        ("mysql://u@db.example/registrar", "Base de données « mysql » non prise en charge"),
        (DEAD_SERVER, BAD_URLS[DEAD_SERVER]),
    ],
)
def test_the_console_script_prints_no_traceback(url: str, expected: str) -> None:
    result = console("--db", url, "verify")

    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "PostgreSQL" in result.stderr  # says what would work, or what to check


def test_the_cause_says_what_to_do_about_it() -> None:
    """Each cause a person can fix names the part of the address to look at."""
    from sqlalchemy.engine import make_url

    from registrar_tui.db import explain_failure

    url = make_url("postgresql+psycopg://clerk@db.example:6543/registrar")
    causes = {
        'connection to server at "db.example", port 6543 failed: Connection refused': (
            "connexion refusée",
            "le serveur PostgreSQL est démarré",
        ),
        "failed to resolve host 'db.example': [Errno -2] Name or service not known": (
            "hôte inconnu",
            "nom du serveur",
        ),
        'FATAL:  password authentication failed for user "clerk"': (
            "l'utilisateur « clerk » ou son mot de passe est refusé",
            "Vérifiez-les",
        ),
        'FATAL:  database "registrar" does not exist': (
            "la base « registrar » n'existe pas",
            "registrar-tui db upgrade",
        ),
        "connection timeout expired": ("le serveur ne répond pas", "pare-feu"),
    }
    for detail, expected in causes.items():
        message = explain_failure(url, RuntimeError(detail)).translated()
        assert message.startswith("Base de données injoignable (db.example, port 6543)")
        for part in expected:
            assert part in message, message

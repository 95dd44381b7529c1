"""Typer's own words (usage, --help, errors) read in the user's language, never cut."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.library_words import summary, translate_error
from registrar_tui.cli.main import create_cli
from registrar_tui.i18n import set_language

GROUPS = ("", "db", "user", "fees", "outbox", "term", "establishment", "setting")


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("fr_CA")


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args))


def test_help_reads_in_french() -> None:
    result = run("--help")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Utilisation : root [OPTIONS] COMMANDE [ARGUMENTS]…")
    assert "Affiche cette aide et quitte." in result.output
    assert "Commandes :" in result.output
    assert "[variable d'environnement : REGISTRAR_LANG ; par défaut : fr_CA]" in " ".join(
        result.output.split()
    )
    for english in ("Usage:", "Show this message", "env var", "default:", "Commands:"):
        assert english not in result.output


@pytest.mark.parametrize("group", GROUPS)
def test_no_summary_is_cut(group: str) -> None:
    """Each command of a group's list is named by its whole first clause, never "…"."""
    result = run(*([group] if group else []), "--help")

    assert result.exit_code == 0, result.output
    assert "..." not in result.output.replace("[ARGUMENTS]…", "")
    assert "Show this message" not in result.output


def test_a_summary_is_the_first_clause_whole() -> None:
    assert summary("Comptes du personnel (commis, registraires, administrateurs).") == (
        "Comptes du personnel"
    )
    assert summary("Crée un compte ; le mot de passe est demandé deux fois.") == "Crée un compte"
    assert summary("Frais de session : confirmation tardive.") == (
        "Frais de session : confirmation tardive"
    )


def test_errors_read_in_french() -> None:
    unknown = run("users")
    assert unknown.exit_code == 2
    assert "Aide : root --help" in unknown.output
    assert "Erreur : Commande inconnue : « users ». Vouliez-vous dire « user » ?" in (
        unknown.output
    )

    bad_number = run("demo", "--families", "x")
    assert "Erreur : Valeur invalide pour « --families » : un nombre entier est attendu." in (
        bad_number.output
    )
    too_few = run("demo", "--families", "0")
    assert "la valeur doit être au moins 1" in too_few.output

    missing = run("user", "add")
    assert "Erreur : Argument manquant : « username »." in missing.output
    assert "Error" not in missing.output and "Try" not in missing.output


def test_an_unknown_message_is_left_as_it_was() -> None:
    assert translate_error("Something new in Typer 1.0") == "Something new in Typer 1.0"


@pytest.mark.usefixtures("english")
def test_help_and_errors_read_in_english() -> None:
    result = run("--help")
    assert result.output.startswith("Usage: root [OPTIONS] COMMAND [ARGS]...")
    assert "Show this help and exit." in result.output
    assert "Commands:" in result.output

    unknown = run("nosuch")
    assert "Help: root --help" in unknown.output
    assert "Error: No such command: 'nosuch'." in unknown.output

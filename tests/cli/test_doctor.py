"""`registrar-tui doctor` and `--version`, as an installer runs them on a new machine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from registrar_tui import __version__
from registrar_tui.cli.main import create_cli
from tests.services.outbox.outbox_data import SENDER, SmtpServer, free_port


@pytest.fixture(autouse=True)
def _machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A documents folder of the test's, no printer, no SMTP: a bare new machine."""
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path / "documents"))
    for name in (
        "REGISTRAR_PRINTER_COMMAND",
        "REGISTRAR_RECEIPT_FORMAT",
        "REGISTRAR_SMTP_HOST",
        "REGISTRAR_SMTP_FROM",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args))


def _smtp(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "STARTTLS": "false",
        "FROM": SENDER,
    }.items():
        monkeypatch.setenv(f"REGISTRAR_SMTP_{name}", value)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"registrar-tui {__version__}"


def test_a_working_machine_without_printer_nor_mail_is_told_what_is_missing(
    db_path: Path,
) -> None:
    result = run("doctor", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("✓ Base de données") and "chaînes intactes" in lines[0]
    assert any(line.startswith("✓ Dossier des documents") for line in lines)
    assert any(line.startswith("! Imprimante") for line in lines)
    assert any(line.startswith("! Courriel") for line in lines)
    assert "REGISTRAR_PRINTER_COMMAND" in result.output
    assert "REGISTRAR_SMTP_HOST" in result.output


def test_a_missing_database_is_not_created_and_the_command_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run("doctor", "--db", str(missing))
    assert result.exit_code == 1
    assert result.output.startswith("✗ Base de données")
    assert "registrar-tui db upgrade" in result.output
    assert not missing.exists()


def test_a_missing_printer_and_an_unwritable_folder_are_broken(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(blocker / "documents"))
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", "no-such-printer-program -d counter")
    result = run("doctor", "--db", str(db_path))
    assert result.exit_code == 1
    assert "✗ Dossier des documents" in result.output
    assert "✗ Imprimante : la commande « no-such-printer-program -d counter »" in result.output


def test_the_mail_server_is_tried(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    _smtp(monkeypatch, port)
    silent = run("doctor", "--db", str(db_path))
    assert silent.exit_code == 1
    assert f"✗ Courriel : le serveur 127.0.0.1:{port} ne répond pas" in silent.output
    server = SmtpServer(port)
    try:
        answering = run("doctor", "--db", str(db_path))
    finally:
        server.stop()
    assert answering.exit_code == 0, answering.output
    assert f"✓ Courriel : le serveur 127.0.0.1:{port} répond" in answering.output


def test_the_receipt_page_is_named_and_an_unknown_one_is_broken(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "✓ Reçus : page Lettre" in run("doctor", "--db", str(db_path)).output
    monkeypatch.setenv("REGISTRAR_RECEIPT_FORMAT", "roll")
    result = run("doctor", "--db", str(db_path))
    assert "✓ Reçus : rouleau de 80 mm" in result.output
    monkeypatch.setenv("REGISTRAR_RECEIPT_FORMAT", "rouleau")
    result = run("doctor", "--db", str(db_path))
    assert result.exit_code == 1
    assert "✗ Reçus : format inconnu" in result.output
    assert "« rouleau »" in result.output and "REGISTRAR_RECEIPT_FORMAT" in result.output
    # The other checks still run and say their own verdict.
    assert "✓ Dossier des documents" in result.output


def test_the_program_does_not_start_with_an_unknown_receipt_page(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from registrar_tui.launcher import _run

    monkeypatch.setenv("REGISTRAR_RECEIPT_FORMAT", "thermal")
    result = run("--db", str(db_path))
    assert result.exit_code != 0
    assert "REGISTRAR_RECEIPT_FORMAT" in result.output and "« thermal »" in result.output
    # The console script's fast path (no Typer) refuses it too, before the app loads.
    assert _run(str(db_path), "fr_CA") == 1
    assert "« thermal »" in capsys.readouterr().err

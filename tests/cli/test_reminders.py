"""`registrar-tui reminders`: a dry run by default, --send with a registrar, the levels."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import OutboxMessage, Reminder, StaffUser
from tests import builders
from tests.passwords import hash_password
from tests.services.ledger_data import add_invoice, build_school

PASSWORD = "Relances-cli-2026"


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One family 40 days late (the CLI runs on the real clock)."""
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path / "documents"))
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path))
    school = build_school(db)
    with db.write() as uow:
        family = builders.family(
            uow,
            school.montreal_id,
            number="F0000777",
            name="Famille Lavoie",
            payer="Hélène",
            payer_email="lavoie@example.org",
        )
        for user_id in (school.registrar_id, school.admin_id):
            user = uow.session.get_one(StaffUser, user_id)
            user.password_hash = hash_password(PASSWORD)
            uow.session.add(user)
    today = datetime.now(UTC).date()
    add_invoice(
        db,
        school,
        family,
        due_on=today - timedelta(days=40),
        issued_on=today - timedelta(days=80),
    )
    db.dispose()
    return path


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=stdin)


def counts(path: Path) -> tuple[int, int]:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            return (
                len(uow.session.exec(select(Reminder.id)).all()),
                len(uow.session.exec(select(OutboxMessage.id)).all()),
            )
    finally:
        db.dispose()


def test_dry_run_by_default_then_send_once(db_path: Path, tmp_path: Path) -> None:
    result = run("reminders", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "F0000777" in result.output and "Famille Lavoie" in result.output
    assert "Niveau 1 : 1 famille · 1 facture · 275,00" in result.output
    assert counts(db_path) == (0, 0)

    sent = run(
        "reminders",
        "--send",
        "--as",
        "registrar",
        "--password-stdin",
        "--db",
        str(db_path),
        stdin=PASSWORD + "\n",
    )
    assert sent.exit_code == 0, sent.output
    assert "1 lettre · 1 courriel en file" in sent.output
    assert counts(db_path) == (1, 1)
    assert len(list((tmp_path / "documents" / "reminders").glob("F0000777-relance1-*.pdf"))) == 1

    again = run(
        "reminders",
        "--send",
        "--as",
        "registrar",
        "--password-stdin",
        "--db",
        str(db_path),
        stdin=PASSWORD + "\n",
    )
    assert again.exit_code == 0 and counts(db_path) == (1, 1)


def test_send_needs_someone(db_path: Path) -> None:
    result = run("reminders", "--send", "--db", str(db_path))
    assert result.exit_code == 1 and "--as" in result.output


def test_levels_and_set_level(db_path: Path, tmp_path: Path) -> None:
    text = tmp_path / "fr.txt"
    text.write_text("Petit rappel amical.\n", encoding="utf-8")
    changed = run(
        "reminders",
        "set-level",
        "1",
        "--days",
        "20",
        "--text-fr",
        str(text),
        "--as",
        "admin",
        "--password-stdin",
        "--db",
        str(db_path),
        stdin=PASSWORD + "\n",
    )
    assert changed.exit_code == 0, changed.output
    listed = run("reminders", "levels", "--db", str(db_path))
    assert "Niveau 1 : 20 jours de retard" in listed.output
    assert "Petit rappel amical." in listed.output
    refused = run(
        "reminders",
        "set-level",
        "2",
        "--days",
        "5",
        "--as",
        "registrar",
        "--password-stdin",
        "--db",
        str(db_path),
        stdin=PASSWORD + "\n",
    )
    assert refused.exit_code == 1

"""`registrar-tui fees late-confirmation`: preview without --as, bills once with it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import Enrolment, Invoice, InvoiceLine, OutboxMessage, StaffUser, Term
from tests.passwords import hash_password
from tests.services.reenrolment_data import add_student_family, build_world, enrol

PASSWORD = "Registrariat-cli-2026"


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    """The world of the fee tests, its deadline two days ago (the CLI runs on the real clock);
    one student never confirmed attendance."""
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path))
    world = build_world(db)
    _family, late = add_student_family(db, world.school, "Retard", email="retard@example.org")
    enrol(db, late, world.courses["AUT-PIA"])
    deadline = datetime.now(UTC).date() - timedelta(days=2)  # safely past, any zone
    with db.write() as uow:
        term = uow.session.get_one(Term, world.autumn_id)
        term.confirmation_deadline = deadline
        uow.session.add(term)
        on_time = datetime(deadline.year, deadline.month, deadline.day, tzinfo=UTC)
        for enrolment in uow.session.exec(
            select(Enrolment).where(col(Enrolment.student_id) == world.student_id)
        ):
            enrolment.attendance_confirmed_at = on_time - timedelta(days=3)
            uow.session.add(enrolment)
        registrar = uow.session.get_one(StaffUser, world.school.registrar_id)
        registrar.password_hash = hash_password(PASSWORD)
        uow.session.add(registrar)
    db.dispose()
    return path


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=stdin)


def late_fees(path: Path) -> int:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            return len(
                uow.session.exec(
                    select(InvoiceLine.id)
                    .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
                    .where(col(InvoiceLine.fee_code) == "CONF-TARD")
                ).all()
            )
    finally:
        db.dispose()


def late_messages(path: Path) -> int:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            return len(
                uow.session.exec(
                    select(OutboxMessage.id).where(col(OutboxMessage.kind) == "late-confirmation")
                ).all()
            )
    finally:
        db.dispose()


def test_without_as_it_only_says_what_it_would_bill(db_path: Path) -> None:
    result = run("fees", "late-confirmation", "--term", "AUT-2026", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "  Élodie Retard (" in result.output and ") — Famille Retard" in result.output
    assert "1 élève à facturer · 1 famille · total 25,00" in result.output
    assert "0 déjà facturé" in result.output
    assert late_fees(db_path) == 0


def test_with_as_it_bills_once_and_says_so_in_the_ui_language(db_path: Path) -> None:
    args = ["fees", "late-confirmation", "--term", "AUT-2026", "--db", str(db_path)]
    args += ["--as", "registrar", "--password-stdin", "--yes"]
    first = run(*args, stdin=PASSWORD + "\n")
    assert first.exit_code == 0, first.output
    assert "1 élève facturé (25,00" in first.output
    assert "1 famille · 1 message aux familles" in first.output
    again = run(*args, stdin=PASSWORD + "\n")
    assert again.exit_code == 0, again.output
    assert "1 déjà facturé auparavant" in again.output
    assert late_fees(db_path) == 1
    assert late_messages(db_path) == 1


def test_with_as_it_shows_who_and_asks_before_charging(db_path: Path) -> None:
    args = ["fees", "late-confirmation", "--term", "AUT-2026", "--db", str(db_path)]
    args += ["--as", "registrar", "--password-stdin"]
    declined = run(*args, stdin=PASSWORD + "\nn\n")
    assert declined.exit_code == 0, declined.output
    assert "1 élève à facturer · 1 famille · total 25,00" in declined.output
    assert "Facturer ces élèves ?" in declined.output and "Rien n'a été facturé." in declined.output
    assert late_fees(db_path) == 0
    accepted = run(*args, stdin=PASSWORD + "\no\n")
    assert accepted.exit_code == 0, accepted.output
    assert "1 élève facturé (25,00" in accepted.output
    assert (late_fees(db_path), late_messages(db_path)) == (1, 1)


def test_refusals_exit_1_with_a_message(db_path: Path) -> None:
    base = ["fees", "late-confirmation", "--db", str(db_path)]
    unknown = run(*base, "--term", "ETE-1999", "--as", "registrar", "--password-stdin",
                  stdin=PASSWORD + "\n")  # fmt: skip
    wrong = run(*base, "--term", "AUT-2026", "--as", "registrar", "--password-stdin",
                stdin="not-it\n")  # fmt: skip
    for result, message in ((unknown, "Session introuvable"), (wrong, "mot de passe")):
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output
    assert late_fees(db_path) == 0

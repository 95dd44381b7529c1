"""`registrar-tui term set`, `fees set`, `establishment set`: an administrator, signed in."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Establishment, FeeScheduleItem, StaffUser, Term
from tests.passwords import hash_password
from tests.services.reenrolment_data import build_world

PASSWORD = "Administration-cli-2026"


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path))
    world = build_world(db)
    with db.write() as uow:
        for user_id in (world.school.admin_id, world.school.registrar_id):
            user = uow.session.get_one(StaffUser, user_id)
            user.password_hash = hash_password(PASSWORD)
            uow.session.add(user)
    db.dispose()
    return path


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=stdin)


def _read(path: Path) -> tuple[Term, int, Establishment, list[str]]:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            term = uow.session.exec(select(Term).where(col(Term.code) == "HIV-2027")).one()
            fee = uow.session.exec(
                select(FeeScheduleItem).where(
                    col(FeeScheduleItem.code) == "INS", col(FeeScheduleItem.term_id) == term.id
                )
            ).one()
            place = uow.session.exec(
                select(Establishment).where(col(Establishment.code) == "MTL")
            ).one()
            actions = [e.action for e in uow.session.exec(select(AuditEvent))]
            return (
                Term.model_validate(term.model_dump()),
                fee.amount,
                Establishment.model_validate(place.model_dump()),
                actions,
            )
    finally:
        db.dispose()


def test_admin_sets_term_dates_fee_and_establishment(db_path: Path) -> None:
    db = str(db_path)
    result = run(
        "term", "set", "HIV-2027", "--reenrolment-opens", "2026-11-15",
        "--reenrolment-closes", "aucune", "--as", "admin", "--password-stdin", "--db", db,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "HIV-2027" in result.output and "15 nov. 2026" in result.output
    result = run(
        "fees", "set", "--term", "HIV-2027", "--code", "ins", "--amount", "55,00",
        "--as", "admin", "--password-stdin", "--db", db, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "INS" in result.output and "55,00" in result.output
    result = run(
        "establishment", "set", "MTL", "--phone", "514 873 4032", "--as", "admin",
        "--password-stdin", "--db", db, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "514-873-4032" in result.output
    term, fee_amount, place, actions = _read(db_path)
    assert term.reenrolment_opens_on == date(2026, 11, 15)
    assert term.reenrolment_closes_on is None
    assert fee_amount == Decimal("55.00")
    assert place.phone == "514-873-4032"
    assert {"term.set_dates", "fee.update", "establishment.update"} <= set(actions)


def test_registrar_is_refused_and_nothing_changes(db_path: Path) -> None:
    result = run(
        "fees", "set", "--term", "HIV-2027", "--code", "INS", "--amount", "55,00",
        "--as", "registrar", "--password-stdin", "--db", str(db_path), stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "droit" in result.output
    _term, fee_amount, _place, actions = _read(db_path)
    assert fee_amount == Decimal("50.00")
    assert "fee.update" not in actions


def test_a_refused_date_names_its_option(db_path: Path) -> None:
    result = run(
        "term", "set", "HIV-2027", "--reenrolment-closes", "2026-10-01",
        "--as", "admin", "--password-stdin", "--db", str(db_path), stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--reenrolment-closes" in result.output and "précède" in result.output
    term, _fee, _place, actions = _read(db_path)
    assert term.reenrolment_closes_on == date(2026, 12, 5)
    assert "term.set_dates" not in actions

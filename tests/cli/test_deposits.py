"""`registrar-tui deposits`: list, prepare with the count, make, print the slip."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import Establishment, StaffUser
from registrar_tui.services.school_year.groups import establishment_id_by_code
from tests.passwords import hash_password
from tests.reports.pdftext import text_of
from tests.services.ledger.test_deposits import week
from tests.services.ledger_data import build_school, ticking_clock

PASSWORD = "Registrariat-cli-2026"


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(
        str(path),
        clock=ticking_clock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), timedelta(minutes=1)),
    )
    school = build_school(db)
    week(db, school)
    with db.write() as uow:
        registrar = uow.session.get_one(StaffUser, school.registrar_id)
        registrar.password_hash = hash_password(PASSWORD)
        uow.session.add(registrar)
        admin = uow.session.get_one(StaffUser, school.admin_id)
        admin.password_hash = hash_password(PASSWORD)
        uow.session.add(admin)
    db.dispose()
    return path


def run(path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        create_cli(),
        ["deposits", *args, "--as", "registrar", "--password-stdin", "--db", str(path)],
        input=PASSWORD + "\n",
    )


def out(result: Result) -> str:
    """What the command printed; money's no-break spaces as plain spaces."""
    return result.output.replace("\u00a0", " ")


def test_list_prepare_make_and_print(db_path: Path, tmp_path: Path) -> None:
    listed = run(db_path, "list", "--establishment", "mtl")
    assert listed.exit_code == 0, out(listed)
    assert "4 paiements à déposer" in out(listed)
    assert "comptant 340,00 $" in out(listed)

    wrong = run(db_path, "prepare", "--establishment", "MTL", "--count", "100=3")
    assert wrong.exit_code != 0
    assert "ne correspond pas" in out(wrong)

    prepared = run(
        db_path, "prepare", "--establishment", "MTL", "--count", "100=3", "--count", "20=2"
    )
    assert prepared.exit_code == 0, prepared.output
    assert "MTL-DEP-0001 (préparé)" in prepared.output

    made = run(db_path, "make", "MTL-DEP-0001")
    assert made.exit_code == 0, made.output
    assert "(fait)" in made.output
    again = run(db_path, "abandon", "mtl-dep-0001")
    assert again.exit_code != 0 and "ne change plus" in again.output

    account = CliRunner().invoke(
        create_cli(),
        [
            *("setting", "set", "deposit-account", "Transit 00123, inst. 815, compte 4567890"),
            *("--as", "admin", "--password-stdin", "--db", str(db_path)),
        ],
        input=PASSWORD + "\n",
    )
    assert account.exit_code == 0, account.output
    slip = tmp_path / "slip.pdf"
    printed = run(db_path, "pdf", "MTL-DEP-0001", "--output", str(slip))
    assert printed.exit_code == 0, printed.output
    text = text_of(slip.read_bytes())
    assert "BORDEREAU DE DÉPÔT" in text and "000123" in text and "690,00 $" in text
    assert "Transit 00123, inst. 815, compte 4567890" in text


def test_start_fixes_the_first_day_once(db_path: Path) -> None:
    db = Database.open(str(db_path))
    with db.write() as uow:
        site = uow.session.get_one(Establishment, establishment_id_by_code(uow, "MTL"))
        site.deposits_start_on = None
        uow.session.add(site)
    db.dispose()

    listed = run(db_path, "list", "--establishment", "MTL")
    assert listed.exit_code == 0, out(listed)
    assert "n'ont pas de date de début" in out(listed)
    refused = run(db_path, "start", "--establishment", "MTL", "--on", "23/11/2026")
    assert refused.exit_code != 0 and "AAAA-MM-JJ" in out(refused)

    started = run(db_path, "start", "--establishment", "MTL", "--on", "2026-11-23")
    assert started.exit_code == 0, out(started)
    assert "Dépôts depuis le 23 nov. 2026" in out(started)
    listed = run(db_path, "list", "--establishment", "MTL")
    assert "4 paiements à déposer" in out(listed)

    prepared = run(
        db_path, "prepare", "--establishment", "MTL", "--count", "100=3", "--count", "20=2"
    )
    assert prepared.exit_code == 0, out(prepared)
    again = run(db_path, "start", "--establishment", "MTL", "--on", "2026-11-01")
    assert again.exit_code != 0 and "ne change plus" in out(again)

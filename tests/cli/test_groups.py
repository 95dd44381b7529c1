"""`registrar-tui groups …` and `term create|list|rollover`: the school year from scripts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Course, StaffUser, Teacher
from tests.conftest import fixed_clock
from tests.passwords import hash_password
from tests.services.school_year.world import YearWorld, build_year

PASSWORD = "Annee-scolaire-cli-2026"


@pytest.fixture
def world_path(sqlite_template: Path, tmp_path: Path) -> tuple[YearWorld, str]:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    world = build_year(db)
    with db.write() as uow:
        for user_id in (world.registrar_id, world.clerk_id):
            user = uow.session.get_one(StaffUser, user_id)
            user.password_hash = hash_password(PASSWORD)
    db.dispose()
    return world, str(path)


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=stdin)


def signed(*args: str, user: str = "registraire") -> tuple[str, ...]:
    return (*args, "--as", user, "--password-stdin")


def _actions(db_path: str) -> list[str]:
    db = Database.open(db_path)
    try:
        with db.read() as uow:
            return [
                e.action for e in uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
            ]
    finally:
        db.dispose()


def _courses(db_path: str, term: str) -> list[Course]:
    from registrar_tui.models import Term

    db = Database.open(db_path)
    try:
        with db.read() as uow:
            term_id = uow.session.exec(select(Term.id).where(col(Term.code) == term)).one()
            rows = uow.session.exec(select(Course).where(col(Course.term_id) == term_id)).all()
            return [Course.model_validate(row.model_dump()) for row in rows]
    finally:
        db.dispose()


def test_groups_list_prints_tab_lines_and_json(world_path: tuple[YearWorld, str]) -> None:
    world, db = world_path
    result = run("groups", "list", "--term", "AUT-2026", "--db", db)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0].split("\t")
    assert first[:6] == [str(world.piano01_id), "AUT-2026", "MTL", "PIA", "01", "Marie Tremblay"]
    assert first[11:14] == ["2", "8", "non"]  # seats taken, capacity, closed
    result = run("groups", "list", "--term", "AUT-2026", "--json", "--db", db)
    rows = json.loads(result.output)
    assert [(r["section"], r["closed"]) for r in rows] == [("01", False), ("02", True)]
    assert rows[0]["starts"] == "16:00"


def test_an_unknown_filter_says_which_option(world_path: tuple[YearWorld, str]) -> None:
    _world, db = world_path
    result = run("groups", "list", "--term", "AUT-2026", "--discipline", "XYZ", "--db", db)
    assert result.exit_code == 1
    assert "--discipline : Discipline introuvable : XYZ." in result.output
    result = run("groups", "list", "--term", "PRI-2030", "--db", db)
    assert result.exit_code == 1 and "--term" in result.output


def test_add_edit_close_a_group(world_path: tuple[YearWorld, str]) -> None:
    _world, db = world_path
    result = run(
        *signed("groups", "add", "--term", "HIV-2027", "--establishment", "mtl",
                "--discipline", "VIO", "--teacher", "luc gagnon", "--weekday", "3",
                "--starts", "18h", "--ends", "19:00", "--room", "C-3", "--capacity", "12",
                "--db", db),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Violon 01 (MTL, HIV-2027), Luc Gagnon, 0/12 places prises" in result.output
    [course] = _courses(db, "HIV-2027")
    assert course.id is not None
    result = run(
        *signed("groups", "edit", str(course.id), "--teacher", "Marie Tremblay",
                "--starts", "17:30", "--ends", "18:30", "--db", db),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [course] = _courses(db, "HIV-2027")
    assert (course.starts_at.isoformat() if course.starts_at else None) == "17:30:00"
    assert course.room == "C-3" and course.capacity == 12  # untouched options stay
    result = run(*signed("groups", "close", str(course.id), "--db", db), stdin=PASSWORD + "\n")
    assert result.exit_code == 0 and "Fermé." in result.output
    result = run(*signed("groups", "close", str(course.id), "--db", db), stdin=PASSWORD + "\n")
    assert result.exit_code == 1 and "déjà fermé" in result.output
    written = [action for action in _actions(db) if action != "auth.login"]
    assert written == ["group.create", "group.update", "group.close"]


def test_capacity_below_seats_is_refused_next_to_its_option(
    world_path: tuple[YearWorld, str],
) -> None:
    world, db = world_path
    result = run(
        *signed("groups", "edit", str(world.piano01_id), "--capacity", "1", "--db", db),
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "--capacity : Places déjà prises : 2" in result.output
    assert "Traceback" not in result.output


def test_a_clerk_is_refused(world_path: tuple[YearWorld, str]) -> None:
    world, db = world_path
    result = run(
        *signed("groups", "close", str(world.piano01_id), "--db", db, user="commis"),
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 1 and "pas le droit" in result.output
    assert "group.close" not in _actions(db)


def test_teachers_are_listed_and_added(world_path: tuple[YearWorld, str]) -> None:
    _world, db = world_path
    result = run(
        *signed("groups", "teacher-add", "--first-name", "Émile", "--last-name", "Côté",
                "--email", "emile@example.org", "--db", db),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0 and "Émile Côté" in result.output
    rows = json.loads(run("groups", "teachers", "--json", "--db", db).output)
    assert [r["last_name"] for r in rows] == ["Côté", "Gagnon", "Tremblay"]
    result = run(
        *signed("groups", "teacher-add", "--first-name", "X", "--last-name", "4111 1111 1111 1111",
                "--db", db),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1 and result.output.startswith("--last-name : ")
    database = Database.open(db)
    with database.read() as uow:
        assert len(uow.session.exec(select(Teacher)).all()) == 3
    database.dispose()


def test_term_create_and_list(world_path: tuple[YearWorld, str]) -> None:
    _world, db = world_path
    result = run(
        *signed("term", "create", "ETE-2027", "--starts", "2027-05-10", "--ends", "2027-07-30",
                "--payment-due", "2027-05-31", "--db", db),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Session ETE-2027 créée : du 10 mai 2027 au 30 juill. 2027" in result.output
    lines = run("term", "list", "--db", db).output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["ETE-2027", "HIV-2027", "AUT-2026"]
    assert lines[2].split("\t")[7] == "2"  # the autumn's two groups
    result = run(
        *signed("term", "create", "ETE-2027", "--starts", "2027-05-10", "--ends", "2027-04-30",
                "--payment-due", "2027-05-31", "--db", db),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1 and result.output.startswith("CODE : La session ETE-2027 existe")


def test_term_set_is_kept() -> None:
    result = run("term", "set", "--help")
    assert result.exit_code == 0 and "--reenrolment-opens" in result.output


def test_rollover_dry_run_then_for_real_then_twice(world_path: tuple[YearWorld, str]) -> None:
    _world, db = world_path
    result = run("term", "rollover", "--from", "AUT-2026", "--to", "HIV-2027", "--dry-run",
                 "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split("\t")[:5] == [
        "à créer", "MTL", "Piano", "01", "Marie Tremblay"
    ]  # fmt: skip
    assert "ignoré\tMTL\tPiano\t02\tgroupe fermé" in result.output
    assert "1 groupe à créer, 1 ignoré ; rien n'est écrit." in result.output
    assert _courses(db, "HIV-2027") == []
    args = signed("term", "rollover", "--from", "AUT-2026", "--to", "HIV-2027", "--db", db)
    result = run(*args, stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Report AUT-2026 → HIV-2027 : 1 groupe créé, 1 ignoré." in result.output
    result = run(*args, stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "0 groupe créé, 2 ignorés." in result.output
    assert "déjà reporté" in result.output
    assert len(_courses(db, "HIV-2027")) == 1
    assert _actions(db).count("term.rollover") == 1


def test_rollover_without_as_or_backwards_is_refused(world_path: tuple[YearWorld, str]) -> None:
    _world, db = world_path
    result = run("term", "rollover", "--from", "AUT-2026", "--to", "HIV-2027", "--db", db)
    assert result.exit_code == 1 and "--as" in result.output
    result = run("term", "rollover", "--from", "HIV-2027", "--to", "AUT-2026", "--dry-run",
                 "--db", db)  # fmt: skip
    assert result.exit_code == 1 and result.output.startswith("--to : ")

"""`registrar-tui import …` and `export families|students|balances` as the office runs
them: a dry run that lists the problems by line, `--apply --as`, Ctrl+C, and the round
trip of the demo's families through an empty database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models.base import Role
from registrar_tui.services.records.families import family_balance
from registrar_tui.services.search.query import search
from registrar_tui.services.staff.passwords import hash_password
from tests import builders

PASSWORD = "Gestion-import-2026"


def run(db: str, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), [*args, "--db", db], input=stdin)


@pytest.fixture
def empty_school(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated database with the demo's establishments and an administrator."""
    path = tmp_path / "new.db"
    shutil.copyfile(sqlite_template, path)
    database = Database.open(str(path))
    with database.write() as uow:
        for code, digits, site in (("MTL", 9, "1"), ("QC", 9, "3"), ("GAT", 7, "")):
            builders.establishment(
                uow, code=code, student_number_digits=digits, student_number_site_digit=site
            )
        builders.staff(
            uow, None, username="admin", full_name="Ad Min", role=Role.ADMIN,
            password_hash=hash_password(PASSWORD),
        )  # fmt: skip
    database.dispose()
    return str(path)


FAMILIES = (
    "ancien_id;etablissement;resp1_prenom;resp1_nom;resp1_telephone\r\n"
    "1;MTL;Élodie;Gagné;514-555-0101\r\n"
    "2;XYZ;Noé;Roy;514-555-0102\r\n"
    "3;MTL;Anaïs;Roy;555\r\n"
).encode("cp1252")


def test_the_dry_run_lists_each_problem_by_line_and_exits_1(
    empty_school: str, tmp_path: Path
) -> None:
    file = tmp_path / "familles.csv"
    file.write_bytes(FAMILIES)
    result = run(empty_school, "import", "families", str(file))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "familles.csv : Windows-1252, séparateur point-virgule, 3 lignes."
    assert lines[1] == "  ligne 3, « etablissement » : Établissement inconnu : XYZ."
    assert lines[2].startswith("  ligne 4, « resp1_telephone » : ")
    assert lines[3] == "2 problèmes : rien n'est importé. 1 à créer · 0 inchangé · 0 différent"
    applied = run(
        empty_school, "import", "families", str(file), "--apply", "--as", "admin",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert applied.exit_code == 1
    assert "rien n'est importé" in applied.output


def test_apply_writes_then_ctrl_c_writes_nothing(
    empty_school: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "familles.csv"
    file.write_bytes(FAMILIES.replace(b"XYZ", b"MTL").replace(b";555", b";514-555-0103"))

    def interrupted(self: object, done: int, total: int) -> None:
        raise KeyboardInterrupt

    import registrar_tui.cli.imports as imports

    with monkeypatch.context() as patch:
        patch.setattr(imports._Bar, "__call__", interrupted)
        stopped = run(
            empty_school, "import", "families", str(file), "--apply", "--as", "admin",
            "--password-stdin", "--quiet", stdin=PASSWORD + "\n",
        )  # fmt: skip
    assert stopped.exit_code == imports.INTERRUPTED_STATUS
    assert "Interrompu : rien n'a été écrit." in stopped.output
    with sqlite3.connect(empty_school) as connection:
        assert connection.execute("SELECT count(*) FROM family").fetchone() == (0,)

    done = run(
        empty_school, "import", "families", str(file), "--apply", "--as", "admin",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-1] == (
        "Importé en une transaction : 3 créés · 0 inchangé · 0 différent."
    )
    again = run(empty_school, "import", "families", str(file))
    assert again.exit_code == 0
    assert "0 à créer · 3 inchangés · 0 différent" in again.output


SAMPLE_QUERIES = ("tremblay", "helene", "F0000003", "514-555-0134", "cote", "261000001", "zoe")


def test_the_demo_round_trips_through_an_empty_database(
    empty_school: str, sqlite_template: Path, tmp_path: Path
) -> None:
    from registrar_tui.demo import generate_demo

    demo = str(tmp_path / "demo.db")
    shutil.copyfile(sqlite_template, demo)
    generated = Database.open(demo)
    generate_demo(generated, families=3, seed=3)
    generated.dispose()
    for kind in ("families", "students", "balances"):
        exported = run(demo, "export", kind, str(tmp_path / f"{kind}.csv"))
        assert exported.exit_code == 0, exported.output
        assert (tmp_path / f"{kind}.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM
        imported = run(
            empty_school, "import", kind, str(tmp_path / f"{kind}.csv"), "--apply", "--as",
            "admin", "--password-stdin", stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert imported.exit_code == 0, imported.output

    source, copy = Database.open(demo), Database.open(empty_school)
    try:
        for query in SAMPLE_QUERIES:
            found = []
            for database in (source, copy):
                with database.read() as uow:
                    found.append({(h.kind, h.title, h.subtitle) for h in search(uow, query).rows})
            assert found[0] == found[1] and found[0], query
        balances = []
        for database in (source, copy):
            with database.read() as uow:
                from sqlmodel import select

                from registrar_tui.models import Family

                families = uow.session.exec(select(Family.id, Family.family_number)).all()
                balances.append({number: family_balance(uow, id_) for id_, number in families})
        assert balances[0] == balances[1]
        assert sum(balances[1].values()) > 0
    finally:
        source.dispose()
        copy.dispose()

"""A new school from an empty database (issue #15): first admin, `establishment add`,
`discipline add`, then the families import finds its establishments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli

PASSWORD = "Gestion-nouvelle-2026"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "import" / "familles-excel.csv"
SITES = (
    ("MTL", "Conservatoire de Montréal", "4750, avenue Henri-Julien", "Montréal", "H2T 2C8"),
    ("QC", "Conservatoire de Québec", "270, rue Saint-Amable", "Québec", "G1R 5G1"),
    ("GAT", "Conservatoire de Gatineau", "430, boulevard Alexandre-Taché", "Gatineau", "J9A 1L8"),
)


@pytest.fixture
def empty_db(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "new.db"
    shutil.copyfile(sqlite_template, path)
    return str(path)


def run(db: str, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), [*args, "--db", db], input=stdin)


def as_admin(db: str, *args: str) -> Result:
    return run(db, *args, "--as", "admin", "--password-stdin", stdin=PASSWORD + "\n")


def _first_admin(db: str) -> None:
    result = run(
        db, "user", "add", "admin", "--name", "Première Admin", "--role", "admin",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_new_school_sets_up_then_imports_its_families(empty_db: str) -> None:
    _first_admin(empty_db)
    before = run(empty_db, "import", "families", str(EXAMPLE), "--quiet")
    assert before.exit_code == 1
    assert "Établissement inconnu : MTL" in before.output

    for code, name, address, city, postal in SITES:
        added = as_admin(
            empty_db, "establishment", "add", code.lower(), "--name", name, "--address", address,
            "--city", city, "--postal-code", postal, "--phone", "514 873-4031",
            *(("--student-number-digits", "7") if code == "GAT" else ()),
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        assert f"{code} — {name}" in added.output
    added = as_admin(
        empty_db, "discipline", "add", "pia", "--fr", "Piano", "--en", "Piano",
        "--kind", "Instrument",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "PIA" in added.output

    dry_run = run(empty_db, "import", "families", str(EXAMPLE), "--quiet")
    assert dry_run.exit_code == 0, dry_run.output
    assert "inconnu" not in dry_run.output
    assert "3 à créer" in dry_run.output

    listed = json.loads(run(empty_db, "establishment", "list", "--json").output)
    assert [(s["code"], s["student_number_digits"], s["site_digit"]) for s in listed] == [
        ("GAT", 7, ""),
        ("MTL", 9, "1"),
        ("QC", 9, "1"),
    ]
    disciplines = run(empty_db, "discipline", "list").output.splitlines()
    assert disciplines == ["PIA\tPiano\tPiano\tinstrument"]
    term = as_admin(
        empty_db, "term", "create", "AUT-2026", "--starts", "2026-09-08", "--ends",
        "2026-12-18", "--payment-due", "2026-10-01",
    )  # fmt: skip
    assert term.exit_code == 0, term.output
    group = as_admin(
        empty_db, "groups", "add", "--term", "AUT-2026", "--establishment", "MTL",
        "--discipline", "PIA", "--section", "01", "--capacity", "8",
    )  # fmt: skip
    assert group.exit_code == 0, group.output
    assert "Piano 01" in group.output


def test_refusals_name_the_option(empty_db: str) -> None:
    _first_admin(empty_db)
    site = (
        "--name", "Laval", "--address", "1, rue Principale", "--city", "Laval",
        "--postal-code", "H7N 1A1", "--phone", "450 555-0100",
    )  # fmt: skip
    assert as_admin(empty_db, "establishment", "add", "LAV", *site).exit_code == 0
    twice = as_admin(empty_db, "establishment", "add", "lav", *site)
    assert twice.exit_code == 1
    assert "CODE : L'établissement LAV existe déjà." in twice.output
    bad = as_admin(empty_db, "establishment", "add", "LAV2", *site, "--site-digit", "x")
    assert bad.exit_code == 1 and "--site-digit : " in bad.output
    kind = as_admin(empty_db, "discipline", "add", "SOL", "--fr", "Solfège", "--en", "Theory",
                    "--kind", "flute")  # fmt: skip
    assert kind.exit_code == 1
    assert "--kind : Type inconnu « flute » : instrument, voice, theory" in kind.output
    assert run(empty_db, "discipline", "list").output == ""

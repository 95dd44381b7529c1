"""The `registrar-tui` command line, as a user or a script runs it."""

from __future__ import annotations

import re
import sqlite3
import sys
import types
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from registrar_tui import migrate
from registrar_tui.cli.main import _language_from_argv, create_cli
from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models import Family, Student


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args))


def family_count(path: Path) -> int:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            return len(uow.session.exec(select(Family)).all())
    finally:
        db.dispose()


def assert_clean_failure(result: Result) -> None:
    """Exit status 1 with a message, not a traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_db_upgrade_then_current_shows_the_head(empty_database_url: str) -> None:
    head = migrate.head_revision()

    upgraded = run("db", "upgrade", "--db", empty_database_url)
    current = run("db", "current", "--db", empty_database_url)

    assert upgraded.exit_code == 0, upgraded.output
    assert f"révision {head}" in upgraded.output
    assert current.exit_code == 0, current.output
    assert current.output.strip() == f"{head} (à jour)"


def test_db_upgrade_creates_the_sqlite_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "place" / "registrar.db"

    result = run("--db", str(path), "db", "upgrade")  # the global --db works too

    assert result.exit_code == 0, result.output
    assert path.exists()
    assert str(path) in result.output


def test_app_on_a_database_never_upgraded_names_the_command(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # exists, no schema

    result = run("--db", str(path))

    assert_clean_failure(result)
    assert "lancez « registrar-tui db upgrade »" in result.output


def test_app_on_a_missing_file_names_it_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "registrar.db"

    result = run("--db", str(path))
    current = run("db", "current", "--db", str(path))

    assert_clean_failure(result)
    assert str(path) in result.output
    assert "registrar-tui db upgrade" in result.output
    assert current.exit_code == 0
    assert "Aucune base de données" in current.output
    assert not path.parent.exists()


def test_messages_follow_lang(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()

    result = run("--lang", "en", "--db", str(path))

    assert_clean_failure(result)
    assert "The database must be upgraded: run “registrar-tui db upgrade”." in result.output


def test_unknown_language_is_a_usage_error() -> None:
    result = run("--lang", "de", "db", "current")

    assert result.exit_code == 2
    assert "de" in result.output


def test_help_is_translated_from_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRAR_LANG", raising=False)
    assert _language_from_argv(["--lang", "en", "db", "upgrade"]) == "en"
    assert _language_from_argv(["--lang=en"]) == "en"
    assert _language_from_argv(["db", "current"]) == "fr_CA"

    set_language("en")
    result = CliRunner().invoke(create_cli(), ["--help"])

    assert "Rebuild the search index" in result.output


def test_app_starts_on_an_upgraded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "registrar.db"
    migrate.upgrade(str(path))
    calls: list[tuple[str | None, str]] = []
    fake_app = types.ModuleType("registrar_tui.app")
    setattr(fake_app, "run_app", lambda url, language: calls.append((url, language)))  # noqa: B010
    monkeypatch.setitem(sys.modules, "registrar_tui.app", fake_app)

    result = run("--db", str(path), "--lang", "en")

    assert result.exit_code == 0, result.output
    assert calls == [(f"sqlite:///{path}", "en")]


def test_demo_then_search_finds_a_student(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"

    demo = run("demo", "--families", "5", "--seed", "1", "--db", str(path))

    assert demo.exit_code == 0, demo.output
    announced = re.search(r"(\d+) familles", demo.output)
    assert announced is not None, demo.output
    assert "clerk / Comptoir-demo-2026" in demo.output
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            # The summary tells the truth (the demo adds its scenario families to the 5).
            assert len(uow.session.exec(select(Family)).all()) == int(announced.group(1)) >= 5
            student = uow.session.exec(select(Student).order_by(Student.id)).first()
            assert student is not None
            last_name = student.last_name
    finally:
        db.dispose()

    found = run("search", last_name, "--db", str(path))

    assert found.exit_code == 0, found.output
    rows = [line.split("\t") for line in found.stdout.splitlines()]
    assert any(row[0] == "student" and last_name in row[3] for row in rows), found.output


def test_demo_if_empty_leaves_an_existing_database_alone(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    assert run("demo", "--families", "3", "--seed", "1", "--db", str(path)).exit_code == 0
    before = family_count(path)

    again = run("demo", "--families", "3", "--seed", "2", "--db", str(path), "--if-empty")
    refused = run("demo", "--families", "3", "--seed", "2", "--db", str(path))

    assert again.exit_code == 0, again.output
    assert "déjà des données" in again.output
    assert_clean_failure(refused)
    assert "déjà des données" in refused.output
    assert family_count(path) == before


def test_database_errors_are_reported_without_traceback() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    result = run("db", "current", "--db", "postgresql://nobody@127.0.0.1:1/none")

    assert_clean_failure(result)
    assert "Base de données injoignable (127.0.0.1, port 1)" in result.output


def test_plain_start_skips_the_command_line_library() -> None:
    """`registrar-tui [--db URL] [--lang L]` starts the app without Typer; anything else
    goes to the full command line."""
    from registrar_tui.launcher import plain_options

    assert plain_options([]) == {}
    assert plain_options(["--db", "x.db", "--lang=en"]) == {"--db": "x.db", "--lang": "en"}
    assert plain_options(["demo"]) is None
    assert plain_options(["--help"]) is None
    assert plain_options(["--db"]) is None
    assert plain_options(["--db", "a", "--db", "b"]) is None


def test_plain_start_on_a_missing_file_names_the_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    missing = tmp_path / "absent.db"
    script = (
        "import sys\n"
        "from registrar_tui.launcher import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('typer loaded' if 'typer' in sys.modules else 'typer not loaded')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "--lang", "en", "--db", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "registrar-tui db upgrade" in done.stderr and str(missing) in done.stderr
    assert "typer not loaded" in done.stdout

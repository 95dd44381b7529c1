"""What every snapshot test is built on: the two sizes, a SQLite copy, the app factory.

A test that takes `size` is drawn at 80×24 and at 120×36 (ids `80x24`, `120x36`, part of
the SVG's name). `snapshot_db` is always a SQLite copy of the migrated template, so there
is one picture per screen and size whatever the backends; `seeded_sqlite` is that copy
with the counter world of tests/screens/fixtures.py, a module needing another world seeds
its own. `snapshot_app` builds the app from its factory on the fixed clock, animations off.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.snapshots.support import AppFactory, Clock


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text box's cursor never blinks in a picture: shown whenever the box has focus.

    The blink is a half-second timer; on a busy machine a picture could catch it either
    way, so the same screen would not give the same SVG twice.
    """

    def shown(box: Input) -> None:
        box._cursor_visible = True

    monkeypatch.setattr(Input, "_toggle_cursor", shown)


@pytest.fixture(params=[(80, 24), (120, 36)], ids=["80x24", "120x36"])
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    """The terminal size, columns × lines."""
    width, height = request.param
    return width, height


@pytest.fixture
def snapshot_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """An empty SQLite copy of the migrated template, on the fixed clock."""
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    yield db
    db.dispose()


@pytest.fixture
def seeded_sqlite(snapshot_db: Database) -> Database:
    """`snapshot_db` with the counter world (families, a clerk and a registrar)."""
    seed(snapshot_db)
    return snapshot_db


@pytest.fixture
def snapshot_app() -> AppFactory:
    """The app from its factory: the fixed clock unless a test moves its own, no animations."""

    def build(db: Database, clock: Clock = fixed_clock) -> RegistrarApp:
        app = create_app(database=db, clock=clock)
        app.animation_level = "none"
        return app

    return build

"""Screen tests run on SQLite only.

They press keys and read what the screen shows; the database work behind every screen is
a service, and the services' tests run on both SQLite and PostgreSQL (tests/services/).
Running every Pilot test twice doubled the suite's time for no behaviour of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from registrar_tui.db import Database
from tests.conftest import fixed_clock


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite copy of the migrated template, with the fixed clock."""
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    yield db
    db.dispose()

"""Fixtures shared by the deployment tests (SSH, the terminal's output)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from registrar_tui.db import Database
from registrar_tui.demo import generate_demo


@pytest.fixture(scope="module")
def demo_database(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database filled by `registrar-tui demo` (the smallest), made once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    database = Database.open(str(path))
    try:
        generate_demo(database, families=1)
    finally:
        database.dispose()
    return path

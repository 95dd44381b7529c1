"""What every snapshot test shares: the two sizes, a seeded SQLite copy, a still app."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from tests.conftest import fixed_clock
from tests.screens.helpers import settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
SnapCompare = Callable[..., bool]


def open_copy(sqlite_template: Path, tmp_path: Path) -> Database:
    """A SQLite copy of the migrated template (one snapshot per screen and size)."""
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    return Database.open(str(path), clock=fixed_clock)


def snapshot_app(db: Database) -> RegistrarApp:
    """The app from its factory: fixed clock, no animations."""
    app = create_app(database=db, clock=fixed_clock)
    app.animation_level = "none"
    return app


async def still(pilot: Pilot[Any]) -> None:
    """No blinking cursor in the picture."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await settle(pilot)

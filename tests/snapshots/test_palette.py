"""SVG snapshots of the command palette open with results, at 80×24 and 120×36.

The app is wired as app.py wires the palette (tests/screens/palette_app.py), on a SQLite
copy of the migrated template with the seeded counter world and the fixed clock.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.db import Database
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import settle, sign_in, type_text
from tests.screens.palette_app import PayScreen, palette_app

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
SnapCompare = Callable[..., bool]


@pytest.fixture
def seeded_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    seed(db)
    yield db
    db.dispose()


async def _still(pilot: Pilot[Any]) -> None:
    """No blinking cursor in the picture (the palette's box is an Input too)."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await settle(pilot)


@SIZES
def test_palette_finds_families(
    snap_compare: SnapCompare, seeded_sqlite: Database, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.press("ctrl+p")
        await _still(pilot)
        await type_text(pilot, "trem")
        await _still(pilot)

    assert snap_compare(palette_app(seeded_sqlite), terminal_size=size, run_before=run_before)


@SIZES
def test_palette_lists_screen_commands(
    snap_compare: SnapCompare, seeded_sqlite: Database, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(PayScreen())
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _still(pilot)

    assert snap_compare(palette_app(seeded_sqlite), terminal_size=size, run_before=run_before)

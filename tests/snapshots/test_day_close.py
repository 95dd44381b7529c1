"""SVG snapshots of the day-close screen at 80×24 and 120×36: totals, counted cash, shortage.

Built from `create_app` with the fixed clock and the counter day of
`tests/screens/counter_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.screens.day_close import DayCloseScreen
from tests.conftest import fixed_clock
from tests.screens.counter_fixtures import seed_counter
from tests.screens.helpers import settle, sign_in, type_text

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
SnapCompare = Callable[..., bool]


@pytest.fixture
def counter_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    seed_counter(db)
    yield db
    db.dispose()


def _app(db: Database) -> RegistrarApp:
    app = create_app(database=db, clock=fixed_clock)
    app.animation_level = "none"
    return app


async def _open_day_close(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in(pilot)
    await pilot.app.push_screen(DayCloseScreen())
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


@SIZES
def test_day_close_with_counted_cash(
    snap_compare: SnapCompare, counter_sqlite: Database, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_day_close(pilot)
        await type_text(pilot, "300,00")
        await settle(pilot)

    assert snap_compare(_app(counter_sqlite), terminal_size=size, run_before=run_before)


@SIZES
def test_day_close_refuses_bad_counted_cash(
    snap_compare: SnapCompare, counter_sqlite: Database, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_day_close(pilot)
        await type_text(pilot, "abc")
        await pilot.press("f9")
        await settle(pilot)

    assert snap_compare(_app(counter_sqlite), terminal_size=size, run_before=run_before)

"""SVG snapshots of the day-close screen at 80×24 and 120×36: totals, counted cash, shortage.

Built from `create_app` with the fixed clock and the counter day of
`tests/screens/counter/counter_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.db import Database
from registrar_tui.screens.counter.day_close import DayCloseScreen
from tests.screens.counter.counter_fixtures import seed_counter
from tests.screens.helpers import settle, sign_in, type_text
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def counter_sqlite(snapshot_db: Database) -> Database:
    seed_counter(snapshot_db)
    return snapshot_db


async def _open_day_close(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in(pilot)
    await pilot.app.push_screen(DayCloseScreen())
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


def test_day_close_with_counted_cash(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_day_close(pilot)
        await type_text(pilot, "300,00")
        await settle(pilot)

    assert snap_compare(snapshot_app(counter_sqlite), terminal_size=size, run_before=run_before)


def test_day_close_refuses_bad_counted_cash(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_day_close(pilot)
        await type_text(pilot, "abc")
        await pilot.press("f9")
        await settle(pilot)

    assert snap_compare(snapshot_app(counter_sqlite), terminal_size=size, run_before=run_before)


def test_day_close_of_the_online_drawer(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    snapshot_db: Database,
    size: tuple[int, int],
) -> None:
    from tests.screens.counter.online_fixtures import seed_online
    from tests.screens.helpers import sign_in_registrar

    seed_online(snapshot_db)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        await pilot.app.push_screen(DayCloseScreen())
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False

    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)

"""SVG snapshots of the activities at 80×24 and 120×36: the list (F8) and the fundraising
lunches with their registrations and totals.

Built from `create_app` with the fixed clock and `tests/screens/activities/activities_fixtures.py`
in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.activities.activity import ActivityScreen
from tests.screens.activities.activities_fixtures import ActivityWorld, seed_activities
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare, still


@pytest.fixture
def activities_sqlite(snapshot_db: Database) -> tuple[Database, ActivityWorld]:
    world = seed_activities(snapshot_db)
    return snapshot_db, world


def test_activities_list(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    activities_sqlite: tuple[Database, ActivityWorld],
    size: tuple[int, int],
) -> None:
    db, _world = activities_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.press("f8")
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_activity_with_registrations(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    activities_sqlite: tuple[Database, ActivityWorld],
    size: tuple[int, int],
) -> None:
    db, world = activities_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(ActivityScreen(world.lunches_id))
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

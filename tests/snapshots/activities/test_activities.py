"""SVG snapshots of the activities at 80×24 and 120×36: the list (F8), the fundraising
lunches with their registrations and totals, and the registrar's set-up: the activity
form, the item form and the cancellation's dry run.

Built from `create_app` with the fixed clock and `tests/screens/activities/activities_fixtures.py`
in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.activities.activity import ActivityScreen
from registrar_tui.screens.activities.activity_form import ActivityFormScreen
from registrar_tui.screens.activities.cancel import CancelActivityScreen
from tests.screens.activities.activities_fixtures import ActivityWorld, seed_activities
from tests.screens.helpers import settle, sign_in, sign_in_registrar
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


def test_activity_form(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    activities_sqlite: tuple[Database, ActivityWorld],
    size: tuple[int, int],
) -> None:
    """The registrar's F2 on the lunches: the activity's fields and its three items, with
    a deadline after the activity refused under its field."""
    db, world = activities_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        await pilot.app.push_screen(ActivityFormScreen(world.lunches_id))
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")  # title → description → date → deadline
        await pilot.press(*"2026-12-12", "ctrl+s")
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_item_form(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    activities_sqlite: tuple[Database, ActivityWorld],
    size: tuple[int, int],
) -> None:
    """A new item of the lunches whose code is taken and whose price is not one."""
    db, world = activities_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        await pilot.app.push_screen(ActivityFormScreen(world.lunches_id))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"101", "enter", *"Biscuits", "enter", *"cinq", "ctrl+s")
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_activity_cancel_preview(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    activities_sqlite: tuple[Database, ActivityWorld],
    size: tuple[int, int],
) -> None:
    """F4 on the lunches: the two registrations' invoices and what they credit."""
    db, world = activities_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        await pilot.app.push_screen(CancelActivityScreen(world.lunches_id))
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

"""SVG snapshots of the re-enrolment decision screen (scenario 7) at 80×24 and 120×36.

Léa's pending request for HIV-2027 (piano and solfège, with her family's note): the
proposed sections and the invoice from the fee schedule, as the registrar sees them.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.desk.reenrolment_decision import ReenrolmentDecisionScreen
from tests.screens.desk.reenrolment_fixtures import ReenrolmentWorld, seed_reenrolment
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare, still


@pytest.fixture
def world_db(snapshot_db: Database) -> tuple[Database, ReenrolmentWorld]:
    world = seed_reenrolment(snapshot_db)
    return snapshot_db, world


def test_reenrolment_decision(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(ReenrolmentDecisionScreen(world.request_id))
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_group_chooser(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    """The piano groups of HIV-2027: day, time, teacher, room, seats; 02 full."""
    db, world = world_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(ReenrolmentDecisionScreen(world.request_id))
        await still(pilot)
        await pilot.press("g")
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_reenrolment_decision_waiting_list(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    """The full group 02 picked: piano goes to its waiting list, off the invoice."""
    db, world = world_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(ReenrolmentDecisionScreen(world.request_id))
        await still(pilot)
        await pilot.press("g")
        await still(pilot)
        await pilot.press("down", "enter")
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

"""SVG snapshots of the idle lock (over a family: nothing of it shows) and of the guardian
form with its masked social insurance number, at 80×24 and 120×36.

The lock comes from the app's own check after the test moves the app's clock 15 minutes.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.fixtures import Seeded
from tests.screens.helpers import settle, sign_in, sign_in_registrar
from tests.screens.lock_fixtures import FakeClock, seed_with_sin
from tests.snapshots.support import AppFactory, SnapCompare, still


@pytest.fixture
def world_db(snapshot_db: Database) -> tuple[Database, Seeded]:
    seeded, _payer_id = seed_with_sin(snapshot_db)
    return snapshot_db, seeded


def test_lock_over_a_family(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, Seeded],
    size: tuple[int, int],
) -> None:
    db, seeded = world_db
    clock = FakeClock()
    app = snapshot_app(db, clock)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        app.open_family(seeded.tremblay_id)
        await settle(pilot)
        clock.advance(15)
        app.check_idle_lock()
        await settle(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_guardian_form_with_masked_sin(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, Seeded],
    size: tuple[int, int],
) -> None:
    db, seeded = world_db
    app = snapshot_app(db, FakeClock())

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        app.open_family(seeded.tremblay_id)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

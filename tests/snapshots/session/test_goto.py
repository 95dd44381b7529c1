"""SVG snapshots of the « Aller à… » menu (Ctrl+Y) a registrar opens from home: every desk
screen with its letter, at 80×24 and 120×36."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME, seed
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare
from tests.snapshots.support import still as _still


@pytest.fixture
def seeded_sqlite(snapshot_db: Database) -> Database:
    seed(snapshot_db)
    return snapshot_db


def test_goto_menu_over_the_registrar_home(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.press("ctrl+y")
        await _still(pilot)

    assert snap_compare(snapshot_app(seeded_sqlite), terminal_size=size, run_before=run_before)

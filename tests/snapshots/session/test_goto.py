"""SVG snapshots of the « Aller à… » menu (Ctrl+Y) a registrar opens from home: every desk
screen with its letter, at 80×24 and 120×36."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.snapshots.support import AppFactory, SnapCompare, at_registrar_home
from tests.snapshots.support import still as _still


def test_goto_menu_over_the_registrar_home(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await at_registrar_home(pilot)
        await pilot.press("ctrl+y")
        await _still(pilot)

    assert snap_compare(snapshot_app(seeded_sqlite), terminal_size=size, run_before=run_before)

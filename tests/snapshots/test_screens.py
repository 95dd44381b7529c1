"""SVG snapshots of the login, search and family screens at 80×24 and 120×36.

Built from `create_app` with the fixed clock and the seeded fixture database (always a
SQLite copy of the migrated template, so there is one snapshot per screen and size).
Cursor blink and animations are off so the pictures are stable.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.helpers import search_for, settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare, at_registrar_home
from tests.snapshots.support import still as _still


def test_login(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    assert snap_compare(snapshot_app(seeded_sqlite), terminal_size=size, run_before=_still)


def test_search_with_results(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await search_for(pilot, "tremblay")
        await _still(pilot)

    assert snap_compare(snapshot_app(seeded_sqlite), terminal_size=size, run_before=run_before)


def test_family_view(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await search_for(pilot, "helene")
        await pilot.press("enter")
        await _family_shown(pilot)
        await _still(pilot)

    assert snap_compare(snapshot_app(seeded_sqlite), terminal_size=size, run_before=run_before)


async def _family_shown(pilot: Pilot[Any]) -> None:
    """Until the header, the guardians and the statement are filled (several workers)."""
    from textual.widgets import DataTable, Static

    for _ in range(200):
        await settle(pilot)
        screen = pilot.app.screen
        balance = screen.query("#family-balance").results(Static)
        tables = list(screen.query("#guardians, #statement-table").results(DataTable))
        if (
            any("Solde" in str(b.render()) for b in balance)
            and len(tables) == 2
            and all(t.row_count for t in tables)
        ):
            return
    raise AssertionError("the family screen never finished loading")


def test_help_on_the_family_screen(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await search_for(pilot, "helene")
        await pilot.press("enter")
        await _family_shown(pilot)
        await pilot.press("f1")
        await _still(pilot)

    assert snap_compare(snapshot_app(seeded_sqlite), terminal_size=size, run_before=run_before)


def test_registrar_home(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded_sqlite: Database,
    size: tuple[int, int],
) -> None:
    """A registrar's home screen shows the desk keys (F7 queue, F12 audit) in the footer."""

    assert snap_compare(
        snapshot_app(seeded_sqlite), terminal_size=size, run_before=at_registrar_home
    )

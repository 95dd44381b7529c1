"""SVG snapshots of the command palette open with results, at 80×24 and 120×36.

The app is wired as app.py wires the palette (tests/screens/session/palette_app.py), on a SQLite
copy of the migrated template with the seeded counter world and the fixed clock.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.helpers import settle, sign_in, type_text
from tests.screens.session.palette_app import PayScreen, palette_app
from tests.snapshots.support import SnapCompare
from tests.snapshots.support import still as _still


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

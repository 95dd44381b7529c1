"""SVG snapshots of the school-year screens (F5) at 80×24 and 120×36: the terms, a term's
form (new), the rollover's dry run, a term's groups, a group's form (edit) and the new
teacher's form, on the screens' seeded school year."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.helpers import settle, sign_in_registrar
from tests.screens.school_year.fixtures import seed_school_year
from tests.snapshots.support import AppFactory, SnapCompare
from tests.snapshots.support import still as _still

KEYS = {
    "terms": ("f5",),
    "term_form": ("f5", "n"),
    "rollover": ("f5", "r"),
    "groups": ("f5", "down", "enter"),
    "group_form": ("f5", "down", "enter", "e"),
    "teacher_form": ("f5", "down", "enter", "e", "ctrl+t"),
}


@pytest.mark.parametrize("screen", list(KEYS))
def test_school_year_screen(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    snapshot_db: Database,
    size: tuple[int, int],
    screen: str,
) -> None:
    seed_school_year(snapshot_db)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        for key in KEYS[screen]:
            await pilot.press(key)
            await settle(pilot)
        await _still(pilot)

    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)

"""SVG snapshots of admission at 80×24 and 120×36: the new-family form (with an error
under its box), the possible-duplicates dialog, and the guardian form (every field).

Built from `create_app` with the fixed clock and the shared counter world of
`tests/screens/fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.fixtures import Seeded, seed
from tests.screens.helpers import settle, sign_in, type_text
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def seeded(snapshot_db: Database) -> Seeded:
    return seed(snapshot_db)


async def _new_family(pilot: Pilot[Any], *values: str) -> None:
    await settle(pilot)
    await sign_in(pilot)
    await pilot.press("f2")
    await settle(pilot)
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")
    await settle(pilot)


def test_new_family_form_with_an_error(
    snap_compare: SnapCompare, snapshot_app: AppFactory, snapshot_db: Database, seeded: Seeded,
    size: tuple[int, int],
) -> None:  # fmt: skip
    async def run_before(pilot: Pilot[Any]) -> None:
        await _new_family(pilot, "Sophie", "Lévesque", "mère", "555-0170")
        await pilot.press("ctrl+s")
        # The refusal comes back from a worker: on a busy machine, a few frames later.
        for _ in range(50):
            await settle(pilot)
            if str(pilot.app.screen.query_one("#payer-phone-message").render()).strip():
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)


def test_duplicates_dialog(
    snap_compare: SnapCompare, snapshot_app: AppFactory, snapshot_db: Database, seeded: Seeded,
    size: tuple[int, int],
) -> None:  # fmt: skip
    async def run_before(pilot: Pilot[Any]) -> None:
        await _new_family(pilot, "helene", "TREMBLAY", "", "514.555.0101")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)


def test_guardian_form_every_field(
    snap_compare: SnapCompare, snapshot_app: AppFactory, snapshot_db: Database, seeded: Seeded,
    size: tuple[int, int],
) -> None:  # fmt: skip
    async def run_before(pilot: Pilot[Any]) -> None:
        from registrar_tui.screens.counter.family import FamilyScreen
        from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen

        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(FamilyScreen(seeded.tremblay_id))
        await settle(pilot)
        await pilot.press("down", "e")
        await settle(pilot)
        assert isinstance(pilot.app.screen, GuardianEditScreen)

    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)

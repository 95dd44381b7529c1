"""SVG snapshots of a family's receipts at 80×24 and 120×36 (a voided one, a second page).

Built from `create_app` with the fixed clock and the counter day of
`tests/screens/counter/counter_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.counter.receipts import ReceiptsScreen
from tests.screens.counter.counter_fixtures import Counter, seed_counter
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def counter_sqlite(snapshot_db: Database) -> tuple[Database, Counter]:
    counter = seed_counter(snapshot_db)
    return snapshot_db, counter


async def _open(pilot: Pilot[Any], family_id: int) -> None:
    await settle(pilot)
    await sign_in(pilot)
    await pilot.app.push_screen(ReceiptsScreen(family_id))
    await settle(pilot)


def test_receipts_with_a_voided_one(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_sqlite: tuple[Database, Counter],
    size: tuple[int, int],
) -> None:
    db, counter = counter_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.tremblay_id)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_receipts_second_page(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_sqlite: tuple[Database, Counter],
    size: tuple[int, int],
) -> None:
    db, counter = counter_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.bouchard_id)
        await pilot.press("pagedown")
        await settle(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

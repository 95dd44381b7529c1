"""SVG snapshots of a family's receipts at 80×24 and 120×36 (a voided one, a second page).

Built from `create_app` with the fixed clock and the counter day of
`tests/screens/counter/counter_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.counter.receipts import ReceiptsScreen
from tests.screens.counter.counter_fixtures import Counter, seed_counter
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import SIZES, SnapCompare, open_copy
from tests.snapshots.support import snapshot_app as _app


@pytest.fixture
def counter_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Database, Counter]]:
    db = open_copy(sqlite_template, tmp_path)
    counter = seed_counter(db)
    yield db, counter
    db.dispose()


async def _open(pilot: Pilot[Any], family_id: int) -> None:
    await settle(pilot)
    await sign_in(pilot)
    await pilot.app.push_screen(ReceiptsScreen(family_id))
    await settle(pilot)


@SIZES
def test_receipts_with_a_voided_one(
    snap_compare: SnapCompare, counter_sqlite: tuple[Database, Counter], size: tuple[int, int]
) -> None:
    db, counter = counter_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.tremblay_id)

    assert snap_compare(_app(db), terminal_size=size, run_before=run_before)


@SIZES
def test_receipts_second_page(
    snap_compare: SnapCompare, counter_sqlite: tuple[Database, Counter], size: tuple[int, int]
) -> None:
    db, counter = counter_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.bouchard_id)
        await pilot.press("pagedown")
        await settle(pilot)

    assert snap_compare(_app(db), terminal_size=size, run_before=run_before)

"""SVG snapshots of the registrar's queue at 80×24 and 120×36 (a conflict flagged), and
of a request in conflict opened field by field.

Built from `create_app` with the fixed clock and the queue of
`tests/screens/desk/queue_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.desk.queue_fixtures import QueueWorld, seed_queue
from tests.screens.helpers import settle, sign_in_registrar
from tests.snapshots.support import SIZES, SnapCompare, open_copy
from tests.snapshots.support import snapshot_app as _app


@pytest.fixture
def queue_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Database, QueueWorld]]:
    db = open_copy(sqlite_template, tmp_path)
    world = seed_queue(db)
    yield db, world
    db.dispose()


async def _open_queue(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in_registrar(pilot)
    await pilot.press("f7")
    await settle(pilot)


@SIZES
def test_queue_with_a_conflict(
    snap_compare: SnapCompare,
    queue_sqlite: tuple[Database, QueueWorld],
    size: tuple[int, int],
) -> None:
    db, _world = queue_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_queue(pilot)
        await pilot.press("down", "down", "down", "down")  # Marc's request: the conflict
        await settle(pilot)

    assert snap_compare(_app(db), terminal_size=size, run_before=run_before)


@SIZES
def test_request_in_conflict(
    snap_compare: SnapCompare,
    queue_sqlite: tuple[Database, QueueWorld],
    size: tuple[int, int],
) -> None:
    db, _world = queue_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_queue(pilot)
        await pilot.press("down", "down", "down", "down", "enter")
        await settle(pilot)

    assert snap_compare(_app(db), terminal_size=size, run_before=run_before)

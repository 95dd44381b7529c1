"""SVG snapshots of the registrar's queue at 80×24 and 120×36 (a conflict flagged), and
of a request in conflict opened field by field.

Built from `create_app` with the fixed clock and the queue of
`tests/screens/desk/queue_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.desk.queue_fixtures import QueueWorld, seed_queue
from tests.screens.helpers import settle, sign_in_registrar
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def queue_sqlite(snapshot_db: Database) -> tuple[Database, QueueWorld]:
    world = seed_queue(snapshot_db)
    return snapshot_db, world


async def _open_queue(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in_registrar(pilot)
    await pilot.press("f7")
    await settle(pilot)


def test_queue_with_a_conflict(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    queue_sqlite: tuple[Database, QueueWorld],
    size: tuple[int, int],
) -> None:
    db, _world = queue_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_queue(pilot)
        await pilot.press("down", "down", "down", "down")  # Marc's request: the conflict
        await settle(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_request_in_conflict(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    queue_sqlite: tuple[Database, QueueWorld],
    size: tuple[int, int],
) -> None:
    db, _world = queue_sqlite

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_queue(pilot)
        await pilot.press("down", "down", "down", "down", "enter")
        await settle(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

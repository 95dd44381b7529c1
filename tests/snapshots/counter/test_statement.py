"""SVG snapshots of the statement of account (in its harness) and of the invoice detail.

At 80×24 and 120×36, from `create_app` with the fixed clock and the statement fixtures on
a SQLite copy of the migrated template. Cursor blink and animations are off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.counter.statement_fixtures import (
    StatementHarness,
    StatementWorld,
    seed_statement,
)
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def seeded(snapshot_db: Database) -> tuple[Database, StatementWorld]:
    world = seed_statement(snapshot_db)
    return snapshot_db, world


def _open_statement(family_id: int, *keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(StatementHarness(family_id))
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


def test_statement(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded: tuple[Database, StatementWorld],
    size: tuple[int, int],
) -> None:
    """Three invoices: paid, overdue and open (the last two ticked), totals below."""
    db, world = seeded
    assert snap_compare(
        snapshot_app(db), terminal_size=size, run_before=_open_statement(world.gagnon_id, "down")
    )


def test_statement_second_page(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded: tuple[Database, StatementWorld],
    size: tuple[int, int],
) -> None:
    """200 invoices: the second page, and where it stands in the status line."""
    db, world = seeded
    assert snap_compare(
        snapshot_app(db),
        terminal_size=size,
        run_before=_open_statement(world.big_family_id, "pagedown"),
    )


def test_invoice_detail_after_declining(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded: tuple[Database, StatementWorld],
    size: tuple[int, int],
) -> None:
    """The 350,00 $ invoice with its foundation line declined (struck, 'refusée')."""
    db, world = seeded
    run_before = _open_statement(world.gagnon_id, "down", "down", "enter", "d")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

"""SVG snapshots of the payment plan screen: the form with the service's preview, and a
plan whose first instalment is paid. At 80×24 and 120×36, fixed clock, SQLite copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.counter.family import FamilyScreen
from tests.screens.counter.plan_fixtures import PlanWorld, pay_cash, seed_plan
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def seeded(snapshot_db: Database) -> tuple[Database, PlanWorld]:
    return snapshot_db, seed_plan(snapshot_db)


def _open_plan(world: PlanWorld, *keys: str, paid: Database | None = None) -> Callable[..., Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(FamilyScreen(world.family_id, initial_tab="billing"))
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        if paid is not None:
            await pilot.press("ctrl+s")
            await settle(pilot)
            pay_cash(paid, world, "300.00", "900.00")
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


def test_plan_form(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded: tuple[Database, PlanWorld],
    size: tuple[int, int],
) -> None:
    """900,00 $ in three monthly instalments from 15 December: the preview beside the form."""
    db, world = seeded
    assert snap_compare(
        snapshot_app(db), terminal_size=size, run_before=_open_plan(world, *"2026-12-15")
    )


def test_plan_chosen_amounts_short(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded: tuple[Database, PlanWorld],
    size: tuple[int, int],
) -> None:
    """Chosen amounts that leave 50,00 $ uncovered: the gap and the refusal, named."""
    db, world = seeded
    keys = ("f3", *"2026-12-01", "tab", *"500", "tab", *"2027-01-01", "tab", *"350")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=_open_plan(world, *keys))


def test_plan_first_instalment_paid(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    seeded: tuple[Database, PlanWorld],
    size: tuple[int, int],
) -> None:
    """The plan made, its first 300,00 $ paid at the counter: paid, then two to come."""
    db, world = seeded
    assert snap_compare(
        snapshot_app(db), terminal_size=size, run_before=_open_plan(world, *"2026-12-15", paid=db)
    )

"""SVG snapshots of the office dashboard (F9): the receipts bars, the tables beside them."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.helpers import settle, sign_in_registrar
from tests.screens.office.office_fixtures import seed_office
from tests.snapshots.support import AppFactory, SnapCompare, still


async def _dashboard(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in_registrar(pilot)
    await pilot.press("f9")
    await settle(pilot)
    await still(pilot)


def test_the_office_dashboard(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    snapshot_db: Database,
    size: tuple[int, int],
) -> None:
    seed_office(snapshot_db)
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=_dashboard)

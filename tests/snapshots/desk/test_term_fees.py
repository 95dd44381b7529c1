"""SVG snapshot of the late-confirmation fee's preview (F6, `f`): who would be charged,
their families and the total, before the key that charges."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.desk.term_fees import TermFeesScreen
from tests.screens.desk.reenrolment_fixtures import seed_reenrolment
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare


async def _preview(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
    await pilot.app.push_screen(TermFeesScreen())
    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)


def test_the_late_fee_preview(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    snapshot_db: Database,
    size: tuple[int, int],
) -> None:
    seed_reenrolment(snapshot_db)
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=_preview)

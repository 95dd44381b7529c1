"""SVG snapshots of the audit viewer at 80×24 and 120×36: the list, and an event's detail.

Built from `create_app` with the fixed clock and the trail of
`tests/screens/desk/audit_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from tests.screens.desk.audit_fixtures import seed_audit
from tests.screens.helpers import settle, sign_in_registrar
from tests.snapshots.support import AppFactory, SnapCompare, still


@pytest.fixture
def audit_sqlite(snapshot_db: Database) -> Database:
    seed_audit(snapshot_db)
    return snapshot_db


async def _open(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in_registrar(pilot)
    await pilot.press("f12")
    await settle(pilot)


def test_audit_log_first_page(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    audit_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot)
        await still(pilot)

    assert snap_compare(snapshot_app(audit_sqlite), terminal_size=size, run_before=run_before)


def test_audit_event_detail(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    audit_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot)
        await pilot.press("down", "down", "enter")  # the clerk's change of a phone
        await settle(pilot)
        await still(pilot)

    assert snap_compare(snapshot_app(audit_sqlite), terminal_size=size, run_before=run_before)

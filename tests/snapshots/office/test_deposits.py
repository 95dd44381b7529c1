"""SVG snapshots of the deposit screen at 80×24 and 120×36: the week to deposit, the count
typed (short by 20 $), then the deposit prepared.

Built from `create_app` with the fixed clock and the closed week of
`tests/screens/office/deposit_fixtures.py` in a SQLite copy of the migrated template.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.db import Database
from registrar_tui.models import StaffUser
from registrar_tui.models.base import require_id
from registrar_tui.screens.office.deposits import DepositScreen
from registrar_tui.services.ledger.deposits import depositable, prepare_deposit
from registrar_tui.services.school_year.groups import establishment_id_by_code
from tests.screens.helpers import settle, sign_in_registrar, type_text
from tests.screens.office.deposit_fixtures import seed_deposits
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def deposits_sqlite(
    snapshot_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    # The status line names the saved slip: one fixed folder, the same in every picture.
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", "/tmp/registrar-snapshots")
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    seed_deposits(snapshot_db)
    return snapshot_db


async def _open_deposits(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in_registrar(pilot)
    await pilot.app.push_screen(DepositScreen())
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


def test_deposit_count_short(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    deposits_sqlite: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_deposits(pilot)
        await type_text(pilot, "3")
        await pilot.press("enter", "enter")
        await type_text(pilot, "1")
        await settle(pilot)

    assert snap_compare(snapshot_app(deposits_sqlite), terminal_size=size, run_before=run_before)


def test_deposit_prepared_earlier(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    deposits_sqlite: Database,
    size: tuple[int, int],
) -> None:
    """Prepared yesterday, not made yet: F4 made, F6 abandon, F8 print."""
    with deposits_sqlite.read() as uow:
        registrar = uow.session.exec(select(StaffUser).where(StaffUser.username == "registrar"))
        actor_id = require_id(registrar.one())
        montreal = establishment_id_by_code(uow, "MTL")
        site = depositable(uow, actor_id, montreal)
    with deposits_sqlite.write() as uow:
        prepare_deposit(uow, actor_id, montreal, site.payment_ids, {D("100.00"): 3, D("20.00"): 2})

    assert snap_compare(
        snapshot_app(deposits_sqlite), terminal_size=size, run_before=_open_deposits
    )

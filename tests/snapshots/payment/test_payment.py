"""SVG snapshots of the payment modal at 80×24 and 120×36: cash with change due, debit fields.

Built like `test_screens.py`: `create_app` with the fixed clock on a SQLite copy of the
migrated template, seeded with the payment tests' counter; no blinking cursor.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.payment.screen import PaymentScreen
from tests.screens.helpers import paste, settle, sign_in, type_text
from tests.screens.payment.payment_fixtures import Counter, seed_counter
from tests.snapshots.support import AppFactory, SnapCompare
from tests.snapshots.support import still as _still


@pytest.fixture
def counter_db(snapshot_db: Database) -> tuple[Database, Counter]:
    return snapshot_db, seed_counter(snapshot_db)


async def _open(pilot: Pilot[Any], family_id: int, invoice_ids: tuple[int, ...]) -> None:
    await settle(pilot)
    await sign_in(pilot)
    pilot.app.push_screen(PaymentScreen(family_id, invoice_ids))
    await settle(pilot)


def test_cash_with_change_due(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_db: tuple[Database, Counter],
    size: tuple[int, int],
) -> None:
    db, counter = counter_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.tremblay_id, (counter.tremblay_invoice_id,))
        await type_text(pilot, "300")
        await _still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_debit_over_two_invoices(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_db: tuple[Database, Counter],
    size: tuple[int, int],
) -> None:
    db, counter = counter_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(
            pilot, counter.lavallee_id, (counter.lavallee_older_id, counter.lavallee_later_id)
        )
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("shift+tab")
        await type_text(pilot, "400")
        await pilot.press("tab")
        await type_text(pilot, "4242")
        await _still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_the_credit_question(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_db: tuple[Database, Counter],
    size: tuple[int, int],
) -> None:
    """295 typed in « Montant » for 275,00 $: one line asks before leaving 20,00 $ of credit."""
    db, counter = counter_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.tremblay_id, (counter.tremblay_invoice_id,))
        await pilot.press("tab")
        await type_text(pilot, "295")
        await settle(pilot)
        await pilot.press("enter")
        await _still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_an_unreadable_amount_and_a_refused_paste(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    counter_db: tuple[Database, Counter],
    size: tuple[int, int],
) -> None:
    """The figures of `1e9` are blank and say why; a paste too long is refused under its box."""
    db, counter = counter_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, counter.tremblay_id, (counter.tremblay_invoice_id,))
        await paste(pilot, "3" * 10_000)
        await pilot.press("tab")
        await type_text(pilot, "1e9")
        await _still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)

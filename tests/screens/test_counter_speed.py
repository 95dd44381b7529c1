"""Counter speed: a cash payment in full, receipt included, in at most 12 key presses.

From the home screen: four letters of the name, Enter (the family), F9 (pay the unpaid
invoices, pre-selected), Enter (cash, tendered = amount): 7 keys. The test counts every
key it presses, then checks the database and the receipt PDF.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.widgets import Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.models import Allocation, Payment, PaymentMethod, Receipt
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.payment.screen import PaymentScreen
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.fixtures import seed
from tests.screens.helpers import CountedPresses, settle, shown, sign_in

KEY_BUDGET = 12


def test_cash_in_full_in_at_most_twelve_keys(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(database)
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    app = create_app(database=database, clock=fixed_clock)
    press = CountedPresses()

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)  # before the home screen: not counted
            await press(pilot, "t", "r", "e", "m")
            await press(pilot, "enter")
            assert isinstance(app.screen, FamilyScreen)
            assert app.screen.family_id == seeded.tremblay_id
            await press(pilot, "f9")
            assert isinstance(app.screen, PaymentScreen)
            await press(pilot, "enter")
            done = shown(app.screen.query_one("#done-title", Static))
            assert "MTL-2026-" in done
            await press(pilot, "enter")  # close the receipt panel: back to the family
            assert isinstance(app.screen, FamilyScreen)
            await settle(pilot)
            balance = shown(app.screen.query_one("#family-balance", Static))
            assert f"Solde : {format_money(Decimal('0.00'))}" in balance

    asyncio.run(main())
    assert len(press.pressed) <= KEY_BUDGET, press.pressed
    with database.read() as uow:
        payment = uow.session.exec(
            select(Payment)
            .where(col(Payment.family_id) == seeded.tremblay_id)
            .order_by(col(Payment.id).desc())
        ).first()
        assert payment is not None
        assert (payment.method, payment.amount, payment.change) == (
            PaymentMethod.CASH,
            Decimal("275.00"),
            Decimal("0.00"),
        )
        applied = uow.session.exec(
            select(Allocation.amount).where(col(Allocation.payment_id) == payment.id)
        ).all()
        assert list(applied) == [Decimal("275.00")]
        number = uow.session.exec(
            select(Receipt.number).where(col(Receipt.payment_id) == payment.id)
        ).one()
    receipt = tmp_path / "receipts" / f"{number}.pdf"
    text = text_of(receipt.read_bytes())
    assert number in text and "Tremblay" in text and "275,00 $" in text

"""Pilot tests of the activities (scenario 10): F8, the filtered list, an activity, a
registration with quantities, its invoice paid from the family's statement with F9; and
a late registration (the registrar's reason; a clerk is told only a registrar can)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    ActivityRegistration,
    Allocation,
    Invoice,
    InvoiceLine,
    OutboxMessage,
)
from registrar_tui.screens.activities.activity import ActivityScreen
from registrar_tui.screens.activities.catalogue import ActivitiesScreen
from registrar_tui.screens.activities.register import RegisterScreen
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.payment.screen import PaymentScreen
from tests.conftest import fixed_clock
from tests.screens.activities.activities_fixtures import (
    GAUTHIER_EMAIL,
    LATE_REASON,
    LUNCHES,
    ActivityWorld,
    seed_activities,
)
from tests.screens.helpers import rows, settle, shown, sign_in, sign_in_registrar, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> ActivityWorld:
    return seed_activities(database)


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def text(app: RegistrarApp, selector: str) -> str:
    return plain(shown(app.screen.query_one(selector, Static)))


def table(app: RegistrarApp, selector: str) -> list[str]:
    return [plain(row) for row in rows(app.screen.query_one(selector, DataTable))]


def notices(app: RegistrarApp) -> list[str]:
    return [plain(str(notification.message)) for notification in app._notifications]


def run(app: RegistrarApp, scenario: Scenario, *, registrar: bool = False) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in_registrar(pilot) if registrar else sign_in(pilot))
            await scenario(pilot)

    asyncio.run(main())


def test_scenario_10_three_lunches_registered_invoiced_and_paid(
    database: Database, world: ActivityWorld, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        assert len(table(app, "#activities-table")) == 4
        await type_text(pilot, "diner")  # the keyword box has the cursor
        await settle(pilot)
        [lunches] = table(app, "#activities-table")
        assert lunches.split(" | ") == [
            "2026-12-11",
            LUNCHES,
            "Financement",
            "MTL",
            "2026-11-27",
            "2",
        ]
        await pilot.press("enter", "enter")  # to the table, then open the row
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert LUNCHES in text(app, "#activity-title")
        assert "inscription jusqu'au 27 nov. 2026 (ouverte)" in text(app, "#activity-info")
        assert table(app, "#items-table")[0].split(" | ")[2:] == ["5,50 $", "2", "11,00 $"]
        assert "27,50 $ · 2 inscriptions" in text(app, "#activity-totals")

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        assert not app.screen.query("#override-reason")  # before the deadline: no reason
        await type_text(pilot, "gauthier zo")
        await settle(pilot)
        await pilot.press("enter")  # the highlighted student
        assert "Gauthier, Zoé  201399001" in text(app, "#student-chosen")
        assert app.focused is app.screen.query_one("#qty-0", Input)
        await pilot.press("1", "enter", "1", "enter", "1", "enter")  # the last one registers
        await settle(pilot)

        assert isinstance(app.screen, ActivityScreen)
        assert "44,00 $ · 3 inscriptions" in text(app, "#activity-totals")
        newest = table(app, "#registrations-table")[0].split(" | ")
        assert newest[:2] == ["Zoé Gauthier", "Gauthier"] and newest[3:5] == ["16,50 $"] * 2
        number = newest[2]
        assert any(
            f"facture {number} de 16,50 $" in notice and GAUTHIER_EMAIL in notice
            for notice in notices(app)
        )

        await pilot.press("f")  # the family's statement, to take the payment
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert app.screen.query_one("#amount", Input).value == "16,50"
        await type_text(pilot, "20")  # cash handed over
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # close the receipt summary
        await settle(pilot)
        await pilot.press("escape")  # back to the activity
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert table(app, "#registrations-table")[0].split(" | ")[4] == "0,00 $"

    run(app, scenario)

    with database.read() as uow:
        registration = uow.session.exec(
            select(ActivityRegistration).where(col(ActivityRegistration.student_id) == world.zoe_id)
        ).one()
        invoice = uow.session.get(Invoice, registration.invoice_id)
        assert invoice is not None and invoice.family_id == world.gauthier_id
        amounts = uow.session.exec(
            select(InvoiceLine.amount).where(col(InvoiceLine.invoice_id) == invoice.id)
        ).all()
        paid = uow.session.exec(
            select(Allocation.amount).where(col(Allocation.invoice_id) == invoice.id)
        ).all()
        mailed = uow.session.exec(
            select(OutboxMessage.kind, OutboxMessage.recipient)
            .where(col(OutboxMessage.family_id) == world.gauthier_id)
            .order_by(col(OutboxMessage.id))
        ).all()
    assert list(amounts) == [Decimal("5.50")] * 3 and list(paid) == [Decimal("16.50")]
    # The confirmation with the invoice, then the receipt of the payment.
    assert list(mailed) == [("activity_registration", GAUTHIER_EMAIL), ("receipt", GAUTHIER_EMAIL)]


def test_late_registration_needs_a_registrar_and_a_reason(
    database: Database, world: ActivityWorld
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await app.push_screen(ActivityScreen(world.outing_id))
        await settle(pilot)
        assert "(passée)" in text(app, "#activity-info")
        assert f"retard : {LATE_REASON}" in table(app, "#registrations-table")[0]
        await pilot.press("n")
        await settle(pilot)
        assert "indiquez la raison du retard" in text(app, "#deadline-note")
        await type_text(pilot, "gauthier")
        await settle(pilot)
        await pilot.press("enter", "1", "enter", "enter")  # no reason yet
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        assert "indiquez la raison" in text(app, "#override_reason-message")
        await type_text(pilot, "Appel le 20")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert "retard : Appel le 20" in table(app, "#registrations-table")[0]

    run(app, scenario, registrar=True)

    clerk_app = create_app(database=database, clock=fixed_clock)

    async def as_clerk(pilot: Pilot[None]) -> None:
        await clerk_app.push_screen(ActivityScreen(world.outing_id))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert "seul un registraire peut inscrire" in text(clerk_app, "#deadline-note")
        assert not clerk_app.screen.query("#override-reason")

    run(clerk_app, as_clerk)


def test_the_date_filters_read_whole_in_english(database: Database, world: ActivityWorld) -> None:
    """The catalogue's « Du » box read « Fro » in English: its label was 3 cells wide."""
    from textual.widgets import Label

    app = create_app(database=database, clock=fixed_clock, language="en")

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f8")
        await settle(pilot)
        label = app.screen.query_one(".filter-label.filter-from", Label)
        assert str(label.render()) == "From"
        assert label.content_region.width >= len("From")

    run(app, scenario)

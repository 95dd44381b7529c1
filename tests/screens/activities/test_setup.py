"""Pilot tests of setting activities up (issue #14 §4): a registrar creates an activity
with two items from the catalogue's keys, registers a student to it with the register
screen, then cancels it (the dry run first) and sees the credit; a clerk has no set-up
key; a wrong field shows its message under the field."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    Activity,
    ActivityItem,
    ActivityRegistration,
    AuditEvent,
    CreditNote,
)
from registrar_tui.screens.activities.activity import ActivityScreen
from registrar_tui.screens.activities.activity_form import ActivityFormScreen
from registrar_tui.screens.activities.cancel import CancelActivityScreen
from registrar_tui.screens.activities.catalogue import ActivitiesScreen
from registrar_tui.screens.activities.item_form import ItemFormScreen
from registrar_tui.screens.activities.register import RegisterScreen
from registrar_tui.services.ledger.statement import invoice_figures
from tests.conftest import fixed_clock
from tests.screens.activities.activities_fixtures import ActivityWorld, seed_activities
from tests.screens.activities.test_activities import Scenario, notices, plain, table, text
from tests.screens.helpers import settle, sign_in, sign_in_registrar, type_text

TITLE = "Vente de biscuits"


@pytest.fixture
def world(database: Database) -> ActivityWorld:
    return seed_activities(database)


def run(app: RegistrarApp, scenario: Scenario, *, registrar: bool) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in_registrar(pilot) if registrar else sign_in(pilot))
            await scenario(pilot)

    asyncio.run(main())


def keys_shown(app: RegistrarApp) -> set[str]:
    """The keys the footer offers (shown and enabled) on the current screen."""
    return {
        key for key, active in app.screen.active_bindings.items()
        if active.binding.show and active.enabled
    }  # fmt: skip


async def fill(pilot: Pilot[None], *values: str) -> None:
    """Type each value in the focused box and Enter (the next box; the last one saves)."""
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")
    await settle(pilot)


async def new_item(pilot: Pilot[None], *values: str) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ItemFormScreen)
    await fill(pilot, *values)


def test_a_registrar_creates_an_activity_with_two_items_registers_and_cancels(
    database: Database, world: ActivityWorld
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityFormScreen)
        assert "Nouvelle activité" in text(app, "#activity-form-title")
        # The type (a list): Shift+Tab twice from the title, Enter, the next one, Enter.
        await pilot.press("shift+tab", "shift+tab", "enter", "down", "enter")
        await settle(pilot)
        await pilot.press("tab", "tab")
        assert app.focused is app.screen.query_one("#field-title")
        # Title, description, date, a deadline after the date: refused under its field.
        await fill(pilot, TITLE, "Au profit de la chorale.", "2026-12-18", "2026-12-19", "", "")
        assert "doit précéder la date de l'activité" in text(app, "#registration_deadline-message")
        assert app.focused is app.screen.query_one("#field-registration_deadline")
        await type_text(pilot, "2026-12-10")  # the box's text was selected: replaced
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Activité enregistrée. Ctrl+N : ajouter un article." in text(
            app, "#activity-form-status"
        )
        assert TITLE in text(app, "#activity-form-title")

        await new_item(pilot, "101", "Biscuits", "4,25", "", "3")
        assert isinstance(app.screen, ActivityFormScreen)
        await new_item(pilot, "101", "Chocolat chaud", "2,00", "", "")
        assert isinstance(app.screen, ItemFormScreen)  # the code is taken
        assert "Le code 101 est déjà celui d'un autre article" in plain(text(app, "#code-message"))
        assert app.focused is app.screen.query_one("#item-code")
        await pilot.press("1", "0", "2", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActivityFormScreen)
        assert [row.split(" | ")[:2] for row in table(app, "#form-items")] == [
            ["101", "Biscuits"],
            ["102", "Chocolat chaud"],
        ]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        await type_text(pilot, "biscuits")
        await settle(pilot)
        [row] = table(app, "#activities-table")
        assert row.split(" | ")[:3] == ["2026-12-18", TITLE, "Financement"]

        await pilot.press("enter", "enter")  # the table, then the activity
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        await type_text(pilot, "gauthier zo")
        await settle(pilot)
        await pilot.press("enter", "backspace", "4", "enter", "backspace", "1", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)  # 4 biscuits: more than 3
        assert text(app, "#quantities-message") == "101 - Biscuits : au plus 3 par inscription."
        await pilot.press("shift+tab", "backspace", "2", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert any("de 10,50 $" in notice for notice in notices(app))
        assert table(app, "#registrations-table")[0].split(" | ")[3] == "10,50 $"

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, CancelActivityScreen)
        [line] = table(app, "#activity-cancel-invoices")
        assert line.split(" | ")[1:] == ["Zoé Gauthier", "Gauthier", "10,50 $", "0,00 $"]
        assert "1 facture créditée par note de crédit : 10,50 $" in text(
            app, "#activity-cancel-totals"
        )
        await pilot.press("enter")  # no reason yet
        assert "Indiquez un motif." in text(app, "#activity-cancel-status")
        await type_text(pilot, "Chorale dissoute")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        assert any("Activité annulée : 1 note de crédit, 10,50 $" in n for n in notices(app))
        assert table(app, "#activities-table")[0].split(" | ")[4] == "Annulée"
        assert {"f2", "f3", "f4"}.isdisjoint(keys_shown(app))

    run(app, scenario, registrar=True)

    with database.read() as uow:
        activity = uow.session.exec(select(Activity).where(col(Activity.title) == TITLE)).one()
        items = uow.session.exec(
            select(ActivityItem.code, ActivityItem.unit_price, ActivityItem.max_quantity)
            .where(col(ActivityItem.activity_id) == activity.id)
            .order_by(col(ActivityItem.code))
        ).all()
        registration = uow.session.exec(
            select(ActivityRegistration).where(col(ActivityRegistration.activity_id) == activity.id)
        ).one()
        assert registration.invoice_id is not None
        [figures] = invoice_figures(uow, invoice_ids=(registration.invoice_id,))
        note = uow.session.exec(
            select(CreditNote).where(col(CreditNote.invoice_id) == registration.invoice_id)
        ).one()
        actions = uow.session.exec(
            select(AuditEvent.action)
            .where(col(AuditEvent.action).startswith("activity."))
            .order_by(col(AuditEvent.id))
        ).all()
        assert (note.amount, note.reason) == (Decimal("10.50"), "Chorale dissoute")
        assert activity.cancelled_at is not None and activity.registration_deadline.day == 10
        assert activity.kind == "fundraising"
    assert list(items) == [("101", Decimal("4.25"), 3), ("102", Decimal("2.00"), None)]
    assert figures.kept == Decimal("10.50") and figures.is_cancelled and figures.balance == 0
    assert list(actions)[-5:] == [
        "activity.create",
        "activity.item_add",
        "activity.item_add",
        "activity.register",
        "activity.cancel",
    ]


def test_a_clerk_has_no_set_up_key(database: Database, world: ActivityWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        assert {"ctrl+n", "f2", "f3", "f4"}.isdisjoint(keys_shown(app))
        await pilot.press("ctrl+n", "f2", "f3", "f4")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)

    run(app, scenario, registrar=False)
    with database.read() as uow:
        assert uow.session.exec(select(Activity.closed_at)).all() == [None] * 4


def test_a_registrar_closes_an_activity_it_takes_no_registration_then_reopens_it(
    database: Database, world: ActivityWorld
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await type_text(pilot, "diner")
        await settle(pilot)
        await pilot.press("enter")
        assert "f3" in keys_shown(app)
        await pilot.press("f3")
        await settle(pilot)
        assert table(app, "#activities-table")[0].split(" | ")[4] == "Fermée"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert "(fermée)" in text(app, "#activity-info")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)  # no register key any more
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f3")  # opened again
        await settle(pilot)
        assert table(app, "#activities-table")[0].split(" | ")[4] == "2026-11-27"
        assert any("Activité rouverte aux inscriptions" in n for n in notices(app))

    run(app, scenario, registrar=True)
    with database.read() as uow:
        lunches = uow.session.get(Activity, world.lunches_id)
        assert lunches is not None and lunches.closed_at is None
        actions = uow.session.exec(
            select(AuditEvent.action).where(col(AuditEvent.entity_type) == "activity")
        ).all()
    assert list(actions) == ["activity.close", "activity.reopen"]

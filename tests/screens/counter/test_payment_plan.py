"""Scenario 16's plan at the counter, by keyboard: the registrar opens the family's
billing tab, `p`, splits 900,00 $ in three monthly instalments (the service's preview
shown as it is typed), Ctrl+S; the first instalment is paid at the counter and the plan
shows it paid; `x` cancels the plan with a reason. A clerk has no `p`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, PaymentPlan, PaymentPlanInstalment, PlanStatus
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.plan import PaymentPlanScreen
from tests.conftest import fixed_clock
from tests.screens.counter.plan_fixtures import PlanWorld, pay_cash, seed_plan
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import rows, settle, shown, sign_in, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> PlanWorld:
    return seed_plan(database)


def run(database: Database, world: PlanWorld, scenario: Scenario, *, registrar: bool) -> None:
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if registrar:
                await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            else:
                await sign_in(pilot)
            await app.push_screen(FamilyScreen(world.family_id, initial_tab="billing"))
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def text_of(pilot: Pilot[None], selector: str) -> str:
    return shown(pilot.app.screen.query_one(selector, Static)).replace("\xa0", " ")


def table_rows(pilot: Pilot[None], selector: str) -> list[str]:
    found = rows(pilot.app.screen.query_one(selector, DataTable))
    return [row.replace("\xa0", " ") for row in found]


def footer_keys(pilot: Pilot[None]) -> set[str]:
    return {str(key.key) for key in pilot.app.screen.query_one(Footer).query("FooterKey")}


def plans_of(database: Database, world: PlanWorld) -> list[tuple[PlanStatus, list[str]]]:
    with database.read() as uow:
        found = []
        for plan in uow.session.exec(
            select(PaymentPlan).where(col(PaymentPlan.family_id) == world.family_id)
        ).all():
            amounts = uow.session.exec(
                select(PaymentPlanInstalment.amount)
                .where(col(PaymentPlanInstalment.plan_id) == plan.id)
                .order_by(col(PaymentPlanInstalment.sequence))
            ).all()
            found.append((plan.status, [str(amount) for amount in amounts]))
        return found


async def make_three(pilot: Pilot[None]) -> None:
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PaymentPlanScreen)
    assert "Solde à couvrir : 900,00 $" in text_of(pilot, "#plan-summary")
    await type_text(pilot, "2026-12-15")  # the first due date; three monthly by default
    await settle(pilot)


def test_a_three_instalment_plan_is_made_and_its_first_instalment_paid(
    database: Database, world: PlanWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await make_three(pilot)
        assert table_rows(pilot, "#plan-preview") == [
            "1 | 2026-12-15 | 300,00 $",
            "2 | 2027-01-15 | 300,00 $",
            "3 | 2027-02-15 | 300,00 $",
        ]
        assert "Écart : 0,00 $" in text_of(pilot, "#plan-totals")
        assert "ctrl+s" in footer_keys(pilot)

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert plans_of(database, world) == [(PlanStatus.ACTIVE, ["300.00"] * 3)]
        assert "en cours" in text_of(pilot, "#plan-summary")
        assert [row.split(" | ")[-1] for row in table_rows(pilot, "#plan-instalments")] == [
            "à venir"
        ] * 3

        # The family pays the first instalment at the counter.
        pay_cash(database, world, "300.00", "900.00")
        await pilot.press("escape")
        await settle(pilot)
        assert "échéancier : 600,00 $ à payer" in text_of(pilot, "#statement-status")
        await pilot.press("p")
        await settle(pilot)
        assert table_rows(pilot, "#plan-instalments") == [
            "1 | 2026-12-15 | 300,00 $ | 300,00 $ | 0,00 $ | payée",
            "2 | 2027-01-15 | 300,00 $ | 0,00 $ | 300,00 $ | à venir",
            "3 | 2027-02-15 | 300,00 $ | 0,00 $ | 300,00 $ | à venir",
        ]
        summary = text_of(pilot, "#plan-summary")
        assert "Payé : 300,00 $" in summary and "Reste : 600,00 $" in summary

    run(database, world, scenario, registrar=True)


def test_chosen_amounts_that_miss_the_balance_are_refused_before_saving(
    database: Database, world: PlanWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("f3")  # each instalment's date and amount
        await settle(pilot)
        await type_text(pilot, "2026-12-01")
        await pilot.press("tab")
        await type_text(pilot, "500")
        await pilot.press("tab")
        await type_text(pilot, "2027-01-01")
        await pilot.press("tab")
        await type_text(pilot, "350")
        await settle(pilot)
        assert "Écart : 50,00 $" in text_of(pilot, "#plan-totals")
        problems = text_of(pilot, "#plan-problems")
        assert "Total : Les échéances totalisent 850,00 $" in problems

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert plans_of(database, world) == []

        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "400")
        await settle(pilot)
        assert text_of(pilot, "#plan-problems") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert plans_of(database, world) == [(PlanStatus.ACTIVE, ["500.00", "400.00"])]

    run(database, world, scenario, registrar=True)


def test_x_cancels_the_plan_with_a_reason(database: Database, world: PlanWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await make_three(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "x" in footer_keys(pilot)
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, "Nouvelle entente")
        await pilot.press("enter")
        await settle(pilot)
        assert plans_of(database, world) == [(PlanStatus.CANCELLED, ["300.00"] * 3)]
        # The form is back, for a new plan.
        assert "Solde à couvrir : 900,00 $" in text_of(pilot, "#plan-summary")
        with database.read() as uow:
            event = uow.session.exec(
                select(AuditEvent).where(col(AuditEvent.action) == "payment_plan.cancel")
            ).one()
            assert "Nouvelle entente" in event.after_json

    run(database, world, scenario, registrar=True)


def test_a_clerk_has_no_plan_key(database: Database, world: PlanWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        assert "p" not in footer_keys(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FamilyScreen)

    run(database, world, scenario, registrar=False)

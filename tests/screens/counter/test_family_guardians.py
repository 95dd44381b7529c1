"""The family's identity tab by keyboard: add (A), edit names (E), make payer (P), remove (R)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import Guardian
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
from registrar_tui.screens.desk.modals import ConfirmScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import Seeded, seed
from tests.screens.helpers import rows, settle, sign_in, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed(database)


def run(app: RegistrarApp, family_id: int, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.open_family(family_id)
            await settle(pilot)
            assert isinstance(app.screen, FamilyScreen)
            await scenario(pilot)

    asyncio.run(main())


def guardian_rows(app: RegistrarApp) -> list[str]:
    return rows(app.screen.query_one("#guardians", DataTable))


def stored(db: Database, family_id: int) -> list[tuple[str, str, bool, bool]]:
    with db.read() as uow:
        return [
            (g.first_name, g.last_name, g.is_payer, g.removed_at is not None)
            for g in uow.session.exec(
                select(Guardian)
                .where(col(Guardian.family_id) == family_id)
                .order_by(col(Guardian.id))
            )
        ]


async def confirm_after_dialog(pilot: Pilot[None]) -> None:
    """`o` in the confirmation, then let the app's key queue see the dialog is gone."""
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await pilot.press("o")
    await settle(pilot)
    await pilot.pause(0.6)
    await settle(pilot)


def test_edit_a_guardians_names(database: Database, seeded: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "e")  # Marc, the second guardian
        await settle(pilot)
        form = app.screen
        assert isinstance(form, GuardianEditScreen)
        assert form.query_one("#contact-first_name", Input).value == "Marc"
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "Marc-André")
        await pilot.press("enter", "home", "ctrl+k")
        await type_text(pilot, "Gagnon-Côté")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert guardian_rows(app)[1].startswith("Marc-André Gagnon-Côté | père")

    run(app, seeded.tremblay_id, scenario)
    assert ("Marc-André", "Gagnon-Côté", False, False) in stored(database, seeded.tremblay_id)


def test_change_the_payer_after_confirming(database: Database, seeded: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        # On the payer, P does nothing (dimmed).
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        await pilot.press("down", "p")
        await settle(pilot)
        await confirm_after_dialog(pilot)
        assert isinstance(app.screen, FamilyScreen)
        shown_rows = guardian_rows(app)
        assert shown_rows[0].startswith("Marc Gagnon | père · payeur")
        assert shown_rows[1].startswith("Hélène Tremblay | mère |")

    run(app, seeded.tremblay_id, scenario)
    assert stored(database, seeded.tremblay_id) == [
        ("Hélène", "Tremblay", False, False),
        ("Marc", "Gagnon", True, False),
    ]


def test_remove_a_guardian_then_add_another(database: Database, seeded: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("r")  # the payer: refused before asking
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        await pilot.press("down", "r")
        await settle(pilot)
        await confirm_after_dialog(pilot)
        assert [row.split(" | ")[0] for row in guardian_rows(app)] == ["Hélène Tremblay"]
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, GuardianEditScreen)
        for value in ("Nadia", "Roy", "tante", "514 555 0177"):
            await pilot.press("home", "ctrl+k")
            await type_text(pilot, value)
            await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert guardian_rows(app)[1].startswith("Nadia Roy | tante | 514-555-0177")

    run(app, seeded.tremblay_id, scenario)
    assert stored(database, seeded.tremblay_id) == [
        ("Hélène", "Tremblay", True, False),
        ("Marc", "Gagnon", False, True),
        ("Nadia", "Roy", False, False),
    ]

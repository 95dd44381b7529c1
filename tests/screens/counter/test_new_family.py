"""Admitting a family by keyboard: F2 from the search, the form, duplicates, the record."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Family, Guardian
from registrar_tui.screens.counter.duplicates import DuplicatesScreen
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.new_family import NewFamilyScreen
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.services.records.admission import ADMIT_ACTION
from tests.conftest import fixed_clock
from tests.screens.fixtures import Seeded, seed
from tests.screens.helpers import rows, settle, shown, sign_in, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]

PAYER = ("Sophie", "Lévesque", "mère", "418 555 0170", "", "sophie@example.ca", "", "", "QC", "")
SECOND = ("Pierre", "Ouellet", "père", "(418) 555-0171")


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed(database)


def run(app: RegistrarApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await scenario(pilot)

    asyncio.run(main())


async def fill_column(pilot: Pilot[None], values: tuple[str, ...]) -> None:
    """Type each value and press Enter (the form walks down the column)."""
    for value in values:
        await pilot.press("home", "ctrl+k")  # the province box starts with QC
        await type_text(pilot, value)
        await pilot.press("enter")


async def open_form(pilot: Pilot[None]) -> NewFamilyScreen:
    assert isinstance(pilot.app.screen, SearchScreen)
    await pilot.press("f2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, NewFamilyScreen)
    return screen


def families_named(db: Database, name: str) -> list[tuple[str, list[tuple[str, bool]]]]:
    with db.read() as uow:
        found = []
        for family in uow.session.exec(select(Family).where(col(Family.name) == name)):
            guardians = [
                (g.first_name, g.is_payer)
                for g in uow.session.exec(
                    select(Guardian)
                    .where(col(Guardian.family_id) == family.id)
                    .order_by(col(Guardian.id))
                )
            ]
            found.append((family.family_number, guardians))
        return found


def test_f2_payer_and_second_guardian_then_the_family_opens(
    database: Database, seeded: Seeded
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot)
        await fill_column(pilot, PAYER)  # the last Enter moves to the second guardian
        await fill_column(pilot, SECOND)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FamilyScreen)
        title = shown(screen.query_one("#family-title", Static))
        assert "Lévesque" in title and "F0000116" in title
        guardians = rows(screen.query_one("#guardians", DataTable))
        assert guardians[0].startswith("Sophie Lévesque | mère · payeur | 418-555-0170")
        assert guardians[1].startswith("Pierre Ouellet | père | 418-555-0171")
        # Escape goes back to the search, not to the form.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)

    run(app, scenario)
    assert families_named(database, "Lévesque") == [
        ("F0000116", [("Sophie", True), ("Pierre", False)])
    ]


def test_enter_on_an_empty_second_guardian_goes_on_and_never_creates(
    database: Database, seeded: Seeded
) -> None:
    """A clerk who passes over the empty second guardian with Enter stays in the form: the
    family is created only by Ctrl+S, so the letters typed next land in the form, not as
    keys of a family screen opened too early."""
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        form = await open_form(pilot)
        await fill_column(pilot, PAYER)
        await pilot.press("enter")  # the second first name left empty
        await settle(pilot)
        assert app.screen is form
        assert app.focused is form.query_one("#second-last_name")
        await type_text(pilot, "Ouellet")
        await settle(pilot)
        assert families_named(database, "Lévesque") == []
        assert form.query_one("#second-last_name", Input).value == "Ouellet"
        form.query_one("#second-first_name", Input).focus()
        await type_text(pilot, "Pierre")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)

    run(app, scenario)
    assert families_named(database, "Lévesque") == [
        ("F0000116", [("Sophie", True), ("Pierre", False)])
    ]


def test_errors_are_shown_under_their_box_and_nothing_is_created(
    database: Database, seeded: Seeded
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        form = await open_form(pilot)
        await fill_column(pilot, ("Sophie", "Lévesque", "", "555-0170"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = form.query_one("#payer-phone-message", Static)
        assert message.has_class("-visible")
        assert "10 chiffres" in shown(message)
        assert not form.query_one("#second-phone-message", Static).has_class("-visible")
        assert "Corrigez" in shown(form.query_one("#new-family-status", Static))

    run(app, scenario)
    assert families_named(database, "Lévesque") == []


def _type_helene_again(pilot: Pilot[None]) -> Awaitable[None]:
    return fill_column(pilot, ("helene", "TREMBLAY", "", "514.555.0101"))


def test_a_duplicate_opens_the_existing_family(database: Database, seeded: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot)
        await _type_helene_again(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DuplicatesScreen)
        assert rows(dialog.query_one("#duplicates-table", DataTable))[0].startswith(
            "F0000001 | Hélène Tremblay | 514-555-0101 | "
        )
        assert "helene TREMBLAY" in shown(dialog.query_one("#typed-detail", Static))
        assert "F0000001" in shown(dialog.query_one("#found-title", Static))
        await pilot.press("enter")  # « Ouvrir l'existante »
        await settle(pilot)
        family = app.screen
        assert isinstance(family, FamilyScreen) and family.family_id == seeded.tremblay_id
        await pilot.press("escape")
        # The typed-keys queue notices the closed dialog's table is gone (0.5 s watch).
        await pilot.pause(0.6)
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)

    run(app, scenario)
    assert families_named(database, "TREMBLAY") == []


def test_a_duplicate_created_anyway_is_audited(database: Database, seeded: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot)
        await _type_helene_again(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen)
        await pilot.press("c")  # « Créer quand même »
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert app.screen.family_id != seeded.tremblay_id

    run(app, scenario)
    assert families_named(database, "TREMBLAY") == [("F0000116", [("helene", True)])]
    with database.read() as uow:
        [after] = [
            json.loads(e.after_json)
            for e in uow.session.exec(
                select(AuditEvent).where(col(AuditEvent.action) == ADMIT_ACTION)
            )
        ]
    assert after["duplicates_overridden"] == ["F0000001"]


def test_escape_from_the_duplicates_goes_back_to_the_form(
    database: Database, seeded: Seeded
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        form = await open_form(pilot)
        await _type_helene_again(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        assert "Rien n'a été créé" in shown(form.query_one("#new-family-status", Static))

    run(app, scenario)
    assert families_named(database, "TREMBLAY") == []

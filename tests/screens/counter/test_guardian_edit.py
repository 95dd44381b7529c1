"""Correcting a guardian's contact by keyboard: errors under their field, audit on save."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Guardian
from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
from registrar_tui.services.records.contacts import AUDIT_ACTION
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, shown, sign_in, type_text
from tests.services.counter_data import CounterWorld, seed_counter

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> CounterWorld:
    return seed_counter(database)


def run(app: RegistrarApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


async def open_form(pilot: Pilot[None], guardian_id: int, results: list[bool | None]) -> None:
    await sign_in(pilot)
    await pilot.app.push_screen(GuardianEditScreen(guardian_id), results.append)
    await settle(pilot)


async def retype(pilot: Pilot[None], field: str, text: str) -> None:
    """Focus a box, empty it and type `text` (keys only)."""
    pilot.app.screen.query_one(f"#contact-{field}", Input).focus()
    await pilot.press("home", "ctrl+k")
    await type_text(pilot, text)


def message(pilot: Pilot[None], field: str) -> str:
    widget = pilot.app.screen.query_one(f"#{field}-message", Static)
    return shown(widget) if widget.has_class("-visible") else ""


def stored_phone(db: Database, guardian_id: int) -> str | None:
    with db.read() as uow:
        guardian = uow.session.get(Guardian, guardian_id)
        assert guardian is not None
        return guardian.phone


def audit_rows(db: Database) -> list[tuple[int | None, dict[str, object], dict[str, object]]]:
    with db.read() as uow:
        return [
            (e.entity_id, json.loads(e.before_json), json.loads(e.after_json))
            for e in uow.session.exec(
                select(AuditEvent).where(col(AuditEvent.action) == AUDIT_ACTION)
            )
        ]


def test_form_is_prefilled(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.helene_id, results)
        screen = app.screen
        # « Coordonnées d'Hélène Tremblay », elided before the vowel.
        assert shown(screen.query_one("#guardian-edit-title", Static)) == (
            "Coordonnées d'Hélène Tremblay"
        )
        assert screen.query_one("#contact-phone", Input).value == "514-555-0101"
        assert screen.query_one("#contact-city", Input).value == "Montréal"
        assert screen.query_one("#contact-first_name", Input).value == "Hélène"
        assert screen.query_one("#contact-relationship_label", Input).value == "mère"
        assert app.focused is screen.query_one("#contact-first_name", Input)

    run(app, scenario)


def test_bad_phone_is_shown_under_the_field_and_nothing_is_written(
    database: Database, world: CounterWorld
) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.helene_id, results)
        await retype(pilot, "phone", "514-555-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GuardianEditScreen)
        assert "10 chiffres" in message(pilot, "phone")
        assert message(pilot, "email") == ""
        assert app.focused is app.screen.query_one("#contact-phone", Input)
        # Typing again clears the message.
        await type_text(pilot, "2")
        assert message(pilot, "phone") == ""

    run(app, scenario)
    assert results == []
    assert stored_phone(database, world.helene_id) == "514-555-0101"
    assert audit_rows(database) == []


def test_good_phone_is_saved_with_an_audit_row(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.helene_id, results)
        await retype(pilot, "phone", "(438) 555-0142")
        # Enter walks the fields; on the last box (postal code) it saves.
        for _field in range(7):
            await pilot.press("enter")
            await settle(pilot)
        assert not isinstance(app.screen, GuardianEditScreen)

    run(app, scenario)
    assert results == [True]
    assert stored_phone(database, world.helene_id) == "438-555-0142"
    assert audit_rows(database) == [
        (world.helene_id, {"phone": "514-555-0101"}, {"phone": "438-555-0142"})
    ]


def test_several_errors_each_under_its_field(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.helene_id, results)
        await retype(pilot, "email", "helene@")
        await retype(pilot, "address_line", "4111 1111 1111 1111")
        await retype(pilot, "postal_code", "H2X")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "exemple.ca" in message(pilot, "email")
        assert "carte" in message(pilot, "address_line").lower()
        assert "A1A 1A1" in message(pilot, "postal_code")
        assert message(pilot, "phone") == ""
        # The first refused field in form order gets the cursor.
        assert app.focused is app.screen.query_one("#contact-email", Input)

    run(app, scenario)
    assert results == []
    assert audit_rows(database) == []


def test_escape_cancels(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.helene_id, results)
        await retype(pilot, "phone", "438-555-0142")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, GuardianEditScreen)

    run(app, scenario)
    assert results == [False]
    assert stored_phone(database, world.helene_id) == "514-555-0101"


def test_saving_unchanged_says_so(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.helene_id, results)
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = shown(app.screen.query_one("#guardian-edit-status", Static))
        assert status == "Aucune modification à enregistrer."

    run(app, scenario)
    assert results == []
    assert audit_rows(database) == []


def test_markup_in_a_name_is_shown_literally(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)
    results: list[bool | None] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await open_form(pilot, world.markup_guardian_id, results)
        title = shown(app.screen.query_one("#guardian-edit-title", Static))
        assert "[@click=app.quit]" in title
        assert app.screen.query_one("#contact-phone", Input).value == "[red]514[/red]"

    run(app, scenario)

"""The idle lock by keyboard, on the app's clock: a family left open locks behind a screen
that shows none of it; the same password resumes, another user starts afresh."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, StaffUser
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.session.lock import LockScreen
from tests.screens.fixtures import (
    CLERK_PASSWORD,
    REGISTRAR_PASSWORD,
    REGISTRAR_USERNAME,
    Seeded,
    seed,
)
from tests.screens.helpers import settle, shown, sign_in, type_text
from tests.screens.lock_fixtures import FakeClock

Scenario = Callable[[Pilot[None]], Awaitable[None]]


def run(app: RegistrarApp, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def terminal_text(app: RegistrarApp) -> str:
    """Everything the terminal shows, every layer (the SVG of a screenshot)."""
    return app.export_screenshot().replace("&#160;", " ")


async def away(pilot: Pilot[None], clock: FakeClock, minutes: int) -> None:
    """Nobody touches the terminal for `minutes`; then the periodic check runs."""
    clock.advance(minutes)
    app = pilot.app
    assert isinstance(app, RegistrarApp)
    app.check_idle_lock()
    await settle(pilot)


async def open_payer_form(pilot: Pilot[None], seeded: Seeded) -> None:
    """The Tremblay family with its payer's form open over it (a modal)."""
    app = pilot.app
    assert isinstance(app, RegistrarApp)
    app.open_family(seeded.tremblay_id)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, GuardianEditScreen)
    assert "Tremblay" in terminal_text(app)


def audit(db: Database, action: str) -> list[tuple[int | None, dict[str, object]]]:
    with db.read() as uow:
        return [
            (e.actor_id, json.loads(e.after_json))
            for e in uow.session.exec(select(AuditEvent).where(col(AuditEvent.action) == action))
        ]


def test_the_family_locks_away_and_the_same_password_brings_it_back(database: Database) -> None:
    seeded = seed(database)
    clock = FakeClock()
    app = create_app(database=database, clock=clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await open_payer_form(pilot, seeded)
        await away(pilot, clock, 14)
        assert isinstance(app.screen, GuardianEditScreen)
        await pilot.press("tab")  # someone is there: the wait starts again
        await away(pilot, clock, 14)
        assert isinstance(app.screen, GuardianEditScreen)
        await away(pilot, clock, 1)

        assert isinstance(app.screen, LockScreen)
        lock = app.screen
        assert shown(lock.query_one("#lock-user", Static)) == "Session de Josée Lavoie (clerk)"
        assert "après 15 min sans activité" in shown(lock.query_one("#lock-reason", Static))
        text = terminal_text(app)
        assert "Tremblay" not in text and "Hélène" not in text and "514-555" not in text
        await pilot.press("ctrl+f")  # the app's keys stay shut while locked
        assert isinstance(app.screen, LockScreen)

        await type_text(pilot, CLERK_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GuardianEditScreen)
        assert app.screen.query_one("#contact-phone", Input).value == "514-555-0101"
        assert isinstance(app.screen_stack[-2], FamilyScreen)
        assert app.backend.identity is not None and app.backend.identity.id == seeded.clerk_id

    run(app, scenario)
    assert audit(database, "auth.idle_lock") == [(seeded.clerk_id, {"idle_minutes": 15})]
    assert audit(database, "auth.unlock_screen") == [
        (seeded.clerk_id, {"user_id": seeded.clerk_id, "resumed": True})
    ]


def test_a_wrong_password_counts_and_another_user_starts_at_the_search(
    database: Database,
) -> None:
    seeded = seed(database)
    clock = FakeClock()
    app = create_app(database=database, clock=clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await open_payer_form(pilot, seeded)
        await away(pilot, clock, 15)
        assert isinstance(app.screen, LockScreen)

        await type_text(pilot, "pas le bon")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        message = shown(app.screen.query_one("#lock-message", Static))
        assert "mot de passe incorrect" in message

        await pilot.press("f2")
        await type_text(pilot, REGISTRAR_USERNAME)
        await pilot.press("enter")
        await type_text(pilot, REGISTRAR_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert len(app.screen_stack) == 1  # the clerk's family and form are closed
        assert app.backend.identity is not None
        assert app.backend.identity.username == REGISTRAR_USERNAME
        assert "Tremblay" not in terminal_text(app)

    run(app, scenario)
    with database.read() as uow:
        clerk = uow.session.get(StaffUser, seeded.clerk_id)
        assert clerk is not None and clerk.failed_attempts == 1
    assert audit(database, "auth.unlock_screen") == [
        (seeded.registrar_id, {"user_id": seeded.registrar_id, "resumed": False})
    ]


async def family_pushed_while_locked(pilot: Pilot[None], clock: FakeClock, family_id: int) -> None:
    """The clerk signs in, leaves; then a late worker pushes a family's screen."""
    app = pilot.app
    await sign_in(pilot)
    await away(pilot, clock, 15)
    assert isinstance(app.screen, LockScreen)
    app.push_screen(FamilyScreen(family_id, initial_tab="billing"))
    await settle(pilot)


def test_a_screen_asked_for_while_locked_waits_under_the_lock_for_the_same_user(
    database: Database,
) -> None:
    # A worker that finishes after the lock (a statement arriving, a form the clerk had
    # asked for) pushes its screen: it must not show above the lock screen.
    seeded = seed(database)
    clock = FakeClock()
    app = create_app(database=database, clock=clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await family_pushed_while_locked(pilot, clock, seeded.tremblay_id)
        assert isinstance(app.screen, LockScreen)
        assert "Tremblay" not in terminal_text(app)
        await pilot.press("f1")  # the help is the one screen shown over the lock
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Tremblay" not in terminal_text(app)
        await pilot.press("escape")
        await settle(pilot)

        await type_text(pilot, CLERK_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert "Tremblay" in shown(app.screen.query_one("#family-title", Static))

    run(app, scenario)


def test_a_screen_asked_for_while_locked_is_closed_for_another_user(
    database: Database,
) -> None:
    seeded = seed(database)
    clock = FakeClock()
    app = create_app(database=database, clock=clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await family_pushed_while_locked(pilot, clock, seeded.tremblay_id)
        await pilot.press("f2")
        await type_text(pilot, REGISTRAR_USERNAME)
        await pilot.press("enter")
        await type_text(pilot, REGISTRAR_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert len(app.screen_stack) == 1
        assert "Tremblay" not in terminal_text(app)

    run(app, scenario)

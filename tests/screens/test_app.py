"""Pilot tests: press keys at 80×24, check what the clerk sees and what the database holds."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.models import StaffUser
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.session.help import HelpScreen
from registrar_tui.screens.session.login import LoginScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import (
    CLERK_PASSWORD,
    CLERK_USERNAME,
    ESCAPE_FAMILY,
    MARKUP_FAMILY,
    MARKUP_GUARDIAN,
    seed,
)
from tests.screens.helpers import burst, rows, search_for, settle, shown, sign_in, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def seeded_db(database: Database) -> Database:
    seed(database)
    return database


def run(app: RegistrarApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def test_wrong_password_is_refused_next_to_the_field(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot, password="not-the-password")
        assert isinstance(app.screen, LoginScreen)
        message = shown(app.screen.query_one("#password-message", Static))
        assert message == "Nom d'utilisateur ou mot de passe incorrect."
        assert app.screen.query_one("#password", Input).value == ""
        assert app.focused is app.screen.query_one("#password", Input)

    run(app, scenario)
    with seeded_db.read() as uow:
        clerk = uow.session.exec(select(StaffUser).where(StaffUser.username == "clerk")).one()
        assert clerk.failed_attempts == 1


def test_empty_username_is_asked_for(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("tab")
        await type_text(pilot, "x")
        await pilot.press("enter")
        await settle(pilot)
        message = shown(app.screen.query_one("#username-message", Static))
        assert message == "Entrez votre nom d'utilisateur."

    run(app, scenario)


def test_sign_in_then_find_helene_and_open_the_family(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.focused is app.screen.query_one("#query", Input)
        assert "Josée Lavoie" in shown(app.screen.query_one("#signed-in", Static))

        await search_for(pilot, "helene")
        hits = rows(app.screen.query_one("#hits", DataTable))
        assert hits and any("Hélène" in row or "Tremblay" in row for row in hits)
        assert "[b]" not in hits[0]

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        balance = shown(app.screen.query_one("#family-balance", Static))
        assert f"Solde : {format_money(Decimal('275.00'))}" in balance
        assert "275,00" in balance
        assert f"Crédit : {format_money(Decimal('25.00'))}" in balance
        payer = shown(app.screen.query_one("#family-payer", Static))
        assert "Hélène Tremblay" in payer and "514-555-0101" in payer
        guardians = rows(app.screen.query_one("#guardians", DataTable))
        assert [row.split(" | ")[0] for row in guardians] == ["Hélène Tremblay", "Marc Gagnon"]
        students = rows(app.screen.query_one("#students-table", DataTable))
        assert any("Léa Tremblay | 201337007 | TREL54030912" in row for row in students)

        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.focused is app.screen.query_one("#query", Input)

    run(app, scenario)


def test_results_come_a_page_at_a_time(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        from registrar_tui.services.search.query import PAGE_SIZE

        await sign_in(pilot)
        await search_for(pilot, "bouchard")
        table = app.screen.query_one("#hits", DataTable)
        first_page = rows(table)
        assert len(first_page) == PAGE_SIZE
        status = shown(app.screen.query_one("#search-status", Static))
        assert f"{PAGE_SIZE} résultats affichés" in status and "d'autres suivent" in status

        await pilot.press("pagedown")
        await settle(pilot)
        second_page = rows(table)
        assert 0 < len(second_page) <= PAGE_SIZE
        assert not set(second_page) & set(first_page)
        assert f"({PAGE_SIZE + 1}–" in shown(app.screen.query_one("#search-status", Static))

        await pilot.press("pageup")
        await settle(pilot)
        assert rows(table) == first_page

        await pilot.press("down", "down")
        assert table.cursor_row == 2

    run(app, scenario)


def test_help_lists_the_keys_of_the_screen_below(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await search_for(pilot, "helene")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = rows(app.screen.query_one("#help-keys", DataTable))
        text = "\n".join(listed)
        for description in ("Retour", "Rechercher", "Aide", "Quitter"):
            assert description in text
        assert any(row.startswith("ctrl+f") or row.startswith("^f") for row in listed)

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)

    run(app, scenario)


def test_names_that_look_like_markup_are_shown_literally(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await search_for(pilot, "tremblay")
        hits = rows(app.screen.query_one("#hits", DataTable))
        assert any(MARKUP_FAMILY in row for row in hits)
        table = app.screen.query_one("#hits", DataTable)
        target = next(i for i, row in enumerate(hits) if MARKUP_FAMILY in row)
        table.move_cursor(row=target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert MARKUP_FAMILY in shown(app.screen.query_one("#family-title", Static))
        guardians = rows(app.screen.query_one("#guardians", DataTable))
        assert guardians[0].startswith(f"{MARKUP_GUARDIAN} Tremblay")
        assert "[red]514[/red]" in guardians[0]
        assert app.is_running

    run(app, scenario)


def test_terminal_escapes_in_names_are_removed(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await search_for(pilot, "roy")
        hits = rows(app.screen.query_one("#hits", DataTable))
        assert hits and all("\x1b" not in row for row in hits)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        title = shown(app.screen.query_one("#family-title", Static))
        assert "Roy" in title and "\x1b" not in title
        assert ESCAPE_FAMILY not in title
        assert all("\x1b" not in row for row in rows(app.screen.query_one("#guardians", DataTable)))

    run(app, scenario)


def test_english_interface(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock, language="en")

    async def scenario(pilot: Pilot[None]) -> None:
        labels = " ".join(shown(label) for label in app.screen.query(".field-label"))
        assert "Username" in labels and "Password" in labels
        await sign_in(pilot, password="wrong password!")
        message = shown(app.screen.query_one("#password-message", Static))
        assert message == "Incorrect username or password."
        # The refusal left the username and put the cursor in the emptied password field.
        assert app.focused is app.screen.query_one("#password", Input)
        await type_text(pilot, CLERK_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        footer_keys = " ".join(
            str(key.description) for key in app.screen.query_one(Footer).query("FooterKey")
        )
        assert "Open" in footer_keys and "Activities" in footer_keys and "Help" in footer_keys
        await search_for(pilot, "helene")
        await pilot.press("enter")
        await settle(pilot)
        balance = shown(app.screen.query_one("#family-balance", Static))
        assert "Balance: $275.00" in balance

    run(app, scenario)


def test_search_is_not_available_before_signing_in(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)

    run(app, scenario)


def test_login_screen_does_not_import_the_database_layer() -> None:
    """Start-up: the app module and the login screen paint without SQLAlchemy."""
    code = (
        "import sys, registrar_tui.app, registrar_tui.screens.session.login; "
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'registrar_tui.db', "
        "'registrar_tui.models', 'alembic', 'reportlab') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_family_that_vanished_says_so(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await app.push_screen(FamilyScreen(999_999))
        await settle(pilot)
        assert shown(app.screen.query_one("#family-title", Static)) == (
            "Dossier famille introuvable."
        )

    run(app, scenario)


def test_typing_ahead_signs_in_and_opens_the_right_family(seeded_db: Database) -> None:
    """Keys sent at once (a paste, a barcode scanner) are not lost nor misrouted."""
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await burst(pilot, *CLERK_USERNAME, "enter", *CLERK_PASSWORD, "enter")
        assert isinstance(app.screen, SearchScreen)
        await burst(pilot, *"FAC00000001", "enter")
        assert isinstance(app.screen, FamilyScreen)
        assert "Tremblay" in shown(app.screen.query_one("#family-title", Static))

    run(app, scenario)

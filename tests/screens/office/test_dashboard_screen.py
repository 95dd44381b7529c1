"""The office dashboard from home (issue #16 part 5): F9 or Ctrl+G opens it for a
registrar, a clerk has no such key; every figure shows, R reads them again."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.screens.office.dashboard import DashboardScreen
from registrar_tui.screens.office.receipts_chart import ReceiptsChart
from tests.conftest import fixed_clock
from tests.screens.helpers import rows, settle, shown, sign_in, sign_in_registrar
from tests.screens.office.office_fixtures import seed_office


@pytest.mark.parametrize("key", ["f9", "ctrl+g"])
def test_a_registrar_opens_the_dashboard_from_home(database: Database, key: str) -> None:
    seed_office(database)
    app = create_app(database=database, clock=fixed_clock)
    asyncio.run(_open_and_read(app, key))


async def _open_and_read(app: RegistrarApp, key: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_registrar(pilot)
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert "2026-11-23 09 h 30" in shown(screen.query_one("#dashboard-title"))
        summary = shown(screen.query_one("#receipts-summary"))
        # Today: 80 + 15 + the admin's 10; the month from 11-01 (the 30 was in October).
        assert "Aujourd'hui : 105,00\xa0$ (3 reçus)" in summary
        assert "Ce mois-ci : 350,00\xa0$" in summary
        methods = rows(screen.query_one("#methods", DataTable))
        assert methods[0] == "Comptant | 90,00\xa0$ | 150,00\xa0$"
        assert methods[-1] == "Total | 105,00\xa0$ | 350,00\xa0$"
        pending = rows(screen.query_one("#pending", DataTable))
        assert pending[0] == "Modifications | 1 | 1 | 1"
        drawers = rows(screen.query_one("#drawers", DataTable))
        assert drawers == ["Josée Lavoie | MTL | ouverte · 9", "Luc Bergeron | MTL | fermée"]
        owed = rows(screen.query_one("#receivables", DataTable))
        assert owed[-1].startswith("Total | ")
        assert "Relances envoyées ce mois-ci : 0" in shown(screen.query_one("#reminders"))
        chart = "\n".join(str(line) for line in [screen.query_one(ReceiptsChart).render()])
        assert "█" in chart and "23 nov." in chart

        # R reads the figures again; Escape goes back home.
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"


def test_a_clerk_has_no_dashboard_key(database: Database) -> None:
    seed_office(database)
    app = create_app(database=database, clock=fixed_clock)
    asyncio.run(_clerk(app))


async def _clerk(app: RegistrarApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"


def test_f1_lists_both_keys_of_the_dashboard(database: Database) -> None:
    seed_office(database)
    app = create_app(database=database, clock=fixed_clock)
    asyncio.run(_help(app))


async def _help(app: RegistrarApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_registrar(pilot)
        await pilot.press("f1")
        await settle(pilot)
        lines = app.screen.key_lines()  # type: ignore[attr-defined]
        office = [keys for keys, text in lines if text.startswith("Bureau")]
        assert office == ["f9, ^g"], lines


def test_the_office_hub_opens_the_reminders_and_the_deposits(database: Database) -> None:
    """From the dashboard, L opens the reminders and D the bank deposits; Esc comes back."""
    seed_office(database)
    app = create_app(database=database, clock=fixed_clock)

    async def visit() -> None:
        from registrar_tui.screens.office.deposits import DepositScreen
        from registrar_tui.screens.office.reminders import RemindersScreen

        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in_registrar(pilot)
            await pilot.press("f9")
            await settle(pilot)
            for key, screen_type in (("l", RemindersScreen), ("d", DepositScreen)):
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, screen_type)
                await pilot.press("escape")
                await settle(pilot)
                assert isinstance(app.screen, DashboardScreen)

    asyncio.run(visit())

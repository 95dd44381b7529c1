"""The family's requests tab: what was asked, by whom, its status; a page at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import ChangeRequest, ChangeRequestField, ChangeTarget
from registrar_tui.screens.counter.family_requests import FamilyRequestsView
from registrar_tui.screens.widgets.base import AppScreen
from tests.conftest import fixed_clock
from tests.screens.helpers import rows, settle, shown, sign_in
from tests.services.counter_data import NOTE_WITH_MARKUP, CounterWorld, seed_counter

Scenario = Callable[[Pilot[None]], Awaitable[None]]


class RequestsHost(AppScreen):
    """Stands for the family screen's "4 Demandes" tab."""

    def __init__(self, family_id: int) -> None:
        super().__init__()
        self.family_id = family_id

    def compose(self) -> ComposeResult:
        yield FamilyRequestsView(self.family_id, id="requests")
        yield Footer()


@pytest.fixture
def world(database: Database) -> CounterWorld:
    return seed_counter(database)


def run(app: RegistrarApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await scenario(pilot)

    asyncio.run(main())


def _status(app: RegistrarApp) -> str:
    return shown(app.screen.query_one("#requests-status", Static))


def test_requests_are_listed_pending_first(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await app.push_screen(RequestsHost(world.seeded.tremblay_id))
        await settle(pilot)
        table = app.screen.query_one("#requests-table", DataTable)
        lines = rows(table)
        assert len(lines) == 3
        assert "Réinscription | en attente | Léa Tremblay" in lines[0]
        # The family's note is data: shown as typed, markup and all.
        assert NOTE_WITH_MARKUP in lines[0] and "Piano, Solfège" in lines[0]
        assert "Modification | en attente | Hélène Tremblay" in lines[1]
        assert "514-555-0101 → 514-555-0199" in lines[1]
        assert "refusée" in lines[2] and "Pièce justificative manquante" in lines[2]
        assert _status(app) == "Demandes 1–3"
        # Under the table, the highlighted request in full (clipped in the table at 80 cols).
        detail = app.screen.query_one("#requests-detail", Static)
        assert shown(detail) == f"Léa Tremblay · HIV-2027 : Piano, Solfège · {NOTE_WITH_MARKUP}"
        table.focus()
        await pilot.press("down")
        await settle(pilot)
        assert shown(detail) == "Hélène Tremblay · Téléphone : 514-555-0101 → 514-555-0199"
        assert lines[0].startswith("2026-11-10 | Réinscription")

    run(app, scenario)


def test_family_without_requests_says_so(database: Database, world: CounterWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await app.push_screen(RequestsHost(world.seeded.markup_id))
        await settle(pilot)
        assert app.screen.query_one("#requests-table", DataTable).row_count == 0
        assert _status(app) == "Aucune demande pour cette famille."

    run(app, scenario)


def test_pages_with_pagedown_and_pageup(database: Database, world: CounterWorld) -> None:
    with database.write() as uow:
        for day in range(1, 13):
            request = ChangeRequest(
                family_id=world.seeded.tremblay_id,
                target_kind=ChangeTarget.GUARDIAN,
                target_id=world.marc_id,
                submitted_at=datetime(2026, 9, day, 14, 0, tzinfo=UTC),
            )
            uow.session.add(request)
            uow.session.flush()
            uow.session.add(
                ChangeRequestField(
                    request_id=request.id, field_name="email", requested_value=f"marc{day}@x.ca"
                )
            )
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await app.push_screen(RequestsHost(world.seeded.tremblay_id))
        await settle(pilot)
        table = app.screen.query_one("#requests-table", DataTable)
        app.screen.query_one(FamilyRequestsView).focus_table()
        await pilot.pause()
        assert app.focused is table
        assert table.row_count == 12
        assert _status(app) == "Demandes 1–12 · d'autres suivent (PgDn)"
        await pilot.press("pagedown")
        await settle(pilot)
        assert table.row_count == 3
        assert _status(app) == "Demandes 13–15"
        assert "refusée" in rows(table)[-1]
        await pilot.press("pagedown")  # no page further: nothing changes
        await settle(pilot)
        assert _status(app) == "Demandes 13–15"
        await pilot.press("pageup")
        await settle(pilot)
        assert table.row_count == 12

    run(app, scenario)

"""The audit viewer (F12): opened and read by a registrar, filtered, paged, detailed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.models import AuditEvent
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.desk.audit_event import AuditEventScreen
from registrar_tui.screens.desk.audit_log import AuditLogScreen
from tests.conftest import fixed_clock
from tests.screens.desk.audit_fixtures import MARKUP_PHONE, AuditWorld, seed_audit
from tests.screens.helpers import rows, settle, shown, sign_in, sign_in_registrar, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> AuditWorld:
    return seed_audit(database)


def run(app: RegistrarApp, scenario: Scenario, *, registrar: bool = True) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if registrar:
                await sign_in_registrar(pilot)
            else:
                await sign_in(pilot)
            await scenario(pilot)

    asyncio.run(main())


def table_rows(app: RegistrarApp) -> list[list[str]]:
    return [row.split(" | ") for row in rows(app.screen.query_one("#audit-table", DataTable))]


def status(app: RegistrarApp) -> str:
    return shown(app.screen.query_one("#audit-status", Static))


def actions(db: Database, action: str) -> list[tuple[int | None, int | None, str]]:
    """(actor, record, after) of each event of `action`, oldest first."""
    with db.read() as uow:
        return [
            (event.actor_id, event.entity_id, event.after_json)
            for event in uow.session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action) == action)
                .order_by(col(AuditEvent.id))
            )
        ]


def test_a_registrar_reads_filters_and_opens_an_event(
    database: Database, world: AuditWorld
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, AuditLogScreen)
        # Opening it was recorded, and is the newest line.
        [(actor, _record, _after)] = actions(database, "audit.view")
        assert actor == world.seeded.registrar_id
        first = table_rows(app)
        assert len(first) == 15
        # Each action by what it means (the code is in the event's detail).
        assert first[0][1:4] == ["registrar", "Journal consulté", "Journal d'audit"]
        assert status(app) == "Page 1 · événements 1–15, du plus récent"
        contact = next(row for row in first if row[2] == "Coordonnées modifiées")
        # The record as people know it, the field by its name (never "Responsable #7").
        assert contact == [
            "2026-11-23 08:19",
            "clerk",
            "Coordonnées modifiées",
            "Responsable F0000001 · Hélène Tremblay",
            "Téléphone",
        ]
        await pilot.press("pagedown")
        await settle(pilot)
        second = table_rows(app)
        assert status(app).startswith("Page 2 · événements 16–")
        assert not {row[0] + row[2] + row[3] for row in second} & {
            row[0] + row[2] + row[3] for row in first
        }
        await pilot.press("pageup")
        await settle(pilot)
        assert table_rows(app) == first

        # Only the clerk's events on payments (the user box, then Enter applies).
        await pilot.press("f2")
        app.screen.query_one("#filter-username", Input).focus()
        await type_text(pilot, "clerk")
        app.screen.query_one("#filter-action", Input).focus()
        await type_text(pilot, "guardian")
        await pilot.press("enter")
        await settle(pilot)
        [only] = table_rows(app)
        assert only[1:4] == [
            "clerk",
            "Coordonnées modifiées",
            "Responsable F0000001 · Hélène Tremblay",
        ]

        # Enter on it: before → after, the markup shown literally.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        what = shown(app.screen.query_one("#audit-event-what", Static))
        assert what == (
            "Action : Coordonnées modifiées (guardian.contact_update) · "
            "Dossier : Responsable F0000001 · Hélène Tremblay"
        )
        lines = [shown(line) for line in app.screen.query(".audit-field").results(Static)]
        # What changed, by its name; the e-mail written unchanged says nothing.
        assert lines == ["Téléphone : 514-555-0101 → [@click=app.quit]514[/][31m"]
        assert MARKUP_PHONE.startswith("[@click")
        assert "Josée Lavoie (clerk)" in shown(app.screen.query_one("#audit-event-who", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AuditLogScreen) and app.is_running

    run(app, scenario)
    [(actor, record, after)] = actions(database, "audit.view_event")
    assert (actor, record) == (world.seeded.registrar_id, world.contact_event_id)
    assert json.loads(after) == {"filter": {"action": "guardian", "username": "clerk"}}


def test_a_bad_filter_is_shown_at_its_box_and_a_clerk_has_no_f12(
    database: Database, world: AuditWorld
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await settle(pilot)
        app.screen.query_one("#filter-date_from", Input).focus()
        await type_text(pilot, "2026-13-01")
        await pilot.press("enter")
        await settle(pilot)
        assert status(app) == "Du : Date invalide : AAAA-MM-JJ."
        box = app.screen.query_one("#filter-date_from", Input)
        assert box.has_class("-invalid") and box.has_focus
        assert len(table_rows(app)) == 15  # the page shown stays
        box.value = ""
        app.screen.query_one("#filter-username", Input).value = "personne"
        await pilot.press("enter")
        await settle(pilot)
        assert status(app) == "Utilisateur : Aucun utilisateur « personne »."

    run(app, scenario)

    clerk_app = create_app(database=database, clock=fixed_clock)

    async def clerk(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(clerk_app.screen, SearchScreen)

    run(clerk_app, clerk, registrar=False)
    assert [actor for actor, _r, _a in actions(database, "audit.view")] == [
        world.seeded.registrar_id
    ]


def test_an_amount_on_the_trail_reads_as_money(database: Database, world: AuditWorld) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("f2")
        app.screen.query_one("#filter-action", Input).focus()
        await type_text(pilot, "payment.post")
        await pilot.press("enter")
        await settle(pilot)
        newest = table_rows(app)[0]
        assert newest[2] == "Paiement encaissé"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        lines = [shown(line) for line in app.screen.query(".audit-field").results(Static)]
        # The newest payment of the trail: 190,00 $, not "19000" cents.
        assert lines[0] == f"Montant : ∅ → {format_money(Decimal('190.00'))}"

    run(app, scenario)


def test_the_trail_by_family_name_action_words_and_end(
    database: Database, world: AuditWorld
) -> None:
    """A registrar types a family's name and an action as shown (« encaissé »); End goes
    to the last event of the page with when and who still in sight."""
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await settle(pilot)
        table = app.screen.query_one("#audit-table", DataTable)
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == len(table_rows(app)) - 1
        assert table.scroll_x == 0 and table.fixed_columns == 2
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0

        # The family by a person's name, typed without its accent.
        await pilot.press("f2")
        app.screen.query_one("#filter-name", Input).focus()
        await type_text(pilot, "helene")
        await pilot.press("enter")
        await settle(pilot)
        [only] = table_rows(app)
        assert only[3] == "Responsable F0000001 · Hélène Tremblay"

        # An action by the words the list shows.
        app.screen.query_one("#filter-name", Input).value = ""
        app.screen.query_one("#filter-action", Input).focus()
        await type_text(pilot, "encaisse")
        await pilot.press("enter")
        await settle(pilot)
        shown_actions = {row[2] for row in table_rows(app)}
        assert shown_actions == {"Paiement encaissé"}
        assert "Paiement n° 118" in {row[3] for row in table_rows(app)}

        # A name nobody has: nothing, said so.
        app.screen.query_one("#filter-action", Input).value = ""
        app.screen.query_one("#filter-name", Input).focus()
        await type_text(pilot, "zzz")
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(app) == []
        assert status(app) == "Aucun événement pour ces filtres."

    run(app, scenario)
    views = [json.loads(after) for _actor, _r, after in actions(database, "audit.view")]
    assert len(views) == 1


def test_a_sign_in_shows_what_changed_only(database: Database, world: AuditWorld) -> None:
    """No « failed_attempts : 0 → 0 » on a sign-in: its fields by name, changed ones only."""
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("f2")
        app.screen.query_one("#filter-action", Input).focus()
        await type_text(pilot, "connexion")
        await pilot.press("enter")
        await settle(pilot)
        newest = table_rows(app)[0]
        assert newest[1:4] == ["registrar", "Connexion", "Utilisateur registrar · Martine Côté"]
        await pilot.press("enter")
        await settle(pilot)
        lines = [shown(line) for line in app.screen.query(".audit-field").results(Static)]
        assert lines and not any(line.startswith("failed_attempts") for line in lines)
        assert not any(" : 0 → 0" in line for line in lines)
        assert not any(line.endswith(("true", "false")) for line in lines), lines

    run(app, scenario)

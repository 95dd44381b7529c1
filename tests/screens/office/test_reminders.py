"""The reminders screen: the preview with its totals, `e` sends level 1 after a yes, and
the family's billing tab lists the reminder."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import OutboxMessage, Reminder
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.office.reminders import RemindersScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import Seeded, seed
from tests.screens.helpers import rows as table_rows
from tests.screens.helpers import settle, sign_in_registrar
from tests.screens.helpers import shown as widget_text


@pytest.fixture
def world(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path / "documents"))
    return seed(database)


def rows(table: DataTable[object]) -> list[str]:
    return [row.replace("\xa0", " ").replace("\u202f", " ") for row in table_rows(table)]


def shown(widget: Static) -> str:
    return widget_text(widget).replace("\xa0", " ").replace("\u202f", " ")


def test_send_level_one_from_the_screen_and_see_it_on_the_billing_tab(
    database: Database, world: Seeded, tmp_path: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await app.push_screen(RemindersScreen())
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RemindersScreen)
            table = screen.query_one("#reminders-table", DataTable)
            assert rows(table) == ["1 | F0000001 | Tremblay | 1 | 275,00 $"]
            totals = shown(screen.query_one("#reminders-totals", Static))
            assert "Niveau 1 : 1 famille · 1 facture · 275,00 $" in totals
            assert "Niveau 2 : 0 famille · 0 facture · 0,00 $" in totals

            await pilot.press("e")
            await settle(pilot)
            await pilot.press("n")  # no: nothing sent
            await settle(pilot)
            with database.read() as uow:
                assert uow.session.exec(select(Reminder)).all() == []

            await pilot.press("e")
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            result = shown(screen.query_one("#reminders-result", Static))
            assert "1 lettre · 1 courriel en file · total 275,00 $" in result
            assert rows(table) == []  # sent: nothing more today
            assert "Aucune relance" in shown(screen.query_one("#reminders-page", Static))

            await app.push_screen(FamilyScreen(world.tremblay_id, initial_tab="billing"))
            await settle(pilot)
            listed = shown(app.screen.query_one("#family-reminders-text", Static))
            assert "1 relance envoyée" in listed
            assert "niveau 1 · FAC00000001 · 275,00 $" in listed

    asyncio.run(main())
    with database.read() as uow:
        reminders = uow.session.exec(select(Reminder)).all()
        assert [(r.level, r.amount_overdue) for r in reminders] == [(1, 275)]
        assert uow.session.exec(select(OutboxMessage.kind)).all() == ["reminder"]
    assert len(list((tmp_path / "documents" / "reminders").glob("*.pdf"))) == 1


def test_level_key_shows_one_level(database: Database, world: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await app.push_screen(RemindersScreen())
            await settle(pilot)
            await pilot.press("l", "l")  # level 2: nobody yet
            await settle(pilot)
            screen = app.screen
            assert "niveau 2" in shown(screen.query_one("#reminders-title", Static))
            assert rows(screen.query_one("#reminders-table", DataTable)) == []
            assert screen.check_action("send", ()) is None

    asyncio.run(main())


def test_the_admin_edits_a_level_with_keys_and_sees_refusals_under_their_fields(
    database: Database, world: Seeded
) -> None:
    """P from the reminders (admin only): level 2's days and French text changed, a wrong
    day count refused under its field, F5 to the next level, Ctrl+S saves, audited."""
    from textual.widgets import Input, TextArea

    from registrar_tui.models import AuditEvent, ReminderLevel
    from registrar_tui.screens.office.reminder_settings import ReminderSettingsScreen
    from tests.screens.fixtures import ADMIN_PASSWORD, ADMIN_USERNAME
    from tests.screens.helpers import sign_in

    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot, ADMIN_PASSWORD, ADMIN_USERNAME)
            await app.push_screen(RemindersScreen())
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReminderSettingsScreen)
            title = shown(screen.query_one("#reminder-settings-title", Static))
            assert "niveau 1 de 3" in title
            assert screen.query_one("#days", Input).value == "30"
            await pilot.press("f5")
            await settle(pilot)
            assert "niveau 2 de 3" in shown(screen.query_one("#reminder-settings-title", Static))
            assert screen.query_one("#days", Input).value == "60"
            # 20 days: before level 1's 30, refused under the field, nothing written.
            await pilot.press("end", "backspace", "backspace", "2", "0")
            await pilot.press("ctrl+s")
            await settle(pilot)
            error = shown(screen.query_one("#days-error", Static))
            assert "croître d'un niveau au suivant" in error
            assert screen.query_one("#days", Input).has_focus  # back on the field refused
            await pilot.press("end", "backspace", "backspace", "4", "5")
            await pilot.press("tab")  # the French text
            await settle(pilot)
            assert screen.query_one("#text-fr", TextArea).has_focus
            for key in "Rappel ":
                await pilot.press("space" if key == " " else key)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert shown(screen.query_one("#days-error", Static)) == ""
            assert "Niveau 2 enregistré" in shown(
                screen.query_one("#reminder-settings-status", Static)
            )
            with database.read() as uow:
                level = uow.session.get_one(ReminderLevel, 2)
                assert level.days_overdue == 45
                assert level.text_fr.startswith("Rappel Malgré notre premier avis")
                events = uow.session.exec(
                    select(AuditEvent).where(AuditEvent.action == "reminders.level")
                ).all()
                assert len(events) == 1 and '"days_overdue":45' in events[0].after_json
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, RemindersScreen)

    asyncio.run(main())


def test_a_registrar_has_no_settings_key(database: Database, world: Seeded) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await app.push_screen(RemindersScreen())
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, RemindersScreen)

    asyncio.run(main())

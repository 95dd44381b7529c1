"""Scenario 13's first half by keyboard: F5 as the registrar, a new term, the rollover
(dry run, then for real), a group's teacher and time adjusted, the seats shown; the
clerk has no F5. Each test checks the screen and the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, time

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Course, Teacher, Term
from registrar_tui.screens.school_year.group_form import GroupFormScreen
from registrar_tui.screens.school_year.groups import GroupsScreen
from registrar_tui.screens.school_year.rollover import RolloverScreen
from registrar_tui.screens.school_year.term_form import TermFormScreen
from registrar_tui.screens.school_year.terms import TermsScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import rows, settle, shown, sign_in, type_text
from tests.screens.school_year.fixtures import YearScreens, seed_school_year

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> YearScreens:
    return seed_school_year(database)


def run(database: Database, scenario: Scenario, *, registrar: bool = True) -> None:
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if registrar:
                await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            else:
                await sign_in(pilot)
            await scenario(pilot)

    asyncio.run(main())


def text_of(screen: Widget) -> str:
    parts = [shown(static) for static in screen.query(Static) if static.display]
    for table in screen.query(DataTable):
        parts.extend(rows(table))
    return "\n".join(parts)


def footer_keys(screen: Widget) -> set[str]:
    return {str(key.key) for key in screen.query_one(Footer).query("FooterKey")}


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def test_f5_opens_the_terms_with_dates_window_and_group_counts(
    database: Database, world: YearScreens
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await press(pilot, "f1")  # the key is listed by F1 (the home footer is full)
        assert "Année scolaire" in text_of(pilot.app.screen)
        await press(pilot, "escape", "f5")
        screen = pilot.app.screen
        assert isinstance(screen, TermsScreen)
        table = screen.query_one("#terms-table", DataTable)
        lines = rows(table)
        assert lines[0].startswith("HIV-2027 | 2027-01-11 | 2027-04-30 | 2027-02-01 | fermée | 0")
        assert lines[1].endswith(" 2")  # the autumn's two groups
        assert {"n", "e", "o", "r", "enter"} <= footer_keys(screen)

    run(database, scenario)


def test_the_clerk_has_no_f5(database: Database, world: YearScreens) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await press(pilot, "f1")
        assert "Année scolaire" not in text_of(pilot.app.screen)
        await press(pilot, "escape", "f5")
        assert not isinstance(pilot.app.screen, TermsScreen)

    run(database, scenario, registrar=False)


def test_a_new_term_is_created_from_the_form_errors_under_their_fields(
    database: Database, world: YearScreens
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await press(pilot, "f5", "n")
        form = pilot.app.screen
        assert isinstance(form, TermFormScreen)
        assert form.text("code") == "ETE-2027"  # the term after the latest, proposed
        await type_text(pilot, "2027-05-10")
        await press(pilot, "enter")
        await type_text(pilot, "2027-04-01")  # ends before it starts
        await press(pilot, "enter")
        await type_text(pilot, "2027-05-31")
        await press(pilot, "ctrl+s")
        message = shown(form.query_one("#ends_on-message", Static))
        assert "La session doit finir après son début" in message
        form.query_one("#field-ends_on").value = "2027-07-30"  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        screen = pilot.app.screen
        assert isinstance(screen, TermsScreen)
        assert rows(screen.query_one("#terms-table", DataTable))[0].startswith(
            "ETE-2027 | 2027-05-10"
        )
        assert "Session ETE-2027 enregistrée." in text_of(screen)

    run(database, scenario)
    with database.read() as uow:
        term = uow.session.exec(select(Term).where(col(Term.code) == "ETE-2027")).one()
        assert (term.ends_on, term.payment_due_on) == (date(2027, 7, 30), date(2027, 5, 31))


def test_rollover_shows_the_dry_run_then_creates_the_groups(
    database: Database, world: YearScreens
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await press(pilot, "f5", "r")  # on HIV-2027: from AUT-2026
        dialog = pilot.app.screen
        assert isinstance(dialog, RolloverScreen)
        shown_text = text_of(dialog)
        assert "AUT-2026 → HIV-2027" in shown_text
        assert "1 groupe serait créé · 1 ignoré" in shown_text
        assert "Marie Tremblay" in shown_text and "groupe fermé" in shown_text
        with database.read() as uow:  # the dry run wrote nothing
            assert not uow.session.exec(
                select(Course).where(col(Course.term_id) == world.winter_id)
            ).all()
        await press(pilot, "o")
        screen = pilot.app.screen
        assert isinstance(screen, TermsScreen)
        assert "Report AUT-2026 → HIV-2027 : 1 groupe créé." in text_of(screen)
        assert rows(screen.query_one("#terms-table", DataTable))[0].endswith(" 1")
        await press(pilot, "r")  # twice: nothing left to create
        dialog = pilot.app.screen
        assert isinstance(dialog, RolloverScreen)
        assert "0 groupe serait créé · 2 ignorés" in text_of(dialog)
        assert "déjà reporté" in text_of(dialog)
        assert "o" not in footer_keys(dialog) or dialog.check_action("confirm", ()) is None
        await press(pilot, "escape")

    run(database, scenario)
    with database.read() as uow:
        [copy] = uow.session.exec(select(Course).where(col(Course.term_id) == world.winter_id))
        assert (copy.rolled_from_id, copy.teacher_id, copy.starts_at) == (
            world.piano01_id,
            world.tremblay_id,
            time(16, 0),
        )
        actions = [e.action for e in uow.session.exec(select(AuditEvent))]
        assert actions.count("term.rollover") == 1


def test_a_groups_teacher_and_time_are_adjusted_and_the_seats_shown(
    database: Database, world: YearScreens
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await press(pilot, "f5", "down", "enter")
        screen = pilot.app.screen
        assert isinstance(screen, GroupsScreen)
        lines = rows(screen.query_one("#groups-table", DataTable))
        assert "2/8" in lines[0] and "Marie Tremblay" in lines[0] and "16:00–17:00" in lines[0]
        assert "fermé" in lines[1]
        await press(pilot, "e")
        form = pilot.app.screen
        assert isinstance(form, GroupFormScreen)
        assert "Places prises : 2 sur 8." in text_of(form)
        form.query_one("#field-teacher").value = world.gagnon_id  # type: ignore[attr-defined]
        form.query_one("#field-starts_at").value = "17:00"  # type: ignore[attr-defined]
        form.query_one("#field-ends_at").value = "18:00"  # type: ignore[attr-defined]
        form.query_one("#field-capacity").value = "1"  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        assert "Places déjà prises : 2" in shown(form.query_one("#capacity-message", Static))
        form.query_one("#field-capacity").value = "8"  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        screen = pilot.app.screen
        assert isinstance(screen, GroupsScreen)
        line = rows(screen.query_one("#groups-table", DataTable))[0]
        assert "Luc Gagnon" in line and "17:00–18:00" in line and "2/8" in line

    run(database, scenario)
    with database.read() as uow:
        course = uow.session.get_one(Course, world.piano01_id)
        assert (course.teacher_id, course.starts_at, course.ends_at) == (
            world.gagnon_id,
            time(17, 0),
            time(18, 0),
        )


def test_a_new_group_with_a_new_teacher_then_closed(database: Database, world: YearScreens) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await press(pilot, "f5", "enter", "n")  # HIV-2027: no groups yet
        form = pilot.app.screen
        assert isinstance(form, GroupFormScreen)
        await press(pilot, "ctrl+t")
        await type_text(pilot, "Émile")
        await press(pilot, "enter")
        await type_text(pilot, "Côté")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is form
        with database.read() as uow:
            emile = uow.session.exec(
                select(Teacher.id).where(col(Teacher.last_name) == "Côté")
            ).one()
        assert form.query_one("#field-teacher").value == emile  # type: ignore[attr-defined]
        form.query_one("#field-discipline").value = 2  # type: ignore[attr-defined]  # violin
        await press(pilot, "ctrl+s")
        screen = pilot.app.screen
        assert isinstance(screen, GroupsScreen), text_of(screen)
        line = rows(screen.query_one("#groups-table", DataTable))[0]
        assert "Violon" in line and "Émile Côté" in line and "0/20" in line
        await press(pilot, "c")
        line = rows(screen.query_one("#groups-table", DataTable))[0]
        assert "fermé" in line

    run(database, scenario)
    with database.read() as uow:
        [course] = uow.session.exec(select(Course).where(col(Course.term_id) == world.winter_id))
        assert course.closed_at is not None and course.capacity == 20

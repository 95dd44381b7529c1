"""Scenario 13 end to end, by keyboard, as the registrar: the autumn groups rolled over to
winter (dry run, then for real), a group's teacher and time adjusted, re-enrolment opened;
the request the family sent is validated into the group the registrar picks (`g`), with
its day, time and teacher on screen, the enrolment, the invoice and the decision in the
database. When the group picked is full, the student goes on its waiting list (rank said),
is seen in line from the groups screen (`l`), and a seat freed is offered to them.

The world: the school-year screens' one (autumn 2026 piano 01 with Léa and Hugo, 02
closed, winter 2027 without groups) plus an autumn piano 03 of one seat, and the winter
fee schedule (piano tuition, registration) so that validating can bill.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    EnrolmentStatus,
    Establishment,
    FeeKind,
    FeeScheduleItem,
    Invoice,
    InvoiceLine,
    NumberSequence,
    ReenrolmentRequest,
    RequestStatus,
    StaffUser,
    Student,
    WaitingListEntry,
)
from registrar_tui.models.base import WaitingStatus
from registrar_tui.screens.desk.group_chooser import GroupChooserScreen
from registrar_tui.screens.desk.reenrolment_decision import ReenrolmentDecisionScreen
from registrar_tui.screens.school_year.group_form import GroupFormScreen
from registrar_tui.screens.school_year.groups import GroupsScreen
from registrar_tui.screens.school_year.rollover import RolloverScreen
from registrar_tui.screens.school_year.terms import TermsScreen
from registrar_tui.screens.school_year.waiting_list import WaitingListScreen
from registrar_tui.services.records.enrolment import add_course, drop_course
from registrar_tui.services.requests.reenrolment.submit import submit_reenrolment
from tests.conftest import fixed_clock
from tests.screens.fixtures import CLERK_USERNAME, REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import rows, settle, sign_in, type_text
from tests.screens.school_year.fixtures import YearScreens, seed_school_year
from tests.screens.school_year.test_school_year import text_of

Scenario = Callable[[Pilot[None]], Awaitable[None]]
PIANO_TUITION = Decimal("200.00")


@dataclass(frozen=True)
class NextTerm:
    year: YearScreens
    piano03_id: int
    """Autumn piano 03: Luc Gagnon, Fridays 18:00–19:00, one seat."""
    lea_id: int
    hugo_id: int
    clerk_id: int
    registrar_id: int


def seed_next_term(db: Database) -> NextTerm:
    year = seed_school_year(db)
    with db.write() as uow:
        session = uow.session
        site = session.exec(select(Establishment.id)).one()
        piano = session.exec(select(Discipline).where(col(Discipline.code) == "PIA")).one()
        assert site is not None and piano.id is not None
        piano03 = Course(
            term_id=year.autumn_id,
            establishment_id=site,
            discipline_id=piano.id,
            teacher_id=year.gagnon_id,
            section="03",
            capacity=1,
            weekday=5,
            starts_at=time(18, 0),
            ends_at=time(19, 0),
            room="B-110",
        )
        session.add(piano03)
        # Winter's fee schedule: piano tuition and the registration fee.
        session.add(
            FeeScheduleItem(
                term_id=year.winter_id,
                code="SCO-PIA",
                kind=FeeKind.TUITION,
                description_fr="Droits de scolarité — Piano",
                description_en="Tuition — Piano",
                amount=PIANO_TUITION,
                discipline_id=piano.id,
            )
        )
        session.add(
            FeeScheduleItem(
                term_id=year.winter_id,
                code="INS",
                kind=FeeKind.REGISTRATION,
                description_fr="Frais d'inscription",
                description_en="Registration fee",
                amount=Decimal("50.00"),
            )
        )
        # Invoice numbers past the ones the counter world inserted directly.
        session.add(NumberSequence(key="invoice", last_value=500))
        session.flush()
        students = {
            s.first_name: s.id
            for s in session.exec(
                select(Student).where(col(Student.first_name).in_(["Léa", "Hugo"]))
            )
        }
        staff = {
            user.username: user.id
            for user in session.exec(
                select(StaffUser).where(
                    col(StaffUser.username).in_([CLERK_USERNAME, REGISTRAR_USERNAME])
                )
            )
        }
        assert piano03.id is not None
        return NextTerm(
            year=year,
            piano03_id=piano03.id,
            lea_id=students["Léa"] or 0,
            hugo_id=students["Hugo"] or 0,
            clerk_id=staff[CLERK_USERNAME] or 0,
            registrar_id=staff[REGISTRAR_USERNAME] or 0,
        )


@pytest.fixture
def world(database: Database) -> NextTerm:
    return seed_next_term(database)


def run(database: Database, scenario: Scenario) -> None:
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            await scenario(pilot)

    asyncio.run(main())


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def winter_copy(database: Database, autumn_id: int) -> int:
    with database.read() as uow:
        course_id = uow.session.exec(
            select(Course.id).where(col(Course.rolled_from_id) == autumn_id)
        ).one()
    assert course_id is not None
    return course_id


async def prepare_winter(pilot: Pilot[None], database: Database, world: NextTerm) -> None:
    """F5 on HIV-2027: the rollover's dry run then for real; piano 01 moved to
    17:00–18:00 with Luc Gagnon; re-enrolment opened; then the family's request for piano
    arrives (taken at the counter, as the portal would send it)."""
    await press(pilot, "f5")
    terms = pilot.app.screen
    assert isinstance(terms, TermsScreen)
    await press(pilot, "r")
    dialog = pilot.app.screen
    assert isinstance(dialog, RolloverScreen)
    dry_run = text_of(dialog)
    assert "AUT-2026 → HIV-2027" in dry_run
    assert "2 groupes seraient créés · 1 ignoré" in dry_run
    assert "Marie Tremblay" in dry_run and "Luc Gagnon" in dry_run
    with database.read() as uow:  # the dry run wrote nothing
        assert not uow.session.exec(
            select(Course).where(col(Course.term_id) == world.year.winter_id)
        ).all()
    await press(pilot, "o")
    assert pilot.app.screen is terms
    assert "Report AUT-2026 → HIV-2027 : 2 groupes créés." in text_of(terms)

    await press(pilot, "enter")  # HIV-2027's groups
    groups = pilot.app.screen
    assert isinstance(groups, GroupsScreen)
    lines = rows(groups.query_one("#groups-table", DataTable))
    assert len(lines) == 2 and "Marie Tremblay" in lines[0] and "16:00–17:00" in lines[0]
    await press(pilot, "e")  # piano 01: the teacher picker has the focus
    form = pilot.app.screen
    assert isinstance(form, GroupFormScreen)
    await press(pilot, "enter", "up", "enter")  # Luc Gagnon, listed before Marie Tremblay
    await press(pilot, "tab", "tab")  # the day, then the start time (its text selected)
    await type_text(pilot, "17:00")
    await press(pilot, "tab")
    await type_text(pilot, "18:00")
    await press(pilot, "ctrl+s")
    assert pilot.app.screen is groups, text_of(pilot.app.screen)
    line = rows(groups.query_one("#groups-table", DataTable))[0]
    assert "| 01 | Luc Gagnon | mar. | 17:00–18:00 |" in line, line
    await press(pilot, "escape")

    assert pilot.app.screen is terms
    await press(pilot, "o")  # re-enrolment to HIV-2027 opens today
    assert "Réinscription à la session HIV-2027 ouverte." in text_of(terms)
    winter = rows(terms.query_one("#terms-table", DataTable))[0]
    assert winter.startswith("HIV-2027 |") and "2026-11-23 → … ouverte | 2" in winter, winter
    await press(pilot, "escape")
    with database.write() as uow:
        submit_reenrolment(
            uow,
            actor_id=world.clerk_id,
            student_id=world.lea_id,
            term_code="HIV-2027",
            discipline_codes=["PIA"],
        )


async def open_the_request(pilot: Pilot[None]) -> ReenrolmentDecisionScreen:
    await press(pilot, "f7")
    queue = pilot.app.screen
    (row,) = [r for t in queue.query(DataTable) for r in rows(t)]
    assert "Réinscription" in row and "Léa Tremblay" in row
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, ReenrolmentDecisionScreen)
    return screen


def test_next_terms_groups_rolled_over_and_a_reenrolment_validated_into_the_group_picked(
    database: Database, world: NextTerm
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await prepare_winter(pilot, database, world)
        screen = await open_the_request(pilot)
        proposed = next(r for r in text_of(screen).splitlines() if r.startswith("Piano | "))
        # Proposed: the group Léa's autumn group was rolled into, as adjusted.
        assert proposed.startswith("Piano | 01 | mar. | 17:00–18:00 | 8 | Luc Gagnon"), proposed
        await press(pilot, "g")
        chooser = pilot.app.screen
        assert isinstance(chooser, GroupChooserScreen)
        listed = rows(chooser.query_one("#group-table", DataTable))
        assert listed[0].startswith("▸01") and listed[1].startswith(" 03 | ven. 18:00–19:00 | 1")
        await press(pilot, "down", "enter")
        assert pilot.app.screen is screen
        chosen = next(r for r in text_of(screen).splitlines() if r.startswith("Piano | "))
        assert chosen.startswith("Piano | 03 | ven. | 18:00–19:00 | 1 | Luc Gagnon"), chosen
        await press(pilot, "v")
        text = text_of(screen)
        assert "Acceptée" in text
        assert "Réinscription acceptée : 1 inscription · facture FAC00000501 (250,00\xa0$)" in text

    run(database, scenario)
    winter03 = winter_copy(database, world.piano03_id)
    with database.read() as uow:
        (enrolment,) = uow.session.exec(
            select(Enrolment)
            .join(Course, col(Course.id) == col(Enrolment.course_id))
            .where(
                col(Enrolment.student_id) == world.lea_id,
                col(Course.term_id) == world.year.winter_id,
            )
        ).all()
        assert enrolment.course_id == winter03 and enrolment.status == EnrolmentStatus.ACTIVE
        assert uow.session.get_one(Course, winter03).rolled_from_id == world.piano03_id
        invoice = uow.session.exec(
            select(Invoice).where(
                col(Invoice.student_id) == world.lea_id,
                col(Invoice.term_id) == world.year.winter_id,
            )
        ).one()
        codes = uow.session.exec(
            select(InvoiceLine.fee_code).where(col(InvoiceLine.invoice_id) == invoice.id)
        ).all()
        assert invoice.number == "FAC00000501" and sorted(codes) == ["INS", "SCO-PIA"]
        request = uow.session.exec(
            select(ReenrolmentRequest).where(
                col(ReenrolmentRequest.student_id) == world.lea_id,
                col(ReenrolmentRequest.term_id) == world.year.winter_id,
            )
        ).one()
        assert request.status == RequestStatus.APPROVED
        adjusted = uow.session.get_one(Course, winter_copy(database, world.year.piano01_id))
        assert (adjusted.teacher_id, adjusted.starts_at, adjusted.ends_at) == (
            world.year.gagnon_id,
            time(17, 0),
            time(18, 0),
        )


def test_a_full_group_picked_puts_the_student_in_line_and_a_freed_seat_is_offered_to_her(
    database: Database, world: NextTerm
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await prepare_winter(pilot, database, world)
        winter03 = winter_copy(database, world.piano03_id)
        with database.write() as uow:  # another registrar gives Hugo piano 03's one seat
            add_course(
                uow, actor_id=world.registrar_id, student_id=world.hugo_id, course_id=winter03
            )
        screen = await open_the_request(pilot)
        await press(pilot, "g")
        chooser = pilot.app.screen
        assert isinstance(chooser, GroupChooserScreen)
        full = rows(chooser.query_one("#group-table", DataTable))[1]
        assert full.startswith(" 03 | ven. 18:00–19:00 |") and "complet" in full, full
        await press(pilot, "down", "enter")
        chosen = next(r for r in text_of(screen).splitlines() if r.startswith("Piano | "))
        assert chosen.startswith("Piano | 03 | ven. | 18:00–19:00 | complet → attente"), chosen
        await press(pilot, "v")
        text = text_of(screen)
        assert "Acceptée" in text
        assert "Réinscription acceptée : 0 inscription · Piano : 1er sur la liste d'attente" in text

        # The winter groups (F5, HIV-2027), piano 03's waiting list.
        await press(pilot, "escape", "escape", "f5", "enter")
        groups = pilot.app.screen
        assert isinstance(groups, GroupsScreen)
        table = groups.query_one("#groups-table", DataTable)
        assert "| 03 | Luc Gagnon |" in rows(table)[1] and "1/1" in rows(table)[1]
        await press(pilot, "down", "l")
        waiting = pilot.app.screen
        assert isinstance(waiting, WaitingListScreen)
        (row,) = rows(waiting.query_one("#waiting-table", DataTable))
        assert row.startswith("1 | en attente | Léa Tremblay | Tremblay | 2026-11-23"), row
        await press(pilot, "escape")

        # Hugo drops piano 03 (another registrar): the seat goes to the first in line.
        with database.read() as uow:
            hugo = uow.session.exec(
                select(Enrolment.id).where(
                    col(Enrolment.student_id) == world.hugo_id,
                    col(Enrolment.course_id) == winter03,
                )
            ).one()
        assert hugo is not None
        with database.write() as uow:
            drop_course(uow, actor_id=world.registrar_id, enrolment_id=hugo)
        await press(pilot, "l")
        waiting = pilot.app.screen
        assert isinstance(waiting, WaitingListScreen)
        (row,) = rows(waiting.query_one("#waiting-table", DataTable))
        assert row.startswith("1 | place offerte | Léa Tremblay"), row

    run(database, scenario)
    winter03 = winter_copy(database, world.piano03_id)
    with database.read() as uow:
        entry = uow.session.exec(select(WaitingListEntry)).one()
        assert (entry.course_id, entry.student_id, entry.status) == (
            winter03,
            world.lea_id,
            WaitingStatus.OFFERED,
        )
        assert not uow.session.exec(
            select(Enrolment).where(
                col(Enrolment.student_id) == world.lea_id, col(Enrolment.course_id) == winter03
            )
        ).all()
        assert not uow.session.exec(
            select(Invoice).where(
                col(Invoice.student_id) == world.lea_id,
                col(Invoice.term_id) == world.year.winter_id,
            )
        ).all()
        request = uow.session.exec(
            select(ReenrolmentRequest).where(
                col(ReenrolmentRequest.student_id) == world.lea_id,
                col(ReenrolmentRequest.term_id) == world.year.winter_id,
            )
        ).one()
        assert request.status == RequestStatus.APPROVED

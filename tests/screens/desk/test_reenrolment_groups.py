"""Re-enrolment into real groups, by keyboard (issue #14 §2, scenario 13): the registrar
sees each discipline's group with its day, time and teacher, picks another one (`g`), puts
the student on a full group's waiting list, keeps or declines a contribution (`c`), and
works the group's waiting list (`l`): an offered seat accepted, a student removed."""

from __future__ import annotations

from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    ContributionChoice,
    Enrolment,
    EnrolmentStatus,
    Invoice,
    InvoiceLine,
    WaitingListEntry,
)
from registrar_tui.models.base import WaitingStatus
from registrar_tui.screens.desk.group_chooser import GroupChooserScreen
from registrar_tui.screens.desk.reenrolment_decision import ReenrolmentDecisionScreen
from registrar_tui.screens.school_year.waiting_list import (
    RemovalReasonScreen,
    WaitingListScreen,
)
from registrar_tui.services.records.enrolment import drop_course
from tests.screens.desk.reenrolment_fixtures import ReenrolmentWorld
from tests.screens.desk.test_reenrolment import footer_keys, run, screen_text, settle, world
from tests.screens.helpers import rows, type_text

__all__ = ["world"]  # the fixture, shared with scenario 7's tests


def _winter_piano(database: Database, world: ReenrolmentWorld) -> list[int]:
    ids = [world.winter_courses["PIA"], *world.other_piano.values()]
    with database.read() as uow:
        return list(
            uow.session.exec(
                select(Enrolment.course_id).where(
                    col(Enrolment.student_id) == world.students.lea_id,
                    col(Enrolment.course_id).in_(ids),
                    col(Enrolment.status) == EnrolmentStatus.ACTIVE,
                )
            )
        )


def test_the_registrar_picks_another_group_and_the_student_is_enrolled_there(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        sections = screen.query_one("#sections-table", DataTable)
        assert rows(sections)[0].startswith("Piano | 01 | mer. | 17:30–18:30")
        assert {"g", "c", "l", "v"} <= footer_keys(screen)
        await pilot.press("g")
        await settle(pilot)
        chooser = pilot.app.screen
        assert isinstance(chooser, GroupChooserScreen)
        listed = rows(chooser.query_one("#group-table", DataTable))
        assert listed[0].startswith("▸01 | mer. 17:30–18:30 | 16 |  | Marie-Claude Bélanger")
        assert listed[1].startswith(" 02 | mar. 16:00–17:00 |") and "complet" in listed[1]
        assert listed[2].startswith(" 03 | jeu. 18:00–19:00 |") and listed[2].startswith(
            " 03 | jeu. 18:00–19:00 | 8 | "
        )
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert rows(sections)[0].startswith("Piano | 03 | jeu. | 18:00–19:00")
        await pilot.press("v")
        await settle(pilot)
        assert "Acceptée" in screen_text(screen)

    run(database, lambda: ReenrolmentDecisionScreen(world.request_id), scenario)
    assert _winter_piano(database, world) == [world.other_piano["03"]]


def test_a_full_group_puts_the_student_on_its_waiting_list_with_the_position_shown(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("down", "enter")  # section 02: full
        await settle(pilot)
        sections = rows(screen.query_one("#sections-table", DataTable))
        assert (
            sections[0].startswith("Piano | 02 | mar.") and "| complet → attente |" in sections[0]
        )
        # Piano waits: it is not on the invoice.
        lines = rows(screen.query_one("#lines-table", DataTable))
        assert not any("Piano" in line for line in lines)
        await pilot.press("v")
        await settle(pilot)
        text = screen_text(screen)
        assert "Acceptée" in text and "Piano : 1er sur la liste d'attente" in text
        # The group's waiting list, from the decision screen.
        await pilot.press("l")
        await settle(pilot)
        waiting = pilot.app.screen
        assert isinstance(waiting, WaitingListScreen)
        (row,) = rows(waiting.query_one("#waiting-table", DataTable))
        assert row.startswith("1 | en attente | Léa Tremblay | Tremblay | 2026-11-23")
        assert "groupe 02" in screen_text(waiting)

    run(database, lambda: ReenrolmentDecisionScreen(world.request_id), scenario)
    with database.read() as uow:
        entry = uow.session.exec(select(WaitingListEntry)).one()
        assert entry.course_id == world.other_piano["02"]
        assert entry.student_id == world.students.lea_id
        codes = uow.session.exec(
            select(InvoiceLine.fee_code)
            .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
            .where(
                col(Invoice.student_id) == world.students.lea_id, col(Invoice.term_id).is_not(None)
            )
        ).all()
    assert "SCO-PIA" not in codes and "SCO-SOL" in codes
    assert _winter_piano(database, world) == []


def test_a_contribution_is_declined_on_the_preview_and_issued_declined(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        before = screen_text(screen)
        assert "Total à facturer : 375,00" in before
        await pilot.press("tab")  # to the invoice's lines
        lines = screen.query_one("#lines-table", DataTable)
        target = next(i for i, r in enumerate(rows(lines)) if "Fondation" in r)
        for _ in range(target - lines.cursor_row):
            await pilot.press("down")
        await pilot.press("c")
        await settle(pilot)
        text = screen_text(screen)
        assert "Total à facturer : 350,00" in text
        assert any("Fondation" in r and "| retirée |" in r for r in rows(lines))
        await pilot.press("v")
        await settle(pilot)

    run(database, lambda: ReenrolmentDecisionScreen(world.request_id), scenario)
    with database.read() as uow:
        declined = uow.session.exec(
            select(InvoiceLine.fee_code)
            .join(
                ContributionChoice, col(ContributionChoice.invoice_line_id) == col(InvoiceLine.id)
            )
            .where(col(ContributionChoice.declined))
        ).all()
    assert declined.count("FONDATION") == 1  # (the seeded autumn decline is "FOND")


def _wait_in_line(database: Database, world: ReenrolmentWorld) -> int:
    """Léa validated onto full piano 02: in line, first; then Hugo drops its one seat."""
    from registrar_tui.services.records.enrolment_plan import GroupPick
    from registrar_tui.services.requests.reenrolment.decide import validate_reenrolment

    registrar = world.students.registrar_id
    with database.write() as uow:
        validate_reenrolment(
            uow,
            world.request_id,
            registrar,
            {_piano_id(database): GroupPick(world.other_piano["02"], waiting_list=True)},
        )
    with database.read() as uow:
        entry_id = uow.session.exec(select(WaitingListEntry.id)).one()
        hugo = uow.session.exec(
            select(Enrolment.id).where(col(Enrolment.course_id) == world.other_piano["02"])
        ).one()
    assert entry_id is not None and hugo is not None
    with database.write() as uow:
        drop_course(uow, actor_id=registrar, enrolment_id=hugo)
    return entry_id


def _piano_id(database: Database) -> int:
    from registrar_tui.models import Discipline

    with database.read() as uow:
        piano = uow.session.exec(select(Discipline.id).where(col(Discipline.code) == "PIA")).one()
    assert piano is not None
    return piano


def test_an_offered_seat_is_accepted_from_the_waiting_list(
    database: Database, world: ReenrolmentWorld
) -> None:
    entry_id = _wait_in_line(database, world)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        (row,) = rows(screen.query_one("#waiting-table", DataTable))
        assert row.startswith("1 | place offerte | Léa Tremblay")
        assert {"a", "x", "m", "d"} <= footer_keys(screen)
        await pilot.press("a")
        await settle(pilot)
        assert "Personne n'attend une place dans ce groupe." in screen_text(screen)

    run(database, lambda: WaitingListScreen(world.other_piano["02"]), scenario)
    with database.read() as uow:
        entry = uow.session.get_one(WaitingListEntry, entry_id)
        assert entry.status == WaitingStatus.ENROLLED
        billed = uow.session.exec(
            select(InvoiceLine.fee_code).where(col(InvoiceLine.fee_code) == "SCO-PIA")
        ).all()
    assert _winter_piano(database, world) == [world.other_piano["02"]]
    assert billed == ["SCO-PIA"]


def test_a_student_is_removed_from_the_line_with_a_cleaned_reason(
    database: Database, world: ReenrolmentWorld
) -> None:
    entry_id = _wait_in_line(database, world)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("x")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RemovalReasonScreen)
        await type_text(pilot, "Carte 4111 1111 1111 1111")
        await pilot.press("enter")
        await settle(pilot)
        # Refused by the service: said on the waiting list, nothing removed.
        assert isinstance(pilot.app.screen, WaitingListScreen)
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, "Offre refusée [b]par[/b] la famille")
        await pilot.press("enter")
        await settle(pilot)
        assert "Personne n'attend une place dans ce groupe." in screen_text(pilot.app.screen)

    run(database, lambda: WaitingListScreen(world.other_piano["02"]), scenario)
    with database.read() as uow:
        entry = uow.session.get_one(WaitingListEntry, entry_id)
        assert entry.status == WaitingStatus.DECLINED
        assert entry.reason == "Offre refusée [b]par[/b] la famille"
        assert "4111" not in entry.reason


def test_the_registrar_moves_a_student_down_the_line(
    database: Database, world: ReenrolmentWorld
) -> None:
    from registrar_tui.services.school_year.waiting_lists import join_waiting_list

    with database.write() as uow:
        for student_id in (world.students.lea_id, world.students.markup_id):
            join_waiting_list(
                uow,
                actor_id=world.students.registrar_id,
                course_id=world.other_piano["02"],
                student_id=student_id,
            )

    async def scenario(pilot: Pilot[None]) -> None:
        table = pilot.app.screen.query_one("#waiting-table", DataTable)
        assert rows(table)[0].startswith("1 | en attente | Léa Tremblay")
        await pilot.press("d")
        await settle(pilot)
        listed = rows(table)
        assert listed[1].startswith("2 | en attente | Léa Tremblay")
        assert table.cursor_row == 1  # the highlight follows the student moved
        await pilot.press("m")
        await settle(pilot)
        assert rows(table)[0].startswith("1 | en attente | Léa Tremblay")

    run(database, lambda: WaitingListScreen(world.other_piano["02"]), scenario)
    with database.read() as uow:
        actions = uow.session.exec(
            select(AuditEvent.action).where(col(AuditEvent.action) == "waiting_list.move")
        ).all()
    assert len(actions) == 2

"""Re-enrolment with real groups (issue #14 §2): the groups proposed with their schedule,
the group the registrar picks, a full group's waiting list, declined contributions."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    ContributionChoice,
    Course,
    Enrolment,
    Invoice,
    InvoiceLine,
    OutboxMessage,
    ReenrolmentRequest,
    Teacher,
    WaitingListEntry,
)
from registrar_tui.models.base import RequestStatus, WaitingStatus
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice
from registrar_tui.services.records.enrolment_plan import (
    AllGroupsFull,
    GroupFilled,
    GroupNotOpen,
    GroupPick,
    NoGroupOpen,
)
from registrar_tui.services.requests.reenrolment.decide import (
    reenrolment_detail,
    validate_reenrolment,
)
from registrar_tui.services.requests.reenrolment.submit import submit_reenrolment
from tests.services.reenrolment_data import World, add_student_family, build_world, enrol

D = Decimal


@pytest.fixture
def world(database: Database) -> World:
    world = build_world(database)
    with database.write() as uow:
        teacher = Teacher(first_name="Sophie", last_name="Bélanger")
        uow.session.add(teacher)
        uow.session.flush()
        for key, weekday, start, room in (
            ("HIV-PIA-01", 1, time(16), "Studio 1"),
            ("HIV-PIA-02", 3, time(17, 30), "Studio 3"),
            ("HIV-SOL", 6, time(9), "Salle 12"),
        ):
            course = uow.session.get_one(Course, world.courses[key])
            course.weekday, course.starts_at = weekday, start
            course.ends_at = time(start.hour + 1, start.minute)
            course.room, course.level = room, "Préparatoire"
            course.teacher_id = teacher.id
            uow.session.add(course)
    return world


def _submit(db: Database, world: World, *codes: str, student_id: int | None = None) -> int:
    with db.write() as uow:
        return submit_reenrolment(
            uow,
            actor_id=world.school.clerk_id,
            student_id=student_id or world.student_id,
            term_code="HIV-2027",
            discipline_codes=codes,
            administrative=False,
            note="",
        ).request_id


def _winter_course(db: Database, world: World, section: str, rolled_from: str | None) -> int:
    with db.write() as uow:
        course = Course(
            term_id=world.winter_id,
            establishment_id=world.school.montreal_id,
            discipline_id=world.disciplines["PIA"],
            section=section,
            capacity=5,
            weekday=2,
            starts_at=time(18),
            ends_at=time(19),
            rolled_from_id=world.courses[rolled_from] if rolled_from else None,
        )
        uow.session.add(course)
        uow.session.flush()
        assert course.id is not None
        return course.id


def test_the_groups_are_proposed_with_day_time_teacher_room_and_seats(
    database: Database, world: World
) -> None:
    request_id = _submit(database, world, "PIA", "SOL")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
    piano = detail.sections[0]
    assert [(g.section, g.seats_left, g.is_full) for g in piano.groups] == [
        ("01", 0, True),
        ("02", 12, False),
    ]
    chosen = piano.chosen
    assert chosen is not None and chosen.section == "02"  # the first with room
    assert (chosen.weekday, chosen.starts_at, chosen.ends_at) == (3, time(17, 30), time(18, 30))
    assert (chosen.teacher, chosen.room, chosen.level) == (
        "Sophie Bélanger",
        "Studio 3",
        "Préparatoire",
    )


def test_the_group_rolled_from_the_students_group_is_preferred(
    database: Database, world: World
) -> None:
    rolled = _winter_course(database, world, "03", rolled_from="AUT-PIA")
    request_id = _submit(database, world, "PIA")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
    assert detail.sections[0].course_id == rolled


def test_a_closed_group_is_not_offered(database: Database, world: World) -> None:
    with database.write() as uow:
        course = uow.session.get_one(Course, world.courses["HIV-PIA-02"])
        course.closed_at = uow.now()
        uow.session.add(course)
    request_id = _submit(database, world, "PIA")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
    assert [g.section for g in detail.sections[0].groups] == ["01"]
    assert "complets" in detail.problem  # the one open group is full
    with pytest.raises(GroupNotOpen), database.read() as uow:
        reenrolment_detail(uow, request_id, {world.disciplines["PIA"]: world.courses["HIV-PIA-02"]})


def test_no_open_group_is_said_in_other_words_than_full(database: Database, world: World) -> None:
    enrol(database, world.student_id, world.courses["AUT-VLN"])
    request_id = _submit(database, world, "VLN")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
    assert detail.problem == (
        "Aucun groupe de Violon n'est ouvert à cet établissement en HIV-2027."
    )
    assert "complet" not in detail.problem
    with pytest.raises(NoGroupOpen), database.write() as uow:
        validate_reenrolment(uow, request_id, world.school.registrar_id)


def test_validation_uses_the_group_picked(database: Database, world: World) -> None:
    other = _winter_course(database, world, "04", rolled_from=None)
    request_id = _submit(database, world, "PIA")
    picks = {world.disciplines["PIA"]: other}
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id, picks)
    pick = detail.sections[0].pick()
    assert pick == GroupPick(other, waiting_list=False)
    with database.write() as uow:
        decided = validate_reenrolment(
            uow, request_id, world.school.registrar_id, {world.disciplines["PIA"]: pick}
        )
    assert decided.enrolment_count == 1
    with database.read() as uow:
        winter = uow.session.exec(
            select(Enrolment.course_id).where(
                col(Enrolment.student_id) == world.student_id,
                col(Enrolment.course_id).in_(
                    [other, world.courses["HIV-PIA-02"], world.courses["HIV-PIA-01"]]
                ),
            )
        ).all()
    assert winter == [other]


def test_a_group_that_filled_meanwhile_is_refused_and_nothing_is_written(
    database: Database, world: World
) -> None:
    request_id = _submit(database, world, "PIA", "SOL")
    with database.read() as uow:
        seen = reenrolment_detail(uow, request_id).sections[0].pick()
    assert seen is not None and not seen.waiting_list
    with database.write() as uow:  # another registrar fills section 02 meanwhile
        course = uow.session.get_one(Course, world.courses["HIV-PIA-02"])
        course.capacity = 1
        uow.session.add(course)
    _family, other = add_student_family(database, world.school, "Roy")
    enrol(database, other, world.courses["HIV-PIA-02"])
    with pytest.raises(GroupFilled) as refused, database.write() as uow:
        validate_reenrolment(
            uow, request_id, world.school.registrar_id, {world.disciplines["PIA"]: seen}
        )
    assert "02" in refused.value.translated() and "Rien n'a été enregistré" in (
        refused.value.translated()
    )
    with database.read() as uow:
        assert uow.session.exec(select(Invoice)).all() == []
        assert uow.session.exec(select(WaitingListEntry)).all() == []
        status = uow.session.get_one(ReenrolmentRequest, request_id).status
    assert status == RequestStatus.PENDING


def test_a_full_group_picked_puts_the_student_on_its_waiting_list(
    database: Database, world: World
) -> None:
    request_id = _submit(database, world, "PIA", "SOL")
    full = world.courses["HIV-PIA-01"]
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id, {world.disciplines["PIA"]: full})
    piano = detail.sections[0]
    assert piano.waiting_list and piano.pick() == GroupPick(full, waiting_list=True)
    # Piano waits: not billed; solfège is enrolled and billed with the registration fee.
    assert [line.fee_code for line in detail.lines] == ["SCO-SOL", "INS", "FONDATION"]
    with database.write() as uow:
        decided = validate_reenrolment(
            uow, request_id, world.school.registrar_id, {world.disciplines["PIA"]: piano.pick()}
        )
    assert decided.enrolment_count == 1
    assert [(w.discipline.code, w.section, w.rank) for w in decided.waiting] == [("PIA", "01", 1)]
    assert decided.invoice_total == D("165.00")
    with database.read() as uow:
        entry = uow.session.exec(select(WaitingListEntry)).one()
        message = uow.session.exec(select(OutboxMessage)).one()
        actions = list(uow.session.exec(select(AuditEvent.action)))
        uow.session.expunge_all()
    assert entry.course_id == full and entry.status == WaitingStatus.WAITING
    assert entry.reenrolment_request_id == request_id
    assert "liste d'attente (rang 1)" in message.body
    assert "waiting_list.join" in actions and "reenrolment.validate" in actions


def test_all_groups_full_and_none_picked_is_refused(database: Database, world: World) -> None:
    with database.write() as uow:
        course = uow.session.get_one(Course, world.courses["HIV-PIA-02"])
        course.capacity = 1
        uow.session.add(course)
    _family, other = add_student_family(database, world.school, "Roy")
    enrol(database, other, world.courses["HIV-PIA-02"])
    request_id = _submit(database, world, "PIA")
    with pytest.raises(AllGroupsFull), database.write() as uow:
        validate_reenrolment(uow, request_id, world.school.registrar_id)


def _declined_last_autumn(database: Database, world: World) -> None:
    """The family's autumn invoice, its foundation contribution declined."""
    with database.write() as uow:
        invoice = issue_invoice(
            uow,
            actor_id=world.school.registrar_id,
            family_id=world.family_id,
            description="Session AUT-2026",
            lines=[
                NewLine("SCO-PIA", "Droits de scolarité — PIA", D("200.00")),
                NewLine("FONDATION", "Contribution volontaire — Fondation", D("25.00"), True),
            ],
            due_on=date(2026, 12, 1),
            student_id=world.student_id,
            term_id=world.autumn_id,
        )
        line_id = uow.session.exec(
            select(InvoiceLine.id).where(
                col(InvoiceLine.invoice_id) == invoice.invoice_id,
                col(InvoiceLine.fee_code) == "FONDATION",
            )
        ).one()
        assert line_id is not None
        decline_contribution(uow, line_id, world.school.registrar_id)


def test_a_contribution_declined_last_term_is_proposed_declined(
    database: Database, world: World
) -> None:
    _declined_last_autumn(database, world)
    request_id = _submit(database, world, "SOL")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
        kept = reenrolment_detail(uow, request_id, declined=())
    assert detail.declined == frozenset({"FONDATION"})
    assert detail.total == D("140.00")  # solfège 90 + registration 50, no foundation
    assert kept.declined == frozenset() and kept.total == D("165.00")
    with database.write() as uow:
        decided = validate_reenrolment(uow, request_id, world.school.registrar_id)
    assert decided.invoice_total == D("140.00")
    with database.read() as uow:
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.number) == decided.invoice_number)
        ).one()
        declined = uow.session.exec(
            select(InvoiceLine.fee_code)
            .join(
                ContributionChoice, col(ContributionChoice.invoice_line_id) == col(InvoiceLine.id)
            )
            .where(col(InvoiceLine.invoice_id) == invoice.id, col(ContributionChoice.declined))
        ).all()
        message = uow.session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == "reenrolment")
        ).one()
        uow.session.expunge_all()
    assert declined == ["FONDATION"]
    assert "140,00" in message.body


def test_a_declined_contribution_toggled_back_is_billed(database: Database, world: World) -> None:
    _declined_last_autumn(database, world)
    request_id = _submit(database, world, "SOL")
    with database.write() as uow:
        decided = validate_reenrolment(
            uow, request_id, world.school.registrar_id, declined=frozenset()
        )
    assert decided.invoice_total == D("165.00")
    with database.read() as uow:
        choices = uow.session.exec(select(ContributionChoice)).all()
    assert len(choices) == 1  # only the autumn one

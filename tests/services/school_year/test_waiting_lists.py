"""A group's waiting list (issue #14 §2): in line with a rank, a freed seat offered to the
first in line with a message, accepting enrols and bills, declining passes it on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    Course,
    Enrolment,
    Invoice,
    InvoiceLine,
    OutboxMessage,
    WaitingListEntry,
)
from registrar_tui.models.base import EnrolmentStatus, Language, WaitingStatus
from registrar_tui.services.core.errors import CardNumberRefused, PermissionDenied, ReasonRequired
from registrar_tui.services.records.enrolment import CourseFull, add_course, drop_course
from registrar_tui.services.school_year.groups import GroupDraft, update_group
from registrar_tui.services.school_year.waiting_lists import (
    AlreadyInGroup,
    AlreadyInLine,
    NotOffered,
    accept_offer,
    join_waiting_list,
    move_in_line,
    offer_free_seats,
    remove_from_list,
    waiting_list,
)
from tests.services.reenrolment_data import World, add_student_family, build_world

D = Decimal


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def _line_up(database: Database, world: World, *names: str) -> list[tuple[int, int]]:
    """Families `names`, each a student put in line for the full piano section 01:
    [(student id, entry id)]."""
    placed = []
    for name in names:
        _family, student = add_student_family(
            database,
            world.school,
            name,
            email=f"{name.lower()}@example.ca",
            language=Language.ENGLISH if name == "Smith" else Language.FRENCH,
        )
        with database.write() as uow:
            place = join_waiting_list(
                uow,
                actor_id=world.school.registrar_id,
                course_id=world.courses["HIV-PIA-01"],
                student_id=student,
            )
        placed.append((student, place.entry_id))
    return placed


def _seat_holder(database: Database, world: World) -> int:
    with database.read() as uow:
        enrolment_id = uow.session.exec(
            select(Enrolment.id).where(col(Enrolment.course_id) == world.courses["HIV-PIA-01"])
        ).one()
    assert enrolment_id is not None
    return enrolment_id


def test_students_join_the_line_in_order_and_see_their_rank(
    database: Database, world: World
) -> None:
    placed = _line_up(database, world, "Roy", "Côté", "Lavoie")
    with database.read() as uow:
        listed = waiting_list(uow, world.courses["HIV-PIA-01"])
    assert [(r.rank, r.family_name, r.status) for r in listed.rows] == [
        (1, "Famille Roy", WaitingStatus.WAITING),
        (2, "Famille Côté", WaitingStatus.WAITING),
        (3, "Famille Lavoie", WaitingStatus.WAITING),
    ]
    assert (listed.capacity, listed.seats_taken, listed.section) == (1, 1, "01")
    with pytest.raises(AlreadyInLine), database.write() as uow:
        join_waiting_list(
            uow,
            actor_id=world.school.registrar_id,
            course_id=world.courses["HIV-PIA-01"],
            student_id=placed[0][0],
        )


def test_a_student_in_the_group_cannot_join_its_line(database: Database, world: World) -> None:
    with database.read() as uow:
        holder = uow.session.exec(
            select(Enrolment.student_id).where(
                col(Enrolment.course_id) == world.courses["HIV-PIA-01"]
            )
        ).one()
    with pytest.raises(AlreadyInGroup), database.write() as uow:
        join_waiting_list(
            uow,
            actor_id=world.school.admin_id,
            course_id=world.courses["HIV-PIA-01"],
            student_id=holder,
        )


def test_a_drop_offers_the_seat_to_the_first_in_line_with_a_message(
    database: Database, world: World
) -> None:
    (first, first_entry), (_second, second_entry) = _line_up(database, world, "Smith", "Roy")
    with database.write() as uow:
        drop_course(
            uow, actor_id=world.school.registrar_id, enrolment_id=_seat_holder(database, world)
        )
    with database.read() as uow:
        entries = {e.id: e for e in uow.session.exec(select(WaitingListEntry))}
        message = uow.session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == "waiting_list_offer")
        ).one()
        actions = list(uow.session.exec(select(AuditEvent.action)))
        listed = waiting_list(uow, world.courses["HIV-PIA-01"])
        uow.session.expunge_all()
    assert entries[first_entry].status == WaitingStatus.OFFERED
    assert entries[first_entry].offered_at is not None
    assert entries[second_entry].status == WaitingStatus.WAITING
    # In the family's language (the Smiths read English).
    assert message.recipient == "smith@example.ca" and message.language == Language.ENGLISH
    assert "Piano" in message.body and "HIV-2027" in message.subject
    assert "waiting_list.offer" in actions
    assert [r.status for r in listed.rows] == [WaitingStatus.OFFERED, WaitingStatus.WAITING]
    assert first


def test_accepting_the_offer_enrols_and_bills_the_discipline(
    database: Database, world: World
) -> None:
    [(student, entry_id)] = _line_up(database, world, "Roy")
    with pytest.raises(NotOffered), database.write() as uow:
        accept_offer(uow, entry_id, world.school.registrar_id)
    with database.write() as uow:
        drop_course(
            uow, actor_id=world.school.registrar_id, enrolment_id=_seat_holder(database, world)
        )
    with database.write() as uow:
        accepted = accept_offer(uow, entry_id, world.school.registrar_id)
    assert accepted.invoice_total == D("250.00")  # piano tuition + registration fee
    with database.read() as uow:
        enrolment = uow.session.get_one(Enrolment, accepted.enrolment_id)
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.number) == accepted.invoice_number)
        ).one()
        codes = uow.session.exec(
            select(InvoiceLine.fee_code).where(col(InvoiceLine.invoice_id) == invoice.id)
        ).all()
        entry = uow.session.get_one(WaitingListEntry, entry_id)
        listed = waiting_list(uow, world.courses["HIV-PIA-01"])
        uow.session.expunge_all()
    assert enrolment.student_id == student and enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.course_id == world.courses["HIV-PIA-01"]
    assert sorted(codes) == ["INS", "SCO-PIA"] and invoice.term_id == world.winter_id
    assert entry.status == WaitingStatus.ENROLLED and entry.enrolment_id == enrolment.id
    assert listed.rows == () and listed.seats_taken == 1


def test_declining_the_offer_passes_the_seat_to_the_next(database: Database, world: World) -> None:
    (_a, first), (_b, second) = _line_up(database, world, "Roy", "Côté")
    with database.write() as uow:
        drop_course(
            uow, actor_id=world.school.registrar_id, enrolment_id=_seat_holder(database, world)
        )
    with pytest.raises(ReasonRequired), database.write() as uow:
        remove_from_list(uow, first, world.school.registrar_id, "  ")
    with pytest.raises(CardNumberRefused), database.write() as uow:
        remove_from_list(uow, first, world.school.registrar_id, "Carte 4111 1111 1111 1111")
    with database.write() as uow:
        offered = remove_from_list(uow, first, world.school.registrar_id, "Délai expiré\x1b[31m")
    assert offered == [second]
    with database.read() as uow:
        declined = uow.session.get_one(WaitingListEntry, first)
        status, reason = declined.status, declined.reason
        messages = len(uow.session.exec(select(OutboxMessage)).all())
    assert status == WaitingStatus.DECLINED and reason == "Délai expiré[31m"
    assert messages == 2  # one offer each


def test_raising_the_capacity_then_offering_fills_the_new_seats(
    database: Database, world: World
) -> None:
    placed = _line_up(database, world, "Roy", "Côté", "Lavoie")
    with database.write() as uow:
        course = uow.session.get_one(Course, world.courses["HIV-PIA-01"])
        course.capacity = 3
        uow.session.add(course)
        offered = offer_free_seats(uow, world.courses["HIV-PIA-01"], world.school.admin_id)
    assert offered == [placed[0][1], placed[1][1]]


def test_the_registrar_moves_a_student_up_and_down_the_line(
    database: Database, world: World
) -> None:
    placed = _line_up(database, world, "Roy", "Côté", "Lavoie")
    with database.write() as uow:
        place = move_in_line(uow, placed[2][1], world.school.registrar_id, up=True)
    assert place.rank == 2
    with database.write() as uow:
        top = move_in_line(uow, placed[0][1], world.school.registrar_id, up=True)
    assert top.rank == 1  # first already: nothing moves
    with database.read() as uow:
        listed = waiting_list(uow, world.courses["HIV-PIA-01"])
    assert [r.family_name for r in listed.rows] == ["Famille Roy", "Famille Lavoie", "Famille Côté"]


def test_only_a_registrar_or_an_admin_changes_a_line(database: Database, world: World) -> None:
    [(_student, entry_id)] = _line_up(database, world, "Roy")
    for act in (
        lambda uow: move_in_line(uow, entry_id, world.school.clerk_id, up=False),
        lambda uow: remove_from_list(uow, entry_id, world.school.clerk_id, "Abandon"),
        lambda uow: accept_offer(uow, entry_id, world.school.clerk_id),
    ):
        with pytest.raises(PermissionDenied), database.write() as uow:
            act(uow)


def test_a_seat_offered_to_the_line_is_not_taken_at_the_counter(
    database: Database, world: World
) -> None:
    """The freed seat is held for the first in line: a course added at the counter for
    someone else finds the group full, and the counter's course list leaves it out."""
    [(_first, first_entry)] = _line_up(database, world, "Roy")
    with database.write() as uow:
        drop_course(
            uow, actor_id=world.school.registrar_id, enrolment_id=_seat_holder(database, world)
        )
    _family, walk_in = add_student_family(database, world.school, "Lavoie")
    with pytest.raises(CourseFull), database.write() as uow:
        add_course(
            uow,
            actor_id=world.school.registrar_id,
            student_id=walk_in,
            course_id=world.courses["HIV-PIA-01"],
        )
    with database.read() as uow:
        assert uow.session.get_one(WaitingListEntry, first_entry).status == WaitingStatus.OFFERED
        active = uow.session.exec(
            select(Enrolment).where(
                col(Enrolment.course_id) == world.courses["HIV-PIA-01"],
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
        ).all()
    assert active == []


def test_raising_a_group_capacity_offers_the_new_seat_to_the_first_in_line(
    database: Database, world: World
) -> None:
    (_first, first_entry), (_second, second_entry) = _line_up(database, world, "Roy", "Côté")
    course_id = world.courses["HIV-PIA-01"]
    with database.read() as uow:
        course = uow.session.get_one(Course, course_id)
        draft = GroupDraft(
            establishment_id=course.establishment_id,
            discipline_id=course.discipline_id,
            section=course.section,
            teacher_id=course.teacher_id,
            weekday=str(course.weekday or ""),
            starts_at=course.starts_at.strftime("%H:%M") if course.starts_at else "",
            ends_at=course.ends_at.strftime("%H:%M") if course.ends_at else "",
            room=course.room,
            capacity=str(course.capacity + 1),
            level=course.level,
        )
    with database.write() as uow:
        update_group(uow, actor_id=world.school.registrar_id, course_id=course_id, draft=draft)
    with database.read() as uow:
        entries = {e.id: e.status for e in uow.session.exec(select(WaitingListEntry))}
        offers = uow.session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == "waiting_list_offer")
        ).all()
    assert entries[first_entry] == WaitingStatus.OFFERED
    assert entries[second_entry] == WaitingStatus.WAITING
    assert len(offers) == 1

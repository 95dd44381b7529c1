"""A first enrolment at the counter (scenario 12): a clerk may enrol a student who has no
course in the term, billed tuition + the registration fee once per school year and never
the schedule-change fee; a change to a term the student already has stays a registrar's.
The next term's groups are offered once its re-enrolment is open or it starts within 60
days."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Enrolment, Invoice, InvoiceLine, Term
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.records.enrolment import (
    add_course,
    add_course_bill,
    course_choices,
    offered_terms,
)
from tests.services.reenrolment_data import World, add_student_family, build_world, set_today

D = Decimal


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def _codes(db: Database, number: str | None) -> list[tuple[str, Decimal]]:
    with db.read() as uow:
        return [
            (code, amount)
            for code, amount in uow.session.exec(
                select(InvoiceLine.fee_code, InvoiceLine.amount)
                .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
                .where(col(Invoice.number) == number)
                .order_by(col(InvoiceLine.position))
            )
        ]


def test_a_clerk_enrols_a_new_student_billed_tuition_and_registration_once(
    database: Database, world: World
) -> None:
    _family, student = add_student_family(database, world.school, "Gauthier")
    clerk = world.school.clerk_id
    with database.read() as uow:
        choices = course_choices(uow, student)
        bill = add_course_bill(uow, student, world.courses["AUT-VLN"])
    # Autumn is under way and winter starts within 60 days: both terms are offered.
    assert {c.term_code for c in choices} == {"AUT-2026", "HIV-2027"}
    assert all(c.first_enrolment for c in choices)
    assert [(line.fee_code, line.amount) for line in bill.lines] == [
        ("SCO-VLN", D("200.00")),
        ("INS", D("50.00")),
    ]  # the autumn term has started, yet no schedule-change fee for a first enrolment
    with database.write() as uow:
        first = add_course(
            uow, actor_id=clerk, student_id=student, course_id=world.courses["AUT-VLN"]
        )
    assert first.billed == D("250.00")
    assert _codes(database, first.invoice_number) == [("SCO-VLN", D("200.00")), ("INS", D("50.00"))]

    # A first course in winter, same school year: tuition only, the registration is paid.
    with database.write() as uow:
        winter = add_course(
            uow, actor_id=clerk, student_id=student, course_id=world.courses["HIV-SOL"]
        )
    assert _codes(database, winter.invoice_number) == [("SCO-SOL", D("90.00"))]

    with database.read() as uow:
        events = uow.session.exec(
            select(AuditEvent.after_json).where(col(AuditEvent.action) == "enrolment.add")
        ).all()
        assert [json.loads(event)["first_enrolment"] for event in events] == [True, True]
        active = uow.session.exec(
            select(Enrolment.course_id).where(col(Enrolment.student_id) == student)
        ).all()
        assert sorted(active) == sorted([world.courses["AUT-VLN"], world.courses["HIV-SOL"]])


def test_a_clerk_cannot_change_a_term_the_student_already_has(
    database: Database, world: World
) -> None:
    """The world's student takes autumn piano and solfège: adding violin is a change."""
    with database.read() as uow:
        autumn = [c for c in course_choices(uow, world.student_id) if c.term_code == "AUT-2026"]
    assert [(c.discipline.code, c.first_enrolment) for c in autumn] == [("VLN", False)]
    with pytest.raises(PermissionDenied), database.write() as uow:
        add_course(
            uow, actor_id=world.school.clerk_id, student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )  # fmt: skip
    with database.read() as uow:
        assert uow.session.exec(select(Invoice.id)).all() == []
    # The registrar may: today's billing, tuition and the schedule-change fee.
    with database.write() as uow:
        change = add_course(
            uow, actor_id=world.school.registrar_id, student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )  # fmt: skip
    assert _codes(database, change.invoice_number) == [
        ("SCO-VLN", D("200.00")),
        ("CHG-HORAIRE", D("15.00")),
    ]


def test_the_next_term_is_offered_only_when_close_or_open_for_reenrolment(
    database: Database, world: World
) -> None:
    with database.write() as uow:
        winter = uow.session.get_one(Term, world.winter_id)
        winter.reenrolment_opens_on = None
        winter.reenrolment_closes_on = None
        uow.session.add(winter)
    set_today(database, date(2026, 10, 1))  # winter starts in 102 days, re-enrolment closed
    with database.read() as uow:
        assert [t.code for t in offered_terms(uow, date(2026, 10, 1))] == ["AUT-2026"]
        assert [t.code for t in offered_terms(uow, date(2026, 11, 12))] == [
            "AUT-2026",
            "HIV-2027",
        ]  # 60 days before 11 January
    with database.write() as uow:
        winter = uow.session.get_one(Term, world.winter_id)
        winter.reenrolment_opens_on = date(2026, 9, 15)
        winter.reenrolment_closes_on = date(2026, 10, 15)
        uow.session.add(winter)
    with database.read() as uow:
        assert [t.code for t in offered_terms(uow, date(2026, 10, 1))] == [
            "AUT-2026",
            "HIV-2027",
        ]
        # Between the terms, the coming one alone.
        assert [t.code for t in offered_terms(uow, date(2026, 12, 28))] == ["HIV-2027"]

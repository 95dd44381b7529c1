"""What a re-enrolment or a course change would create: sections with room, the term's fees.

Shared by the re-enrolment services (preview and validation compute the same plan, so
what the registrar saw is what gets written) and by the course changes at the counter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    FeeScheduleItem,
    Invoice,
    InvoiceLine,
    Teacher,
    Term,
)
from registrar_tui.models.base import EnrolmentStatus, FeeKind, Language, Season, require_id
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.ledger.invoicing import NewLine, schedule_fee, term_schedule
from registrar_tui.services.records.courses import DisciplineName, teacher_name
from registrar_tui.services.school_year.groups import seats_taken


class NoSectionWithRoom(DomainError):
    message = N_("Aucun groupe de {discipline} n'a de place à cet établissement en {term}.")


@dataclass(frozen=True)
class SectionChoice:
    """The course section a discipline would be taken in (None: no section has room)."""

    discipline_id: int
    discipline: DisciplineName
    course_id: int | None
    section: str
    teacher: str | None
    seats_left: int
    already_enrolled: bool
    """The student already has an active enrolment in this discipline for the term."""


@dataclass(frozen=True)
class PlannedLine:
    fee_code: str
    description: str
    amount: Decimal
    is_voluntary: bool


def discipline_name(discipline: Discipline) -> DisciplineName:
    return DisciplineName(discipline.code, discipline.name_fr, discipline.name_en)


def active_disciplines(uow: UnitOfWork, student_id: int, term_id: int) -> set[int]:
    """Disciplines the student is actively enrolled in for the term."""
    return {
        int(discipline_id)
        for discipline_id in uow.session.exec(
            select(col(Course.discipline_id))
            .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id) == term_id,
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
        )
    }


def choose_sections(
    uow: UnitOfWork,
    *,
    student_id: int,
    term_id: int,
    establishment_id: int,
    disciplines: Sequence[Discipline],
) -> tuple[SectionChoice, ...]:
    """For each discipline, the first section (by name) at the establishment with room."""
    wanted = [d.id for d in disciplines if d.id is not None]
    courses = list(
        uow.session.exec(
            select(Course)
            .where(
                col(Course.term_id) == term_id,
                col(Course.establishment_id) == establishment_id,
                col(Course.discipline_id).in_(wanted),
            )
            .order_by(col(Course.section), col(Course.id))
        )
    )
    taken = seats_taken(uow, (c.id for c in courses if c.id is not None))
    teacher_ids = {c.teacher_id for c in courses if c.teacher_id is not None}
    teachers = {
        t.id: t for t in uow.session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))
    }
    enrolled = active_disciplines(uow, student_id, term_id)
    choices = []
    for discipline in disciplines:
        discipline_id = require_id(discipline)
        chosen: Course | None = None
        for course in courses:
            room = course.capacity - taken.get(require_id(course), 0)
            if course.discipline_id == discipline_id and room > 0:
                chosen = course
                break
        choices.append(
            SectionChoice(
                discipline_id=discipline_id,
                discipline=discipline_name(discipline),
                course_id=chosen.id if chosen else None,
                section=chosen.section if chosen else "",
                teacher=teacher_name(teachers.get(chosen.teacher_id)) if chosen else None,
                seats_left=chosen.capacity - taken.get(require_id(chosen), 0) if chosen else 0,
                already_enrolled=discipline_id in enrolled,
            )
        )
    return tuple(choices)


def school_year(term: Term) -> int:
    """The school year a term belongs to: autumn 2026, winter and summer 2027 are 2026."""
    return term.year if term.season == Season.AUTUMN else term.year - 1


def owes_registration(uow: UnitOfWork, student_id: int, term: Term) -> bool:
    """True unless a registration fee was already billed to the student this school year."""
    codes = list(
        uow.session.exec(
            select(FeeScheduleItem.code).where(
                col(FeeScheduleItem.kind) == FeeKind.REGISTRATION,
            )
        )
    )
    if not codes:
        return False
    billed_terms = uow.session.exec(
        select(Term)
        .join(Invoice, col(Invoice.term_id) == col(Term.id))
        .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
        .where(col(Invoice.student_id) == student_id, col(InvoiceLine.fee_code).in_(codes))
    ).all()
    return all(school_year(billed) != school_year(term) for billed in billed_terms)


def term_invoice_lines(
    uow: UnitOfWork,
    *,
    student_id: int,
    term: Term,
    disciplines: Sequence[tuple[int, str]],
    language: Language,
) -> list[NewLine]:
    """The term's invoice from its fee schedule: tuition per (id, code) discipline, the registration
    fee when the student has not paid one this school year, the voluntary contributions.

    Raises NotFound (invoicing) when the schedule lacks a discipline's tuition.
    """
    assert term.id is not None
    schedule = term_schedule(uow, term.id, language)
    tuition = {
        fee.discipline_id: fee
        for fee in schedule
        if fee.kind is FeeKind.TUITION and fee.discipline_id is not None
    }
    lines = []
    for discipline_id, code in disciplines:
        fee = tuition.get(discipline_id) or schedule_fee(uow, term.id, f"SCO-{code}", language)
        lines.append(NewLine.of(fee))
    if owes_registration(uow, student_id, term):
        lines += [NewLine.of(fee) for fee in schedule if fee.kind is FeeKind.REGISTRATION][:1]
    lines += [NewLine.of(fee) for fee in schedule if fee.kind is FeeKind.VOLUNTARY]
    return lines


def planned(lines: Sequence[NewLine]) -> tuple[PlannedLine, ...]:
    return tuple(
        PlannedLine(line.fee_code, line.description, line.amount, line.is_voluntary)
        for line in lines
    )

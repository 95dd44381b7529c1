"""What a re-enrolment or a course change would create: sections with room, the term's fees.

Shared by the re-enrolment services (preview and validation compute the same plan, so
what the registrar saw is what gets written) and by the course changes at the counter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    Teacher,
    Term,
)
from registrar_tui.models.base import EnrolmentStatus, FeeKind, Language, require_id
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.ledger.invoicing import NewLine, term_schedule
from registrar_tui.services.records.courses import DisciplineName, teacher_name
from registrar_tui.services.school_year.billing import discipline_lines
from registrar_tui.services.school_year.groups import seats_taken
from registrar_tui.services.school_year.waiting_lists import held_seats, line_lengths


class NoGroupOpen(DomainError):
    message = N_("Aucun groupe de {discipline} n'est ouvert à cet établissement en {term}.")


class AllGroupsFull(DomainError):
    message = N_(
        "Tous les groupes de {discipline} sont complets en {term} : "
        "choisissez-en un pour la liste d'attente."
    )


class GroupNotOpen(DomainError):
    message = N_("Le groupe choisi en {discipline} n'est pas ouvert à cet établissement en {term}.")


class GroupFilled(DomainError):
    message = N_(
        "Le groupe {section} de {discipline} est maintenant complet : "
        "choisissez un autre groupe ou sa liste d'attente. Rien n'a été enregistré."
    )


class SeatFreed(DomainError):
    message = N_(
        "Une place s'est libérée dans le groupe {section} de {discipline} : "
        "revoyez le choix. Rien n'a été enregistré."
    )


@dataclass(frozen=True)
class GroupOption:
    """An open course group of the term a discipline could be taken in."""

    course_id: int
    section: str
    teacher: str | None
    weekday: int | None
    """ISO weekday, 1 = Monday (None: not scheduled yet)."""
    starts_at: time | None
    ends_at: time | None
    room: str
    level: str
    capacity: int
    seats_left: int
    """Capacity less the active enrolments and the seats offered to students in line."""
    waiting: int
    """Students in line for it."""
    rolled_from_previous: bool
    """The group the student's group of the term before was rolled into."""

    @property
    def is_full(self) -> bool:
        return self.seats_left <= 0


@dataclass(frozen=True)
class GroupPick:
    """The group the registrar chose for a discipline, and whether it was full when seen
    (then validating puts the student on its waiting list)."""

    course_id: int
    waiting_list: bool


@dataclass(frozen=True)
class SectionChoice:
    """A discipline, the open groups it could be taken in and the one chosen (proposed:
    the group the student's previous group was rolled into if it has room, else the first
    with room; None when no group is open or all are full and none was picked)."""

    discipline_id: int
    discipline: DisciplineName
    already_enrolled: bool
    """The student already has an active enrolment in this discipline for the term."""
    groups: tuple[GroupOption, ...]
    chosen: GroupOption | None
    picked: bool
    """The registrar chose the group (else it is the proposal)."""

    @property
    def course_id(self) -> int | None:
        return self.chosen.course_id if self.chosen else None

    @property
    def section(self) -> str:
        return self.chosen.section if self.chosen else ""

    @property
    def teacher(self) -> str | None:
        return self.chosen.teacher if self.chosen else None

    @property
    def seats_left(self) -> int:
        return max(0, self.chosen.seats_left) if self.chosen else 0

    @property
    def waiting_list(self) -> bool:
        """Validating puts the student on the chosen group's waiting list."""
        return self.chosen is not None and self.chosen.is_full

    def pick(self) -> GroupPick | None:
        """What the registrar sees, as validation must find it."""
        if self.chosen is None:
            return None
        return GroupPick(self.chosen.course_id, self.chosen.is_full)


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
    picks: Mapping[int, int] | None = None,
) -> tuple[SectionChoice, ...]:
    """For each discipline, the term's open groups at the establishment (by section) with
    their schedule and seats, and the one chosen: `picks[discipline_id]` (a course id) when
    given, else the proposal (the group the student's group of the term before was rolled
    into, if it has room; else the first with room).

    Refuses: GroupNotOpen (a picked course is not an open group of the discipline).
    """
    wanted = [d.id for d in disciplines if d.id is not None]
    courses = list(
        uow.session.exec(
            select(Course)
            .where(
                col(Course.term_id) == term_id,
                col(Course.establishment_id) == establishment_id,
                col(Course.discipline_id).in_(wanted),
                col(Course.closed_at).is_(None),
            )
            .order_by(col(Course.section), col(Course.id))
        )
    )
    ids = [require_id(c) for c in courses]
    taken = seats_taken(uow, ids)
    held = held_seats(uow, ids)
    in_line = line_lengths(uow, ids)
    teacher_ids = {c.teacher_id for c in courses if c.teacher_id is not None}
    teachers = {
        t.id: t for t in uow.session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))
    }
    origins = [c.rolled_from_id for c in courses if c.rolled_from_id is not None]
    previous_groups = set(
        uow.session.exec(
            select(Enrolment.course_id).where(
                col(Enrolment.student_id) == student_id,
                col(Enrolment.course_id).in_(origins),
                col(Enrolment.status) != EnrolmentStatus.DROPPED,
            )
        )
        if origins
        else ()
    )
    enrolled = active_disciplines(uow, student_id, term_id)
    term = uow.session.get_one(Term, term_id)
    choices = []
    for discipline in disciplines:
        discipline_id = require_id(discipline)
        groups = tuple(
            GroupOption(
                course_id=require_id(course),
                section=course.section,
                teacher=teacher_name(teachers.get(course.teacher_id)),
                weekday=course.weekday,
                starts_at=course.starts_at,
                ends_at=course.ends_at,
                room=course.room,
                level=course.level,
                capacity=course.capacity,
                seats_left=max(
                    0,
                    course.capacity
                    - taken.get(require_id(course), 0)
                    - held.get(require_id(course), 0),
                ),
                waiting=in_line.get(require_id(course), 0),
                rolled_from_previous=course.rolled_from_id in previous_groups,
            )
            for course in courses
            if course.discipline_id == discipline_id
        )
        picked_id = (picks or {}).get(discipline_id)
        chosen: GroupOption | None
        if picked_id is not None:
            chosen = next((g for g in groups if g.course_id == picked_id), None)
            if chosen is None:
                raise GroupNotOpen(discipline=discipline.name_fr, term=term.code, field="group")
        else:
            with_room = [g for g in groups if not g.is_full]
            chosen = next((g for g in with_room if g.rolled_from_previous), None) or next(
                iter(with_room), None
            )
        choices.append(
            SectionChoice(
                discipline_id=discipline_id,
                discipline=discipline_name(discipline),
                already_enrolled=discipline_id in enrolled,
                groups=groups,
                chosen=chosen,
                picked=picked_id is not None,
            )
        )
    return tuple(choices)


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
    lines = discipline_lines(
        uow,
        student_id=student_id,
        term=term,
        schedule=schedule,
        disciplines=disciplines,
        language=language,
    )
    lines += [NewLine.of(fee) for fee in schedule if fee.kind is FeeKind.VOLUNTARY]
    return lines


def planned(lines: Sequence[NewLine]) -> tuple[PlannedLine, ...]:
    return tuple(
        PlannedLine(line.fee_code, line.description, line.amount, line.is_voluntary)
        for line in lines
    )

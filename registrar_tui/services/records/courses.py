"""A student's enrolments: the current term's courses, past terms' history, one course's detail.

The marks of an enrolment are its final mark when the teacher gave one, otherwise the
mean of its marked evaluations (one decimal, half up: never a float).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Absence,
    Course,
    Discipline,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    Student,
    Teacher,
    Term,
)
from registrar_tui.models.academics import EvaluationKind
from registrar_tui.models.base import require_id
from registrar_tui.services.core.errors import NotFound


@dataclass(frozen=True)
class DisciplineName:
    """A discipline in both UI languages; the screen picks one."""

    code: str
    name_fr: str
    name_en: str

    def in_language(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr


@dataclass(frozen=True)
class CurrentCourse:
    """One enrolment of the current term, with what the Courses tab counts."""

    enrolment_id: int
    discipline: DisciplineName
    teacher: str | None
    section: str
    status: EnrolmentStatus
    evaluation_count: int
    absence_count: int
    unjustified_absence_count: int
    mean_mark: Decimal | None
    """Mean of the marked evaluations so far, or None when none is marked."""
    attendance_confirmed: bool = False
    """The family confirmed the student's attendance for the term (no late fee)."""


@dataclass(frozen=True)
class HistoryEntry:
    """One enrolment of a past term."""

    enrolment_id: int
    term_code: str
    term_starts_on: date
    discipline: DisciplineName
    teacher: str | None
    status: EnrolmentStatus
    final_mark: int | None
    mean_mark: Decimal | None
    """Mean of the marked evaluations (used when there is no final mark)."""
    teacher_comment: str


@dataclass(frozen=True)
class EvaluationLine:
    held_on: date
    title: str
    mark: int | None
    comment: str
    evaluation_id: int = 0
    kind: EvaluationKind = EvaluationKind.OTHER


@dataclass(frozen=True)
class AbsenceLine:
    absent_on: date
    is_justified: bool
    reason: str
    absence_id: int = 0


@dataclass(frozen=True)
class CourseDetail:
    """One enrolment with its evaluations (by date) and absences (by date)."""

    enrolment_id: int
    student_id: int
    student_name: str
    student_number: str
    discipline: DisciplineName
    teacher: str | None
    term_code: str
    section: str
    status: EnrolmentStatus
    final_mark: int | None
    mean_mark: Decimal | None
    teacher_comment: str
    evaluations: tuple[EvaluationLine, ...]
    absences: tuple[AbsenceLine, ...]
    term_starts_on: date | None = None
    term_ends_on: date | None = None
    """The term's dates: evaluations and absences fall between them."""


@dataclass(frozen=True)
class _Counts:
    evaluations: int = 0
    marked: int = 0
    mark_total: int = 0
    absences: int = 0
    unjustified: int = 0

    @property
    def mean_mark(self) -> Decimal | None:
        if not self.marked:
            return None
        mean = Decimal(self.mark_total) / Decimal(self.marked)
        return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def teacher_name(teacher: Teacher | None) -> str | None:
    if teacher is None:
        return None
    return f"{teacher.first_name} {teacher.last_name}".strip()


def _counts(uow: UnitOfWork, enrolment_ids: Iterable[int]) -> dict[int, _Counts]:
    """Evaluation and absence figures per enrolment, in two grouped queries."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    evaluations = {
        enrolment_id or 0: (int(count), int(marked), int(total or 0))
        for enrolment_id, count, marked, total in uow.session.exec(
            select(
                col(Evaluation.enrolment_id),
                func.count(col(Evaluation.id)),
                func.count(col(Evaluation.mark)),
                func.coalesce(func.sum(col(Evaluation.mark)), 0),
            )
            .where(col(Evaluation.enrolment_id).in_(ids))
            .group_by(col(Evaluation.enrolment_id))
        )
    }
    absences = {
        int(enrolment_id): (int(count), int(unjustified))
        for enrolment_id, count, unjustified in uow.session.exec(
            select(
                col(Absence.enrolment_id),
                func.count(col(Absence.id)),
                func.coalesce(func.sum(case((col(Absence.is_justified), 0), else_=1)), 0),
            )
            .where(col(Absence.enrolment_id).in_(ids))
            .group_by(col(Absence.enrolment_id))
        )
    }
    result = {}
    for enrolment_id in ids:
        count, marked, total = evaluations.get(enrolment_id, (0, 0, 0))
        absent, unjustified = absences.get(enrolment_id, (0, 0))
        result[enrolment_id] = _Counts(count, marked, total, absent, unjustified)
    return result


def _teachers(uow: UnitOfWork, teacher_ids: Iterable[int | None]) -> dict[int, Teacher]:
    # A separate query: SQLModel's typed select() takes at most four entities.
    ids = {teacher_id for teacher_id in teacher_ids if teacher_id is not None}
    if not ids:
        return {}
    found = uow.session.exec(select(Teacher).where(col(Teacher.id).in_(ids)))
    return {require_id(teacher): teacher for teacher in found}


def _discipline(discipline: Discipline) -> DisciplineName:
    return DisciplineName(discipline.code, discipline.name_fr, discipline.name_en)


def student_enrolments(
    uow: UnitOfWork, student_id: int, current_term: Term | None
) -> tuple[tuple[CurrentCourse, ...], tuple[HistoryEntry, ...]]:
    """The current term's courses (by discipline) and the history (newest term first).

    History is every enrolment of a term that started before the current one. Enrolments
    of later terms (already validated re-enrolments) belong to neither, and without a
    current term (no term started yet) both are empty.
    """
    rows = uow.session.exec(
        select(Enrolment, Course, Term, Discipline)
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .join(Term, col(Term.id) == col(Course.term_id))
        .join(Discipline, col(Discipline.id) == col(Course.discipline_id))
        .where(col(Enrolment.student_id) == student_id)
        .order_by(
            col(Term.starts_on).desc(),
            col(Discipline.name_fr),
            col(Course.section),
            col(Enrolment.id),
        )
    ).all()
    counts = _counts(uow, (require_id(enrolment) for enrolment, *_ in rows))
    teachers = _teachers(uow, (course.teacher_id for _, course, *_ in rows))
    current: list[CurrentCourse] = []
    history: list[HistoryEntry] = []
    for enrolment, course, term, discipline in rows:
        teacher = teachers.get(course.teacher_id or 0)
        enrolment_id = require_id(enrolment)
        figures = counts.get(enrolment_id, _Counts())
        if current_term is None or term.starts_on > current_term.starts_on:
            continue  # a term not started yet: not history
        if term.id == current_term.id:
            current.append(
                CurrentCourse(
                    enrolment_id=enrolment_id,
                    discipline=_discipline(discipline),
                    teacher=teacher_name(teacher),
                    section=course.section,
                    status=EnrolmentStatus(enrolment.status),
                    evaluation_count=figures.evaluations,
                    absence_count=figures.absences,
                    unjustified_absence_count=figures.unjustified,
                    mean_mark=figures.mean_mark,
                    attendance_confirmed=enrolment.attendance_confirmed_at is not None,
                )
            )
        elif term.starts_on < current_term.starts_on:
            history.append(
                HistoryEntry(
                    enrolment_id=enrolment_id,
                    term_code=term.code,
                    term_starts_on=term.starts_on,
                    discipline=_discipline(discipline),
                    teacher=teacher_name(teacher),
                    status=EnrolmentStatus(enrolment.status),
                    final_mark=enrolment.final_mark,
                    mean_mark=figures.mean_mark,
                    teacher_comment=enrolment.teacher_comment,
                )
            )
    return tuple(current), tuple(history)


def course_detail(uow: UnitOfWork, enrolment_id: int) -> CourseDetail:
    """One enrolment: discipline, teacher, term, its evaluations and absences by date.

    Raises `NotFound` when no enrolment has this id.
    """
    row = uow.session.exec(
        select(Enrolment, Student, Course, Term)
        .join(Student, col(Student.id) == col(Enrolment.student_id))
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .join(Term, col(Term.id) == col(Course.term_id))
        .where(col(Enrolment.id) == enrolment_id)
    ).first()
    if row is None:
        raise NotFound(N_("Inscription introuvable."), field="enrolment")
    enrolment, student, course, term = row
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    teacher = _teachers(uow, [course.teacher_id]).get(course.teacher_id or 0)
    evaluations = tuple(
        EvaluationLine(
            held_on=e.held_on,
            title=e.title,
            mark=e.mark,
            comment=e.comment,
            evaluation_id=require_id(e),
            kind=EvaluationKind(e.kind),
        )
        for e in uow.session.exec(
            select(Evaluation)
            .where(col(Evaluation.enrolment_id) == enrolment_id)
            .order_by(col(Evaluation.held_on), col(Evaluation.id))
        )
    )
    absences = tuple(
        AbsenceLine(
            absent_on=a.absent_on,
            is_justified=a.is_justified,
            reason=a.reason,
            absence_id=require_id(a),
        )
        for a in uow.session.exec(
            select(Absence)
            .where(col(Absence.enrolment_id) == enrolment_id)
            .order_by(col(Absence.absent_on), col(Absence.id))
        )
    )
    marks = [e.mark for e in evaluations if e.mark is not None]
    figures = _Counts(len(evaluations), len(marks), sum(marks))
    return CourseDetail(
        enrolment_id=enrolment_id,
        student_id=require_id(student),
        student_name=f"{student.first_name} {student.last_name}".strip(),
        student_number=student.student_number,
        discipline=_discipline(discipline),
        teacher=teacher_name(teacher),
        term_code=term.code,
        section=course.section,
        status=EnrolmentStatus(enrolment.status),
        final_mark=enrolment.final_mark,
        mean_mark=figures.mean_mark,
        teacher_comment=enrolment.teacher_comment,
        evaluations=evaluations,
        absences=absences,
        term_starts_on=term.starts_on,
        term_ends_on=term.ends_on,
    )

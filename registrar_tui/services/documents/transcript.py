"""The transcript (relevé de notes) PDF of a student for a term, from the database.

In the family's language unless another is given; the establishment is the student's.
Nothing is written (saving is `output.py`, after the reading transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    Family,
    Student,
    Teacher,
    Term,
)
from registrar_tui.models.base import Language, require_id
from registrar_tui.reports.documents import DocumentLanguage
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents.build import GeneratedPdf, issuer_for

if TYPE_CHECKING:  # reportlab loads when a document is asked for
    from registrar_tui.reports.transcript import StudentHeading


@dataclass(frozen=True)
class TermEnrolment:
    """One of the student's enrolments of the term, with what the documents name."""

    enrolment: Enrolment
    discipline: str
    teacher: str | None


def document_language(uow: UnitOfWork, student: Student, language: str | None) -> DocumentLanguage:
    """`language`, else the student's family's."""
    if language is None:
        family = uow.session.get(Family, student.family_id)
        language = str(family.language) if family is not None else None
    return "en" if language == Language.ENGLISH else "fr_CA"


def student_and_term(uow: UnitOfWork, student_id: int, term_code: str) -> tuple[Student, Term]:
    """Refuses `NotFound` for an unknown student (field "student") or term ("term")."""
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Élève introuvable."), field="student")
    term = uow.session.exec(select(Term).where(col(Term.code) == term_code)).first()
    if term is None:
        raise NotFound(N_("Session introuvable."), field="term")
    return student, term


def heading_of(uow: UnitOfWork, student: Student, term: Term) -> StudentHeading:
    from registrar_tui.reports.transcript import StudentHeading
    from registrar_tui.services.ledger.posted_receipts import establishment_view

    return StudentHeading(
        issuer=issuer_for(uow, establishment_view(uow, student.establishment_id)),
        issued_at=uow.now(),
        student_name=f"{student.first_name} {student.last_name}".strip(),
        student_number=student.student_number,
        code_permanent=student.code_permanent,
        term_code=term.code,
        term_starts_on=term.starts_on,
        term_ends_on=term.ends_on,
    )


def term_enrolments(
    uow: UnitOfWork, student_id: int, term_id: int, language: DocumentLanguage
) -> list[TermEnrolment]:
    """The student's enrolments of the term, by discipline name."""
    rows = uow.session.exec(
        select(Enrolment, Course, Discipline)
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .join(Discipline, col(Discipline.id) == col(Course.discipline_id))
        .where(col(Enrolment.student_id) == student_id, col(Course.term_id) == term_id)
        .order_by(col(Discipline.name_fr), col(Course.section), col(Enrolment.id))
    ).all()
    teacher_ids = {course.teacher_id for _e, course, _d in rows if course.teacher_id is not None}
    teachers = {
        require_id(t): f"{t.first_name} {t.last_name}".strip()
        for t in uow.session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))
    }
    english = language == "en"
    return [
        TermEnrolment(
            enrolment=enrolment,
            discipline=discipline.name_en if english and discipline.name_en else discipline.name_fr,
            teacher=teachers.get(course.teacher_id or 0),
        )
        for enrolment, course, discipline in rows
    ]


def _mean(marks: list[int]) -> Decimal | None:
    if not marks:
        return None
    mean = Decimal(sum(marks)) / Decimal(len(marks))
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def transcript_pdf(
    uow: UnitOfWork, student_id: int, term_code: str, *, language: str | None = None
) -> GeneratedPdf:
    """The student's transcript for the term: each course with its teacher, evaluations
    (date, type, title, mark), final mark (else the evaluations' mean) and comment.

    Refuses `NotFound` for an unknown student or term.
    """
    from registrar_tui.reports.transcript import (
        TranscriptCourse,
        TranscriptDocument,
        TranscriptEvaluation,
        render_transcript,
    )

    student, term = student_and_term(uow, student_id, term_code)
    chosen = document_language(uow, student, language)
    courses = []
    for entry in term_enrolments(uow, student_id, require_id(term), chosen):
        evaluations = tuple(
            TranscriptEvaluation(held_on=e.held_on, kind=str(e.kind), title=e.title, mark=e.mark)
            for e in uow.session.exec(
                select(Evaluation)
                .where(col(Evaluation.enrolment_id) == require_id(entry.enrolment))
                .order_by(col(Evaluation.held_on), col(Evaluation.id))
            )
        )
        courses.append(
            TranscriptCourse(
                discipline=entry.discipline,
                teacher=entry.teacher,
                evaluations=evaluations,
                final_mark=entry.enrolment.final_mark,
                mean_mark=_mean([e.mark for e in evaluations if e.mark is not None]),
                teacher_comment=entry.enrolment.teacher_comment,
                dropped=entry.enrolment.status == EnrolmentStatus.DROPPED,
            )
        )
    document = TranscriptDocument(
        heading=heading_of(uow, student, term), courses=tuple(courses), language=chosen
    )
    return GeneratedPdf(
        kind="transcript",
        filename=f"{student.student_number}-{term.code}-releve.pdf",
        pdf=render_transcript(document),
    )

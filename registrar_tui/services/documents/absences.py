"""The absence report PDF of a student for a term, from the database (see `transcript.py`)."""

from __future__ import annotations

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import Absence
from registrar_tui.models.base import require_id
from registrar_tui.services.documents.build import GeneratedPdf
from registrar_tui.services.documents.transcript import (
    document_language,
    heading_of,
    student_and_term,
    term_enrolments,
)


def absence_report_pdf(
    uow: UnitOfWork, student_id: int, term_code: str, *, language: str | None = None
) -> GeneratedPdf:
    """Every absence of the student in the term's courses, by date, with the justified and
    unjustified totals; in the family's language unless `language` is given.

    Refuses `NotFound` for an unknown student or term.
    """
    from registrar_tui.reports.absences import (
        AbsenceReportDocument,
        AbsenceRow,
        render_absence_report,
    )

    student, term = student_and_term(uow, student_id, term_code)
    chosen = document_language(uow, student, language)
    courses = {
        require_id(entry.enrolment): entry.discipline
        for entry in term_enrolments(uow, student_id, require_id(term), chosen)
    }
    absences = tuple(
        AbsenceRow(
            absent_on=absence.absent_on,
            course=courses[absence.enrolment_id],
            is_justified=absence.is_justified,
            reason=absence.reason,
        )
        for absence in uow.session.exec(
            select(Absence)
            .where(col(Absence.enrolment_id).in_(list(courses)))
            .order_by(col(Absence.absent_on), col(Absence.id))
        )
    )
    justified = sum(1 for absence in absences if absence.is_justified)
    document = AbsenceReportDocument(
        heading=heading_of(uow, student, term),
        absences=absences,
        justified_count=justified,
        unjustified_count=len(absences) - justified,
        language=chosen,
    )
    return GeneratedPdf(
        kind="absence-report",
        filename=f"{student.student_number}-{term.code}-absences.pdf",
        pdf=render_absence_report(document),
    )

"""The transcript and absence report built from the database: the term's courses only,
the family's language unless another is asked for, refusals for unknown terms."""

from __future__ import annotations

import pytest

from registrar_tui.db import Database
from registrar_tui.models import Enrolment, Family, Student
from registrar_tui.models.base import Language
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents.absences import absence_report_pdf
from registrar_tui.services.documents.transcript import transcript_pdf
from registrar_tui.services.records import assessments
from tests.reports.test_transcript import flat
from tests.services import role_matrix_data as data
from tests.services.role_matrix_data import MatrixWorld, build_matrix_world


@pytest.fixture
def mw(database: Database) -> MatrixWorld:
    return build_matrix_world(database)


def _marked_student(mw: MatrixWorld) -> tuple[int, int]:
    """A student with a winter piano course: one jury mark, two absences (one justified)."""
    enrolment_id = data.fresh_enrolment(mw)
    registrar = mw.world.school.registrar_id
    with mw.db.write() as uow:
        assessments.add_evaluation(
            uow,
            registrar,
            enrolment_id,
            assessments.EvaluationEntry("2027-04-20", "jury", "Jury de fin d'année", "87", ""),
        )
        assessments.add_absence(
            uow, registrar, enrolment_id, assessments.AbsenceEntry("2027-02-03", True, "Grippe")
        )
        assessments.add_absence(
            uow, registrar, enrolment_id, assessments.AbsenceEntry("2027-03-10", False, "")
        )
        assessments.set_term_result(
            uow, registrar, enrolment_id, assessments.TermResultEntry("88", "Belle année.")
        )
        student_id = uow.session.get_one(Enrolment, enrolment_id).student_id
    return student_id, enrolment_id


def test_the_transcript_holds_the_terms_marks_in_the_familys_language(mw: MatrixWorld) -> None:
    student_id, _enrolment = _marked_student(mw)
    with mw.db.read() as uow:
        french = transcript_pdf(uow, student_id, "HIV-2027")
        autumn = flat(transcript_pdf(uow, student_id, "AUT-2026").pdf)
        number = uow.session.get_one(Student, student_id).student_number
    text = flat(french.pdf)
    assert french.kind == "transcript" and french.filename == f"{number}-HIV-2027-releve.pdf"
    for expected in ("RELEVÉ DE NOTES", number, "HIV-2027", "Jury de fin d'année", "Jury", "87"):
        assert expected in text, expected
    assert "Note finale : 88" in text and "Belle année." in text
    assert "Jury de fin d'année" not in autumn and "Aucun cours cette session." in autumn

    with mw.db.write() as uow:
        family_id = uow.session.get_one(Student, student_id).family_id
        uow.session.get_one(Family, family_id).language = Language.ENGLISH
    with mw.db.read() as uow:
        english = flat(transcript_pdf(uow, student_id, "HIV-2027").pdf)
        asked = flat(transcript_pdf(uow, student_id, "HIV-2027", language="fr_CA").pdf)
    assert "TRANSCRIPT" in english and "Final mark: 88" in english
    assert "RELEVÉ DE NOTES" in asked


def test_the_absence_report_counts_justified_and_unjustified(mw: MatrixWorld) -> None:
    student_id, _enrolment = _marked_student(mw)
    with mw.db.read() as uow:
        report = absence_report_pdf(uow, student_id, "HIV-2027")
    text = flat(report.pdf)
    assert report.kind == "absence-report"
    assert "Grippe" in text and "Non justifiée" in text
    assert "Absences justifiées 1" in text and "Absences non justifiées 1" in text
    assert "Total 2" in text


def test_an_unknown_term_or_student_is_not_found(mw: MatrixWorld) -> None:
    student_id, _enrolment = _marked_student(mw)
    with pytest.raises(NotFound) as refused, mw.db.read() as uow:
        transcript_pdf(uow, student_id, "ETE-2031")
    assert refused.value.field == "term"
    with pytest.raises(NotFound), mw.db.read() as uow:
        absence_report_pdf(uow, 999_999, "HIV-2027")

"""The transcript (relevé de notes): header, student, term, each course, both languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from registrar_tui.reports.transcript import (
    StudentHeading,
    TranscriptCourse,
    TranscriptDocument,
    TranscriptEvaluation,
    render_transcript,
)
from tests.reports.pdftext import text_of
from tests.reports.samples import ISSUED_AT, ISSUER


def flat(pdf: bytes) -> str:
    """The document's text on one line (the extraction breaks table rows apart)."""
    return " ".join(text_of(pdf).split())


NASTY = "<b>Roy</b> & [b]Fils[/b] \x1b[31mrouge\x07"
PRINTED = "<b>Roy</b> & [b]Fils[/b] [31mrouge"

HEADING = StudentHeading(
    issuer=ISSUER,
    issued_at=ISSUED_AT,
    student_name="Léa Tremblay",
    student_number="201337007",
    code_permanent="TREL12551001",
    term_code="AUT-2026",
    term_starts_on=date(2026, 9, 1),
    term_ends_on=date(2026, 12, 19),
)
PIANO = TranscriptCourse(
    discipline="Piano",
    teacher="Marie-Claude Bélanger",
    evaluations=(
        TranscriptEvaluation(date(2026, 9, 29), "exam", "Gammes et arpèges", 82),
        TranscriptEvaluation(date(2026, 11, 17), "audition", "Audition de mi-session", None),
    ),
    final_mark=None,
    mean_mark=Decimal("82.0"),
    teacher_comment="Très musicale.",
)
SOLFEGE = TranscriptCourse(
    discipline="Solfège",
    teacher=None,
    evaluations=(TranscriptEvaluation(date(2026, 10, 20), "jury", "Dictée", 75),),
    final_mark=78,
    mean_mark=Decimal("75.0"),
    teacher_comment="",
)


def sample(**changes: object) -> TranscriptDocument:
    document = TranscriptDocument(heading=HEADING, courses=(PIANO, SOLFEGE))
    return replace(document, **changes)  # type: ignore[arg-type]


def test_the_transcript_states_student_term_and_every_course() -> None:
    text = flat(render_transcript(sample()))
    for expected in (
        "RELEVÉ DE NOTES",
        "Conservatoire de musique de Montréal",
        "Léa Tremblay",
        "201337007",
        "TREL12551001",
        "AUT-2026",
        "1 septembre 2026",
        "Piano",
        "Marie-Claude Bélanger",
        "Gammes et arpèges",
        "Examen",
        "Audition",
        "2026-09-29",
        "82",
        "82,0 (moyenne des évaluations)",
        "Très musicale.",
        "Solfège",
        "Jury",
        "Note finale : 78",
    ):
        assert expected in text, expected


def test_in_english() -> None:
    text = flat(render_transcript(sample(language="en")))
    for expected in (
        "TRANSCRIPT",
        "Term",
        "September 1, 2026",
        "Exam",
        "82.0 (mean of the evaluations)",
        "Final mark: 78",
        "Teacher:",
    ):
        assert expected in text, expected
    assert "Relevé" not in text


def test_a_term_without_courses_says_so() -> None:
    assert "Aucun cours cette session." in flat(render_transcript(sample(courses=())))


def test_hostile_names_and_comments_print_literally() -> None:
    heading = replace(HEADING, student_name=NASTY, code_permanent=NASTY)
    course = replace(
        PIANO,
        discipline=NASTY,
        teacher=NASTY,
        teacher_comment=NASTY,
        evaluations=(TranscriptEvaluation(date(2026, 9, 29), "exam", NASTY, 90),),
    )
    text = flat(render_transcript(sample(heading=heading, courses=(course,))))
    assert text.count(PRINTED) >= 4
    assert "\x1b" not in text and "\x07" not in text

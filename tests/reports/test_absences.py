"""The absence report: each absence, justified and unjustified totals, both languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from registrar_tui.reports.absences import AbsenceReportDocument, AbsenceRow, render_absence_report
from tests.reports.test_transcript import HEADING, NASTY, PRINTED, flat

ROWS = (
    AbsenceRow(date(2026, 10, 6), "Piano", True, "Rendez-vous médical"),
    AbsenceRow(date(2026, 11, 3), "Piano", False, ""),
    AbsenceRow(date(2026, 11, 10), "Solfège", False, "Oubli"),
)


def sample(**changes: object) -> AbsenceReportDocument:
    document = AbsenceReportDocument(
        heading=HEADING, absences=ROWS, justified_count=1, unjustified_count=2
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def test_the_report_lists_absences_and_totals() -> None:
    text = flat(render_absence_report(sample()))
    for expected in (
        "RAPPORT D'ABSENCES",
        "Léa Tremblay",
        "201337007",
        "AUT-2026",
        "2026-10-06",
        "Rendez-vous médical",
        "Non justifiée",
        "Solfège",
        "Absences justifiées 1",
        "Absences non justifiées 2",
        "Total 3",
    ):
        assert expected in text, expected


def test_in_english() -> None:
    text = flat(render_absence_report(sample(language="en")))
    for expected in ("ABSENCE REPORT", "Unjustified", "Justified absences 1", "Total 3"):
        assert expected in text, expected


def test_no_absence_says_so() -> None:
    text = flat(render_absence_report(sample(absences=(), justified_count=0, unjustified_count=0)))
    assert "Aucune absence cette session." in text and "Total 0" in text


def test_hostile_reasons_and_names_print_literally() -> None:
    document = sample(
        heading=replace(HEADING, student_name=NASTY),
        absences=(AbsenceRow(date(2026, 10, 6), NASTY, False, NASTY),),
        justified_count=0,
        unjustified_count=1,
    )
    text = flat(render_absence_report(document))
    assert text.count(PRINTED) >= 3
    assert "\x1b" not in text and "\x07" not in text

"""The absence report of a student for a term: each absence (date, course, justified or
not, reason) and the justified and unjustified totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import cell, data_table, page_header, totals_table
from registrar_tui.reports.common import DocLanguage, build_pdf, esc, p
from registrar_tui.reports.documents import DocumentLanguage
from registrar_tui.reports.transcript import StudentHeading, student_facts


@dataclass(frozen=True)
class AbsenceRow:
    absent_on: date
    course: str
    """The discipline, in the document's language."""
    is_justified: bool
    reason: str


@dataclass(frozen=True)
class AbsenceReportDocument:
    """What the report states; the totals are counted by the service (renderers only show)."""

    heading: StudentHeading
    absences: tuple[AbsenceRow, ...]
    justified_count: int
    unjustified_count: int
    language: DocumentLanguage = "fr_CA"


def render_absence_report(doc: AbsenceReportDocument) -> bytes:
    """The absence report as PDF bytes (Letter)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    heading = doc.heading
    title = _("Rapport d'absences")
    story: list[Flowable] = [
        page_header(
            heading.issuer,
            lang,
            title.upper(),
            [
                (_("Session :"), heading.term_code),
                (_("Date :"), lang.date_text(lang.local(heading.issued_at).date())),
            ],
        ),
        Spacer(1, 12),
        student_facts(heading, lang),
        Spacer(1, 10),
    ]
    if doc.absences:
        rows = [
            [
                cell(lang.date_text(absence.absent_on, "short")),
                cell(absence.course),
                cell(_("Justifiée") if absence.is_justified else _("Non justifiée")),
                cell(absence.reason or "—"),
            ]
            for absence in doc.absences
        ]
        story.append(
            data_table(
                [_("Date"), _("Cours"), _("Statut"), _("Motif")], rows, [0.16, 0.22, 0.18, 0.44]
            )
        )
    else:
        story.append(p(esc(_("Aucune absence cette session."))))
    story += [
        Spacer(1, 10),
        totals_table(
            [
                (_("Absences justifiées"), str(doc.justified_count), False),
                (_("Absences non justifiées"), str(doc.unjustified_count), False),
                (_("Total"), str(doc.justified_count + doc.unjustified_count), True),
            ],
            highlight=2,
            width=0.5,
        ),
    ]
    return build_pdf(
        story,
        lang,
        title=f"{title} {heading.term_code} — {heading.student_name}",
        subject=f"{heading.student_name} ({heading.student_number})",
        issuer=heading.issuer,
        created_at=heading.issued_at,
        running_header=f"{title} {heading.term_code} — {heading.student_name}",
    )

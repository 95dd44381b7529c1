"""The transcript (relevé de notes) of a student for a term: each course with its teacher,
evaluations (date, type, mark), final mark and the teacher's comment.

The document's dataclasses live here, beside the renderer: services import this module
only when a transcript is asked for (reportlab is heavy at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether, Spacer

from registrar_tui.i18n import N_
from registrar_tui.reports.blocks import cell, data_table, facts_box, labelled, page_header
from registrar_tui.reports.common import DocLanguage, build_pdf, esc, p
from registrar_tui.reports.documents import DocumentLanguage, Issuer

EVALUATION_KINDS = {
    "exam": N_("Examen"),
    "jury": N_("Jury"),
    "assignment": N_("Travail"),
    "audition": N_("Audition"),
    "other": N_("Autre"),
}
"""The kinds of evaluation (models.academics.EvaluationKind values), as documents name them."""


@dataclass(frozen=True)
class TranscriptEvaluation:
    held_on: date
    kind: str
    """An `EvaluationKind` value (`exam`, `jury`…)."""
    title: str
    mark: int | None


@dataclass(frozen=True)
class TranscriptCourse:
    discipline: str
    """In the document's language."""
    teacher: str | None
    evaluations: tuple[TranscriptEvaluation, ...]
    final_mark: int | None
    mean_mark: Decimal | None
    """The mean of the marked evaluations (shown when there is no final mark)."""
    teacher_comment: str
    dropped: bool = False


@dataclass(frozen=True)
class StudentHeading:
    """Who and which term a student's document is about (transcript, absence report)."""

    issuer: Issuer
    issued_at: datetime
    """Naive or aware UTC; printed in the school's local time."""
    student_name: str
    student_number: str
    code_permanent: str | None
    term_code: str
    term_starts_on: date
    term_ends_on: date


@dataclass(frozen=True)
class TranscriptDocument:
    """What the transcript states; user data is given raw (the renderer escapes it)."""

    heading: StudentHeading
    courses: tuple[TranscriptCourse, ...]
    language: DocumentLanguage = "fr_CA"


def student_facts(heading: StudentHeading, lang: DocLanguage) -> Flowable:
    """The student's name, numbers and the term, in a box."""
    _ = lang.gettext
    period = _("du {start} au {end}").format(
        start=lang.date_text(heading.term_starts_on), end=lang.date_text(heading.term_ends_on)
    )
    return facts_box(
        [
            (_("Élève"), heading.student_name),
            (_("N° d'élève"), heading.student_number),
            (_("Code permanent"), heading.code_permanent or "—"),
            (_("Session"), heading.term_code),
            (_("Période"), period),
            (_("Établissement"), heading.issuer.establishment_name),
        ],
        widths=(0.4, 0.3, 0.3),
    )


def mark_text(mark: int | None) -> str:
    return "—" if mark is None else str(mark)


def _mean_text(mean: Decimal, lang: DocLanguage) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(mean, format="0.0", locale=lang.locale))


def _course_block(course: TranscriptCourse, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    title = course.discipline
    if course.dropped:
        title += " — " + _("abandonné")
    parts: list[Flowable] = [
        p(esc(title), "h2"),
        labelled(_("Enseignant :"), course.teacher or _("à confirmer")),
        Spacer(1, 3),
    ]
    if course.evaluations:
        rows = [
            [
                cell(lang.date_text(evaluation.held_on, "short")),
                cell(_(EVALUATION_KINDS.get(evaluation.kind, evaluation.kind))),
                cell(evaluation.title),
                cell(mark_text(evaluation.mark), align_right=True),
            ]
            for evaluation in course.evaluations
        ]
        parts.append(
            data_table(
                [_("Date"), _("Type"), _("Évaluation"), _("Note /100")],
                rows,
                [0.16, 0.16, 0.52, 0.16],
                right=(3,),
            )
        )
    else:
        parts.append(p(esc(_("Aucune évaluation.")), "muted"))
    if course.final_mark is not None:
        result = str(course.final_mark)
    elif course.mean_mark is not None:
        result = _("{mark} (moyenne des évaluations)").format(
            mark=_mean_text(course.mean_mark, lang)
        )
    else:
        result = "—"
    parts += [Spacer(1, 4), labelled(_("Note finale :"), result)]
    if course.teacher_comment:
        parts.append(labelled(_("Commentaire :"), course.teacher_comment))
    parts.append(Spacer(1, 8))
    return KeepTogether(parts)


def render_transcript(doc: TranscriptDocument) -> bytes:
    """The transcript as PDF bytes (Letter)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    heading = doc.heading
    title = _("Relevé de notes")
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
    if not doc.courses:
        story.append(p(esc(_("Aucun cours cette session."))))
    story += [_course_block(course, lang) for course in doc.courses]
    return build_pdf(
        story,
        lang,
        title=f"{title} {heading.term_code} — {heading.student_name}",
        subject=f"{heading.student_name} ({heading.student_number})",
        issuer=heading.issuer,
        created_at=heading.issued_at,
        running_header=f"{title} {heading.term_code} — {heading.student_name}",
    )

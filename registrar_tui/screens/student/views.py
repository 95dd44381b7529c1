"""What the student screen says: header, identity fields, table rows, re-enrolment.

Plain functions from the record's dataclasses to `Content` and table cells (no widgets),
so the screen module stays small. User data goes through `user_content`/`user_cell` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.content import Content

from registrar_tui.i18n import N_, _, current_language, format_date, format_datetime
from registrar_tui.screens.student.course import ENROLMENT_STATUS_LABELS, format_mark, format_mean
from registrar_tui.screens.widgets.base import label_cell, user_cell, user_content

if TYPE_CHECKING:
    from registrar_tui.services.records.courses import CurrentCourse, HistoryEntry
    from registrar_tui.services.records.student_activities import (
        PerformedWork,
        ReenrolmentSummary,
        RepertoireEntry,
    )
    from registrar_tui.services.records.students import StudentIdentity, StudentRecord

STUDENT_STATUS_LABELS = {
    "active": N_("actif"),
    "inactive": N_("inactif"),
    "graduated": N_("diplômé"),
    "withdrawn": N_("retiré"),
}
REPERTOIRE_KINDS = {
    "concert": N_("Concert"),
    "exam": N_("Examen"),
    "masterclass": N_("Classe de maître"),
    "competition": N_("Concours"),
    "recital": N_("Récital"),
}
_SEX_LABELS = {"F": N_("féminin"), "M": N_("masculin")}
REQUEST_STATUS_LABELS = {
    "pending": N_("En attente de validation"),
    "approved": N_("Acceptée"),
    "rejected": N_("Refusée"),
    "cancelled": N_("Annulée"),
}
_REQUEST_STATUS_STYLES = {
    "pending": "bold $text-warning",
    "approved": "bold $text-success",
    "rejected": "bold $text-error",
    "cancelled": "bold $text-muted",
}
_DAY = "d MMM y"
"""A request's instants are shown as the school's calendar day."""


def _or_dash(value: str, style: str = "") -> Content:
    return user_content(value, style) if value.strip() else Content("—")


def _health(value: str | None) -> Content:
    """A medical field: None when the reader's role may not see it (need-to-know)."""
    if value is None:
        return Content.styled(_("— (accès restreint)"), "$text-muted")
    return _or_dash(value, "bold $text-warning")


def header_lines(who: StudentIdentity) -> tuple[Content, Content]:
    """Name, numbers and (when not active) status; then family and establishment."""
    title: list[str | Content | tuple[str, str]] = [
        user_content(who.full_name, "bold"),
        "  ",
        user_content(who.student_number),
    ]
    if who.code_permanent:
        title += [" · ", _("code permanent "), user_content(who.code_permanent, "bold")]
    status = str(who.status)
    if status != "active":
        title += ["  ", (_(STUDENT_STATUS_LABELS.get(status, status)), "bold $text-warning")]
    family = Content.assemble(
        _("Famille "),
        user_content(who.family_name, "bold"),
        " ",
        user_content(who.family_number),
        " · ",
        # The code first: a long establishment name is clipped at 80 columns.
        user_content(who.establishment_code, "bold"),
        " ",
        user_content(who.establishment_name),
    )
    return Content.assemble(*title), family


def courses_heading(record: StudentRecord) -> Content:
    if record.term_code is None:
        return Content(_("Aucune session commencée."))
    term = user_content(record.term_code, "bold")
    if record.courses:
        active = [course for course in record.courses if str(course.status) == "active"]
        if active and all(course.attendance_confirmed for course in active):
            attendance = (_("présence confirmée"), "$text-success")
        elif active:
            attendance = (_("présence à confirmer"), "$text-warning")
        else:
            return Content.assemble(_("Session "), term, " · ", _("Entrée : détails"))
        return Content.assemble(
            _("Session "), term, " · ", _("Entrée : détails"), " · ", attendance
        )
    return Content.assemble(_("Session "), term, " · ", _("aucun cours cette session."))


def course_cells(course: CurrentCourse) -> tuple[Text, ...]:
    """Discipline, teacher, evaluations, mean, absences (unjustified), status."""
    status = str(course.status)
    absences = str(course.absence_count)
    if course.unjustified_absence_count:
        absences += " " + _("({count} non just.)").format(count=course.unjustified_absence_count)
    return (
        user_cell(course.discipline.in_language(current_language())),
        user_cell(course.teacher or "—"),
        label_cell(str(course.evaluation_count)),
        label_cell(format_mean(course.mean_mark)),
        label_cell(absences),
        label_cell(_(ENROLMENT_STATUS_LABELS.get(status, status))),
    )


def history_cells(entry: HistoryEntry) -> tuple[Text, ...]:
    """Term, discipline, teacher, mark, the start of the teacher's comment."""
    return (
        user_cell(entry.term_code),
        user_cell(entry.discipline.in_language(current_language())),
        user_cell(entry.teacher or "—"),
        label_cell(format_mark(entry.final_mark, entry.mean_mark)),
        user_cell(entry.teacher_comment),
    )


def comment_line(entry: HistoryEntry) -> Content:
    """The highlighted past course's whole comment (the table cuts it)."""
    return Content.assemble(
        (_("Commentaire : "), "bold"), user_content(entry.teacher_comment or _("aucun"))
    )


def work_cells(entry: RepertoireEntry, performed: PerformedWork) -> tuple[Text, ...]:
    kind = str(entry.kind)
    return (
        label_cell(format_date(entry.held_on)),
        label_cell(_(REPERTOIRE_KINDS.get(kind, kind))),
        user_cell(performed.composer),
        user_cell(performed.title),
    )


def event_line(entry: RepertoireEntry) -> Content:
    """The highlighted work's event: title, venue, full date."""
    return Content.assemble(
        user_content(entry.title, "bold"),
        " · ",
        user_content(entry.venue),
        " · ",
        format_date(entry.held_on, "long"),
    )


def identity_rows(who: StudentIdentity) -> list[tuple[str, Content]]:
    """(label, value) for the identity tab; health notes stand out when present."""
    born = format_date(who.birth_date)
    if who.sex is not None:
        born += " · " + _(_SEX_LABELS.get(str(who.sex), str(who.sex)))
    level = " / ".join(part for part in (who.school_level, who.group_name) if part.strip())
    status = str(who.status)
    emergency = [user_content(v) for v in (who.emergency_contact_name, who.emergency_contact_phone)]
    emergency = [part for part in emergency if part.plain.strip()]
    return [
        (_("Nom"), user_content(who.full_name, "bold")),
        (_("N° d'élève"), user_content(who.student_number)),
        (_("Code permanent"), _or_dash(who.code_permanent or "")),
        (_("Naissance"), Content(born)),
        (_("Statut"), Content(_(STUDENT_STATUS_LABELS.get(status, status)))),
        (_("Adresse"), _or_dash(who.address)),
        (_("École"), _or_dash(who.school_name)),
        (_("Niveau / groupe"), _or_dash(level)),
        (_("Allergies"), _health(who.allergies)),
        (_("Santé"), _health(who.medical_conditions)),
        (_("Urgence"), Content(" · ").join(emergency) if emergency else Content("—")),
        (
            _("Famille"),
            Content.assemble(user_content(who.family_name), " ", user_content(who.family_number)),
        ),
        (
            _("Établissement"),
            Content.assemble(
                user_content(who.establishment_code, "bold"),
                " ",
                user_content(who.establishment_name),
            ),
        ),
    ]


def _window(record: StudentRecord) -> Content:
    """The next term and whether families may still ask to be re-enrolled."""
    upcoming = record.next_term
    assert upcoming is not None
    opens, closes = upcoming.reenrolment_opens_on, upcoming.reenrolment_closes_on
    if opens is None:
        window = _("pas de période de réinscription")
    elif upcoming.reenrolment_open_on(record.today):
        window = (
            _("réinscription ouverte jusqu'au {day}").format(day=format_date(closes))
            if closes is not None
            else _("réinscription ouverte")
        )
    elif record.today < opens:
        window = _("réinscription à partir du {day}").format(day=format_date(opens))
    else:
        window = _("réinscription fermée")
    return Content.assemble(
        (_("Session "), "bold"), user_content(upcoming.code, "bold"), " · ", window
    )


def _request_lines(request: ReenrolmentSummary) -> list[Content]:
    status = str(request.status)
    lines = [
        Content(""),
        Content.assemble(
            _("Demande du {day}").format(day=format_datetime(request.submitted_at, _DAY)),
            " · ",
            (
                _(REQUEST_STATUS_LABELS.get(status, status)),
                _REQUEST_STATUS_STYLES.get(status, "bold"),
            ),
        ),
    ]
    if request.disciplines:
        language = current_language()
        names = [user_content(d.in_language(language)) for d in request.disciplines]
        lines.append(Content.assemble("  ", _("Disciplines : "), Content(", ").join(names)))
    else:
        lines.append(Content.assemble("  ", _("Réinscription administrative")))
    if request.note.strip():
        lines.append(
            Content.assemble("  ", _("Demande de la famille : "), user_content(request.note))
        )
    if request.decided_at is not None:
        decided: list[str | Content] = [
            "  ",
            _("Décision du {day}").format(day=format_datetime(request.decided_at, _DAY)),
        ]
        if request.decided_by:
            decided += [" · ", user_content(request.decided_by)]
        lines.append(Content.assemble(*decided))
    if request.decision_reason.strip():
        lines.append(Content.assemble("  ", _("Motif : "), user_content(request.decision_reason)))
    return lines


def reenrolment_lines(record: StudentRecord) -> list[Content]:
    """The re-enrolment tab: the next term's window, then each request, newest first."""
    if record.next_term is None:
        return [Content(_("Aucune session à venir."))]
    lines = [_window(record)]
    if not record.reenrolments:
        lines.append(Content(_("Aucune demande de réinscription pour cette session.")))
    for request in record.reenrolments:
        lines.extend(_request_lines(request))
    return lines

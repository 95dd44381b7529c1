"""What teachers report, entered by staff: evaluations, absences and the end-of-term result.

A registrar or an admin types what a teacher handed in: an evaluation (date, kind, title,
mark 0–100 or none, comment), an absence (date, justified or not, reason), and at the end
of the term the enrolment's final mark and the teacher's comment. Dates must fall within
the enrolment's term. Free text is cleaned and a card number refused (`safe_text`).
Every change writes one audit event with the before and after, in the same transaction;
removing an evaluation or an absence deletes the row, its last state kept in the audit
event (`evaluation.remove`, `absence.remove`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Absence, Course, Enrolment, Evaluation, Term
from registrar_tui.models.academics import EvaluationKind
from registrar_tui.models.base import Role, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DayParam, DomainError, InvalidInput, NotFound
from registrar_tui.services.core.text import safe_text

EDITORS = (Role.REGISTRAR, Role.ADMIN)
"""Who enters what teachers report (a clerk reads it only)."""

TITLE_LENGTH = 200
COMMENT_LENGTH = 1000
REASON_LENGTH = 500

MSG_ENROLMENT_NOT_FOUND = N_("Inscription introuvable.")
MSG_EVALUATION_NOT_FOUND = N_("Évaluation introuvable.")
MSG_ABSENCE_NOT_FOUND = N_("Absence introuvable.")
MSG_DATE_FORMAT = N_("Date invalide : écrivez-la AAAA-MM-JJ (ex. 2026-11-20).")
MSG_DATE_REQUIRED = N_("Indiquez la date.")
MSG_DATE_OUTSIDE_TERM = N_("La date doit être dans la session {term}, du {start} au {end}.")
MSG_MARK = N_("La note est un nombre entier de 0 à 100 (vide : pas de note).")
MSG_TITLE_REQUIRED = N_("Indiquez le titre de l'évaluation.")
MSG_KIND = N_("Type d'évaluation inconnu.")

EVALUATION_FIELDS = ("held_on", "kind", "title", "mark", "comment")
ABSENCE_FIELDS = ("absent_on", "is_justified", "reason")
RESULT_FIELDS = ("final_mark", "teacher_comment")


@dataclass(frozen=True)
class EvaluationEntry:
    """An evaluation as typed in the form (raw text; `mark` blank = not marked)."""

    held_on: str
    kind: str
    title: str
    mark: str
    comment: str


@dataclass(frozen=True)
class AbsenceEntry:
    """An absence as typed in the form (raw text)."""

    absent_on: str
    is_justified: bool
    reason: str


@dataclass(frozen=True)
class TermResultEntry:
    """The end-of-term result as typed (`final_mark` blank = none yet)."""

    final_mark: str
    teacher_comment: str


@dataclass(frozen=True)
class Saved:
    """What was written: the enrolment it belongs to and the row's id (None once removed)."""

    enrolment_id: int
    record_id: int | None


class InvalidAssessment(InvalidInput):
    """One or more fields were refused; `problems` maps each field to its error.

    `field` and the message are those of the first refused field in form order.
    """

    def __init__(self, problems: dict[str, DomainError], order: tuple[str, ...]) -> None:
        first_field = next(name for name in order if name in problems)
        first = problems[first_field]
        super().__init__(first.source_message, field=first_field, **first.params)
        self.problems = problems


class NothingChanged(DomainError):
    message = N_("Aucune modification à enregistrer.")


# --------------------------------------------------------------------------- parsing


def parse_day(text: str, term: Term, *, field: str) -> date:
    """An ISO date (`2026-11-20`) within the term; InvalidInput naming `field` otherwise."""
    cleaned = safe_text(text, field=field, max_length=20)
    if not cleaned:
        raise InvalidInput(MSG_DATE_REQUIRED, field=field)
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(MSG_DATE_FORMAT, field=field) from None
    if not term.starts_on <= day <= term.ends_on:
        raise InvalidInput(
            MSG_DATE_OUTSIDE_TERM,
            field=field,
            term=term.code,
            start=DayParam(term.starts_on),
            end=DayParam(term.ends_on),
        )
    return day


def parse_mark(text: str, *, field: str) -> int | None:
    """A mark 0–100 as an integer, or None when blank; InvalidInput otherwise."""
    cleaned = safe_text(text, field=field, max_length=10)
    if not cleaned:
        return None
    if not cleaned.isdigit() or not cleaned.isascii() or int(cleaned) > 100:
        raise InvalidInput(MSG_MARK, field=field)
    return int(cleaned)


def _kind(text: str) -> EvaluationKind:
    try:
        return EvaluationKind(text.strip())
    except ValueError:
        raise InvalidInput(MSG_KIND, field="kind") from None


def _validated(parsers: dict[str, Any], entry: object, order: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: dict[str, DomainError] = {}
    for name in order:
        try:
            values[name] = parsers[name](getattr(entry, name))
        except DomainError as error:
            error.field = name
            problems[name] = error
    if problems:
        raise InvalidAssessment(problems, order)
    return values


def _evaluation_values(entry: EvaluationEntry, term: Term) -> dict[str, Any]:
    def title(text: str) -> str:
        cleaned = safe_text(text, field="title", max_length=TITLE_LENGTH)
        if not cleaned:
            raise InvalidInput(MSG_TITLE_REQUIRED, field="title")
        return cleaned

    return _validated(
        {
            "held_on": lambda text: parse_day(text, term, field="held_on"),
            "kind": _kind,
            "title": title,
            "mark": lambda text: parse_mark(text, field="mark"),
            "comment": lambda text: safe_text(text, field="comment", max_length=COMMENT_LENGTH),
        },
        entry,
        EVALUATION_FIELDS,
    )


def _absence_values(entry: AbsenceEntry, term: Term) -> dict[str, Any]:
    return _validated(
        {
            "absent_on": lambda text: parse_day(text, term, field="absent_on"),
            "is_justified": bool,
            "reason": lambda text: safe_text(text, field="reason", max_length=REASON_LENGTH),
        },
        entry,
        ABSENCE_FIELDS,
    )


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit trail keeps them (dates as ISO text, kinds as their code)."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in values.items()
    }


# --------------------------------------------------------------------------- reading rows


def _enrolment_and_term(uow: UnitOfWork, enrolment_id: int) -> tuple[Enrolment, Term]:
    row = uow.session.exec(
        select(Enrolment, Term)
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .join(Term, col(Term.id) == col(Course.term_id))
        .where(col(Enrolment.id) == enrolment_id)
    ).first()
    if row is None:
        raise NotFound(MSG_ENROLMENT_NOT_FOUND, field="enrolment")
    return row


def _evaluation(uow: UnitOfWork, evaluation_id: int) -> Evaluation:
    evaluation = uow.session.exec(
        select(Evaluation).where(col(Evaluation.id) == evaluation_id).with_for_update()
    ).first()
    if evaluation is None:
        raise NotFound(MSG_EVALUATION_NOT_FOUND, field="evaluation")
    return evaluation


def _absence(uow: UnitOfWork, absence_id: int) -> Absence:
    absence = uow.session.exec(
        select(Absence).where(col(Absence.id) == absence_id).with_for_update()
    ).first()
    if absence is None:
        raise NotFound(MSG_ABSENCE_NOT_FOUND, field="absence")
    return absence


def _state(row: object, names: tuple[str, ...]) -> dict[str, Any]:
    return _audited({name: getattr(row, name) for name in names})


# --------------------------------------------------------------------------- evaluations


def add_evaluation(
    uow: UnitOfWork, actor_id: int, enrolment_id: int, entry: EvaluationEntry
) -> Saved:
    """Record an evaluation of the enrolment.

    Refuses: a user who is not an active registrar or admin (`PermissionDenied`); an
    unknown enrolment (`NotFound`); a date missing, malformed or outside the term, an
    unknown kind, a blank title, a mark that is not 0–100, too long a text, a card number
    (`InvalidAssessment`, one error per field). Writes the row and `evaluation.add`.
    """
    active_staff(uow, actor_id, roles=EDITORS)
    _enrolment, term = _enrolment_and_term(uow, enrolment_id)
    values = _evaluation_values(entry, term)
    evaluation = Evaluation(enrolment_id=enrolment_id, **values)
    uow.session.add(evaluation)
    uow.session.flush()
    after = {"enrolment_id": enrolment_id, **_audited(values)}
    record_event(uow, actor_id, "evaluation.add", "evaluation", evaluation.id, {}, after)
    return Saved(enrolment_id, require_id(evaluation))


def update_evaluation(
    uow: UnitOfWork, actor_id: int, evaluation_id: int, entry: EvaluationEntry
) -> Saved:
    """Correct an evaluation (same rules as `add_evaluation`; `NotFound` for an unknown
    one; `NothingChanged` when every field is as stored). Audits the changed fields."""
    active_staff(uow, actor_id, roles=EDITORS)
    evaluation = _evaluation(uow, evaluation_id)
    _enrolment, term = _enrolment_and_term(uow, evaluation.enrolment_id)
    values = _evaluation_values(entry, term)
    return _update(uow, actor_id, evaluation, "evaluation.update", values)


def remove_evaluation(uow: UnitOfWork, actor_id: int, evaluation_id: int) -> Saved:
    """Delete an evaluation entered by mistake; the audit event `evaluation.remove` keeps
    what it said. Refuses `PermissionDenied` (not registrar or admin), `NotFound`."""
    active_staff(uow, actor_id, roles=EDITORS)
    evaluation = _evaluation(uow, evaluation_id)
    return _remove(uow, actor_id, evaluation, "evaluation.remove", EVALUATION_FIELDS)


# --------------------------------------------------------------------------- absences


def add_absence(uow: UnitOfWork, actor_id: int, enrolment_id: int, entry: AbsenceEntry) -> Saved:
    """Record an absence from the enrolment's course.

    Refuses: `PermissionDenied` (not an active registrar or admin), `NotFound` (unknown
    enrolment), `InvalidAssessment` (date missing, malformed or outside the term; reason
    too long or holding a card number). Writes the row and `absence.add`.
    """
    active_staff(uow, actor_id, roles=EDITORS)
    _enrolment, term = _enrolment_and_term(uow, enrolment_id)
    values = _absence_values(entry, term)
    absence = Absence(enrolment_id=enrolment_id, **values)
    uow.session.add(absence)
    uow.session.flush()
    after = {"enrolment_id": enrolment_id, **_audited(values)}
    record_event(uow, actor_id, "absence.add", "absence", absence.id, {}, after)
    return Saved(enrolment_id, require_id(absence))


def update_absence(uow: UnitOfWork, actor_id: int, absence_id: int, entry: AbsenceEntry) -> Saved:
    """Correct an absence (same rules as `add_absence`; `NotFound` for an unknown one;
    `NothingChanged` when every field is as stored). Audits the changed fields."""
    active_staff(uow, actor_id, roles=EDITORS)
    absence = _absence(uow, absence_id)
    _enrolment, term = _enrolment_and_term(uow, absence.enrolment_id)
    values = _absence_values(entry, term)
    return _update(uow, actor_id, absence, "absence.update", values)


def remove_absence(uow: UnitOfWork, actor_id: int, absence_id: int) -> Saved:
    """Delete an absence entered by mistake; `absence.remove` keeps what it said.
    Refuses `PermissionDenied` (not registrar or admin), `NotFound`."""
    active_staff(uow, actor_id, roles=EDITORS)
    absence = _absence(uow, absence_id)
    return _remove(uow, actor_id, absence, "absence.remove", ABSENCE_FIELDS)


# --------------------------------------------------------------------------- end of term


def set_term_result(
    uow: UnitOfWork, actor_id: int, enrolment_id: int, entry: TermResultEntry
) -> Saved:
    """Set the enrolment's final mark (0–100, blank = none) and the teacher's end-of-term
    comment.

    Refuses: `PermissionDenied` (not an active registrar or admin), `NotFound`,
    `InvalidAssessment` (mark out of range; comment too long or holding a card number),
    `NothingChanged`. Writes the enrolment and `enrolment.term_result` (changed fields).
    """
    active_staff(uow, actor_id, roles=EDITORS)
    enrolment = uow.session.exec(
        select(Enrolment).where(col(Enrolment.id) == enrolment_id).with_for_update()
    ).first()
    if enrolment is None:
        raise NotFound(MSG_ENROLMENT_NOT_FOUND, field="enrolment")
    values = _validated(
        {
            "final_mark": lambda text: parse_mark(text, field="final_mark"),
            "teacher_comment": lambda text: safe_text(
                text, field="teacher_comment", max_length=COMMENT_LENGTH
            ),
        },
        entry,
        RESULT_FIELDS,
    )
    changed = [name for name in RESULT_FIELDS if getattr(enrolment, name) != values[name]]
    if not changed:
        raise NothingChanged()
    before = {name: getattr(enrolment, name) for name in changed}
    for name in changed:
        setattr(enrolment, name, values[name])
    uow.session.add(enrolment)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "enrolment.term_result",
        "enrolment",
        enrolment_id,
        before,
        {name: values[name] for name in changed},
    )
    return Saved(enrolment_id, enrolment_id)


# --------------------------------------------------------------------------- shared


def _update(
    uow: UnitOfWork,
    actor_id: int,
    row: Evaluation | Absence,
    action: str,
    values: dict[str, Any],
) -> Saved:
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        raise NothingChanged()
    before = _state(row, tuple(changed))
    for name in changed:
        setattr(row, name, values[name])
    uow.session.add(row)
    uow.session.flush()
    after = _state(row, tuple(changed))
    record_event(uow, actor_id, action, row.__tablename__, row.id, before, after)
    return Saved(row.enrolment_id, require_id(row))


def _remove(
    uow: UnitOfWork,
    actor_id: int,
    row: Evaluation | Absence,
    action: str,
    names: tuple[str, ...],
) -> Saved:
    before = {"enrolment_id": row.enrolment_id, **_state(row, names)}
    row_id = row.id
    uow.session.delete(row)
    uow.session.flush()
    record_event(uow, actor_id, action, row.__tablename__, row_id, before, {})
    return Saved(row.enrolment_id, None)

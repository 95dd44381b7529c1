"""Recording a family's re-enrolment request (at the counter, or sent by the portal: the
same rules), and what the counter's form offers.

The request is refused outside the term's re-enrolment window (a term setting), with a
message saying when it opens or since when it is closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.models.base import (
    EnrolmentStatus,
    ReenrolmentKind,
    RequestStatus,
    Role,
    require_id,
)
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import local_date, utc_now
from registrar_tui.services.core.errors import DayParam, DomainError, InvalidInput, NotFound
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.records.courses import DisciplineName
from registrar_tui.services.records.enrolment_plan import discipline_name

COUNTER_ROLES = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
"""Who may record a family's request at the counter; only SUPERVISORS decide."""


class ReenrolmentClosed(DomainError):
    message = N_("La réinscription à la session {term} est fermée.")


class ReenrolmentAlreadyPending(DomainError):
    message = N_(
        "Une demande de réinscription est déjà en attente pour cet élève et cette session."
    )


@dataclass(frozen=True)
class SubmittedReenrolment:
    request_id: int
    term_code: str
    kind: ReenrolmentKind
    discipline_codes: tuple[str, ...]


def window_refusal(term: Term, today: date) -> ReenrolmentClosed | None:
    opens, closes = term.reenrolment_opens_on, term.reenrolment_closes_on
    if opens is None:
        return ReenrolmentClosed(
            N_("La session {term} n'a pas de période de réinscription."), term=term.code
        )
    if today < opens:
        return ReenrolmentClosed(
            N_("La réinscription à la session {term} ouvre le {opens}."),
            term=term.code,
            opens=DayParam(opens),
        )
    if closes is not None and today > closes:
        return ReenrolmentClosed(
            N_("La réinscription à la session {term} est fermée depuis le {closes}."),
            term=term.code,
            closes=DayParam(closes),
        )
    return None


@dataclass(frozen=True)
class Submission:
    """Who sends a request and, from the portal, its reference for it (idempotency)."""

    submitter: StaffUser
    """The checked, active account: a clerk at the counter, or the portal's (role portal)."""
    client_reference: str | None = None
    request_fingerprint: str | None = None


def submit_reenrolment(
    uow: UnitOfWork,
    *,
    actor_id: int,
    student_id: int,
    term_code: str,
    discipline_codes: Sequence[str] = (),
    administrative: bool = False,
    note: str = "",
) -> SubmittedReenrolment:
    """Record a family's re-enrolment request at the counter, pending the registrar.

    Refuses, writing nothing: PermissionDenied (not an active clerk, registrar or admin),
    and whatever `record_reenrolment` refuses.
    """
    clerk = active_staff(uow, actor_id, COUNTER_ROLES)
    return record_reenrolment(
        uow,
        Submission(clerk),
        student_id=student_id,
        term_code=term_code,
        discipline_codes=discipline_codes,
        administrative=administrative,
        note=note,
    )


def record_reenrolment(
    uow: UnitOfWork,
    submission: Submission,
    *,
    student_id: int,
    term_code: str,
    discipline_codes: Sequence[str] = (),
    administrative: bool = False,
    note: str = "",
) -> SubmittedReenrolment:
    """The rules of a re-enrolment request, whoever sends it (the counter, the portal):
    the caller has checked the submitter (`submission.submitter`, an active account).

    Refuses, writing nothing: NotFound (student, term, discipline), ReenrolmentClosed
    (today is outside the term's re-enrolment window), InvalidInput (no discipline for a
    discipline request), CardNumberRefused (in the note), ReenrolmentAlreadyPending (one
    is already waiting for this student and term, or a twin submitted at the same moment
    won; or, from the portal, a request with the same reference was just written).
    """
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    term = uow.session.exec(select(Term).where(col(Term.code) == term_code)).first()
    if term is None or term.id is None:
        raise NotFound(N_("Session introuvable : {term}."), field="term", term=term_code)
    refusal = window_refusal(term, local_date(uow.now()))
    if refusal is not None:
        raise refusal
    clean_note = safe_text(note, field="note", max_length=1000)
    codes = sorted({code.strip().upper() for code in discipline_codes if code.strip()})
    disciplines: list[Discipline] = []
    if not administrative:
        if not codes:
            raise InvalidInput(N_("Choisissez au moins une discipline."), field="disciplines")
        disciplines = list(
            uow.session.exec(select(Discipline).where(col(Discipline.code).in_(codes)))
        )
        unknown = set(codes) - {d.code for d in disciplines}
        if unknown:
            raise NotFound(
                N_("Discipline inconnue : {code}."), field="disciplines", code=min(unknown)
            )
    pending = uow.session.exec(
        select(ReenrolmentRequest.id).where(
            col(ReenrolmentRequest.student_id) == student_id,
            col(ReenrolmentRequest.term_id) == term.id,
            col(ReenrolmentRequest.status) == RequestStatus.PENDING,
        )
    ).first()
    if pending is not None:
        raise ReenrolmentAlreadyPending()
    kind = ReenrolmentKind.ADMINISTRATIVE if administrative else ReenrolmentKind.DISCIPLINES
    submitter_id = require_id(submission.submitter)
    request = ReenrolmentRequest(
        family_id=student.family_id,
        student_id=student_id,
        term_id=term.id,
        kind=kind,
        note=clean_note,
        submitted_at=utc_now(uow),
        submitted_by_id=submitter_id,
        client_reference=submission.client_reference,
        request_fingerprint=submission.request_fingerprint,
    )
    try:
        # A twin written at the same moment (PostgreSQL: the check above saw neither)
        # meets the unique « one pending » index or reference here: refused, not an error.
        with uow.session.begin_nested():
            uow.session.add(request)
            uow.session.flush()
    except IntegrityError:
        raise ReenrolmentAlreadyPending() from None
    assert request.id is not None
    for discipline in disciplines:
        assert discipline.id is not None
        uow.session.add(
            ReenrolmentRequestDiscipline(request_id=request.id, discipline_id=discipline.id)
        )
    uow.session.flush()
    after: dict[str, object] = {
        "student_id": student_id,
        "term": term.code,
        "kind": str(kind),
        "disciplines": codes,
    }
    if submission.client_reference is not None:
        after["client_reference"] = submission.client_reference
    record_event(
        uow, submitter_id, "reenrolment.submit", "reenrolment_request", request.id, {}, after
    )
    return SubmittedReenrolment(request.id, term.code, kind, tuple(codes))


@dataclass(frozen=True)
class OfferedDiscipline:
    code: str
    name: DisciplineName
    taken_now: bool
    """The student takes it this term (pre-selected on the form)."""


@dataclass(frozen=True)
class ReenrolmentOptions:
    """What the counter's re-enrolment form offers for a student."""

    term_code: str | None
    """The next term (None: no term to come)."""
    refusal: str
    """Why a request cannot be recorded today (translated; empty when it can)."""
    disciplines: tuple[OfferedDiscipline, ...]
    """Disciplines taught at the student's establishment in that term, by name."""


def reenrolment_options(uow: UnitOfWork, student_id: int) -> ReenrolmentOptions:
    """The next term, whether its window is open today, the disciplines it offers.

    Refuses: NotFound (student).
    """
    from registrar_tui.services.records.students import current_term

    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    today = local_date(uow.now())
    now = current_term(uow, today)
    after = now.starts_on if now is not None else today
    term = uow.session.exec(
        select(Term).where(col(Term.starts_on) > after).order_by(col(Term.starts_on)).limit(1)
    ).first()
    if term is None:
        return ReenrolmentOptions(None, DomainError(N_("Aucune session à venir.")).translated(), ())
    refusal = window_refusal(term, today)
    offered = uow.session.exec(
        select(Discipline)
        .join(Course, col(Course.discipline_id) == col(Discipline.id))
        .where(
            col(Course.term_id) == term.id,
            col(Course.establishment_id) == student.establishment_id,
        )
        .distinct()
    ).all()
    taken: set[int] = set()
    if now is not None:
        taken = {
            int(discipline_id)
            for discipline_id in uow.session.exec(
                select(col(Course.discipline_id))
                .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
                .where(
                    col(Enrolment.student_id) == student_id,
                    col(Course.term_id) == now.id,
                    col(Enrolment.status) != EnrolmentStatus.DROPPED,
                )
            )
        }
    return ReenrolmentOptions(
        term_code=term.code,
        refusal=refusal.translated() if refusal is not None else "",
        disciplines=tuple(
            OfferedDiscipline(d.code, discipline_name(d), require_id(d) in taken)
            for d in sorted(offered, key=lambda d: d.name_fr.casefold())
        ),
    )

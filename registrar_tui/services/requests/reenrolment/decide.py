"""Re-enrolment requests: recorded at the counter, previewed, validated or rejected.

A request is for one student and one term: an administrative re-enrolment (the student
goes on with the disciplines of the term before) or a set of disciplines, with the
family's note. Validating it creates the term's enrolments (in the first section with
room at the student's establishment) and issues the term's invoice from the fee schedule;
rejecting it needs a reason. Either way the family gets a message in the outbox, in its
own language, and the decision is audited, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, translations_for
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    Establishment,
    Family,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.models.base import (
    EnrolmentStatus,
    Language,
    ReenrolmentKind,
    RequestStatus,
    require_id,
)
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.core.text import required_reason
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice
from registrar_tui.services.records.enrolment_plan import (
    NoSectionWithRoom,
    PlannedLine,
    SectionChoice,
    choose_sections,
    planned,
    term_invoice_lines,
)
from registrar_tui.services.requests.reenrolment.notice import notify_family


class RequestAlreadyDecided(DomainError):
    message = N_("Cette demande de réinscription a déjà été traitée.")


@dataclass(frozen=True)
class ReenrolmentDetail:
    """A request as the registrar decides it: who, what, and what validating would create."""

    request_id: int
    status: RequestStatus
    kind: ReenrolmentKind
    term_code: str
    family_id: int
    family_name: str
    family_number: str
    student_id: int
    student_name: str
    student_number: str
    establishment_code: str
    note: str
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str
    sections: tuple[SectionChoice, ...]
    """One per discipline: the section validating would enrol the student in."""
    lines: tuple[PlannedLine, ...]
    """The invoice validating would issue (empty once decided)."""
    total: Decimal
    problem: str
    """Why it cannot be validated as it stands (translated; empty when it can)."""


@dataclass(frozen=True)
class DecidedReenrolment:
    request_id: int
    status: RequestStatus
    invoice_number: str | None
    invoice_total: Decimal | None
    enrolment_count: int
    message_to: str | None
    """The address the family's message was queued to (None: no e-mail on file)."""


def _previous_term(uow: UnitOfWork, term: Term) -> Term | None:
    return uow.session.exec(
        select(Term)
        .where(col(Term.starts_on) < term.starts_on)
        .order_by(col(Term.starts_on).desc())
        .limit(1)
    ).first()


def requested_disciplines(
    uow: UnitOfWork, request: ReenrolmentRequest, term: Term
) -> list[Discipline]:
    """The disciplines asked for; for an administrative request, those of the term before
    (the enrolments not dropped), by French name."""
    if request.kind == ReenrolmentKind.DISCIPLINES:
        query = (
            select(Discipline)
            .join(
                ReenrolmentRequestDiscipline,
                col(ReenrolmentRequestDiscipline.discipline_id) == col(Discipline.id),
            )
            .where(col(ReenrolmentRequestDiscipline.request_id) == request.id)
        )
    else:
        previous = _previous_term(uow, term)
        if previous is None:
            return []
        query = (
            select(Discipline)
            .join(Course, col(Course.discipline_id) == col(Discipline.id))
            .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
            .where(
                col(Enrolment.student_id) == request.student_id,
                col(Course.term_id) == previous.id,
                col(Enrolment.status) != EnrolmentStatus.DROPPED,
            )
            .distinct()
        )
    return sorted(uow.session.exec(query), key=lambda d: d.name_fr.casefold())


@dataclass(frozen=True)
class _Loaded:
    request: ReenrolmentRequest
    student: Student
    family: Family
    term: Term
    sections: tuple[SectionChoice, ...]


def _load(uow: UnitOfWork, request_id: int, *, lock: bool = False) -> _Loaded:
    query = select(ReenrolmentRequest).where(col(ReenrolmentRequest.id) == request_id)
    if lock:
        # The status is read under the row lock: of two registrars validating at once,
        # the second waits here, then sees the first one's decision.
        query = query.with_for_update().execution_options(populate_existing=True)
    request = uow.session.exec(query).first()
    if request is None:
        raise NotFound(N_("Demande de réinscription introuvable."))
    student = uow.session.get_one(Student, request.student_id)
    family = uow.session.get_one(Family, request.family_id)
    term = uow.session.get_one(Term, request.term_id)
    sections = choose_sections(
        uow,
        student_id=require_id(student),
        term_id=require_id(term),
        establishment_id=student.establishment_id,
        disciplines=requested_disciplines(uow, request, term),
    )
    return _Loaded(request, student, family, term, sections)


def _lines(uow: UnitOfWork, loaded: _Loaded) -> list[NewLine]:
    return list(
        term_invoice_lines(
            uow,
            student_id=require_id(loaded.student),
            term=loaded.term,
            disciplines=[
                (s.discipline_id, s.discipline.code)
                for s in loaded.sections
                if not s.already_enrolled
            ],
            language=Language(loaded.family.language),
        )
    )


def reenrolment_detail(uow: UnitOfWork, request_id: int) -> ReenrolmentDetail:
    """The request with the sections and the invoice validating it would create.

    Refuses: NotFound. A discipline without a section with room, or a fee missing from the
    schedule, is reported in `problem` (validating would be refused).
    """
    loaded = _load(uow, request_id)
    request, student, family = loaded.request, loaded.student, loaded.family
    problem = ""
    lines: tuple[PlannedLine, ...] = ()
    pending = request.status == RequestStatus.PENDING
    if pending:
        for section in loaded.sections:
            if section.course_id is None and not section.already_enrolled:
                error = NoSectionWithRoom(
                    discipline=section.discipline.name_fr, term=loaded.term.code
                )
                problem = error.translated()
                break
        try:
            lines = planned(_lines(uow, loaded))
        except DomainError as error:
            problem = problem or error.translated()
    decided_by = (
        uow.session.get(StaffUser, request.decided_by_id) if request.decided_by_id else None
    )
    site = uow.session.get_one(Establishment, student.establishment_id)
    return ReenrolmentDetail(
        request_id=request_id,
        status=RequestStatus(request.status),
        kind=ReenrolmentKind(request.kind),
        term_code=loaded.term.code,
        family_id=require_id(family),
        family_name=family.name,
        family_number=family.family_number,
        student_id=require_id(student),
        student_name=f"{student.first_name} {student.last_name}".strip(),
        student_number=student.student_number,
        establishment_code=site.code,
        note=request.note,
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
        decided_by=decided_by.full_name if decided_by is not None else None,
        decision_reason=request.decision_reason,
        sections=loaded.sections,
        lines=lines,
        total=sum((line.amount for line in lines), Decimal("0.00")),
        problem=problem if pending else "",
    )


def _claim(uow: UnitOfWork, request_id: int, actor_id: int) -> _Loaded:
    active_staff(uow, actor_id, SUPERVISORS)
    loaded = _load(uow, request_id, lock=True)
    if loaded.request.status != RequestStatus.PENDING:
        raise RequestAlreadyDecided()
    return loaded


def _enrol(uow: UnitOfWork, student_id: int, course_id: int) -> int:
    existing = uow.session.exec(
        select(Enrolment).where(
            col(Enrolment.student_id) == student_id, col(Enrolment.course_id) == course_id
        )
    ).first()
    if existing is None:
        existing = Enrolment(student_id=student_id, course_id=course_id, enrolled_at=utc_now(uow))
    else:  # dropped earlier: enrolled again in the same section
        existing.status = EnrolmentStatus.ACTIVE
        existing.dropped_at = None
        existing.enrolled_at = utc_now(uow)
    uow.session.add(existing)
    uow.session.flush()
    assert existing.id is not None
    return existing.id


def validate_reenrolment(uow: UnitOfWork, request_id: int, actor_id: int) -> DecidedReenrolment:
    """Validate a pending request: enrol the student in each discipline (first section with
    room), issue the term's invoice from the fee schedule, message the family, audit.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound,
    RequestAlreadyDecided (validated or rejected already, e.g. by another registrar),
    NoSectionWithRoom, NotFound from the fee schedule (a fee missing).
    """
    loaded = _claim(uow, request_id, actor_id)
    request, student, term = loaded.request, loaded.student, loaded.term
    enrolment_ids = []
    for section in loaded.sections:
        if section.already_enrolled:
            continue
        if section.course_id is None:
            raise NoSectionWithRoom(discipline=section.discipline.name_fr, term=term.code)
        enrolment_ids.append(_enrol(uow, require_id(student), section.course_id))
    lines = _lines(uow, loaded)
    invoice = None
    if lines:
        language = Language(loaded.family.language)
        description = translations_for(str(language)).gettext(N_("Réinscription — session {term}"))
        invoice = issue_invoice(
            uow,
            actor_id=actor_id,
            family_id=require_id(loaded.family),
            description=description.format(term=term.code),
            lines=lines,
            due_on=term.payment_due_on,
            student_id=student.id,
            term_id=term.id,
            establishment_id=student.establishment_id,
            roles=SUPERVISORS,
            audit_context={"reenrolment_request_id": request_id},
        )
    request.status = RequestStatus.APPROVED
    request.decided_at = utc_now(uow)
    request.decided_by_id = actor_id
    uow.session.add(request)
    uow.session.flush()
    recipient = notify_family(
        uow,
        family=loaded.family,
        student=student,
        term_code=term.code,
        approved=True,
        invoice=invoice,
        reason="",
    )
    record_event(
        uow,
        actor_id,
        "reenrolment.validate",
        "reenrolment_request",
        request_id,
        {"status": str(RequestStatus.PENDING)},
        {
            "status": str(RequestStatus.APPROVED),
            "enrolment_ids": enrolment_ids,
            "invoice": invoice.number if invoice else None,
        },
    )
    return DecidedReenrolment(
        request_id=request_id,
        status=RequestStatus.APPROVED,
        invoice_number=invoice.number if invoice else None,
        invoice_total=invoice.total if invoice else None,
        enrolment_count=len(enrolment_ids),
        message_to=recipient,
    )


def reject_reenrolment(
    uow: UnitOfWork, request_id: int, actor_id: int, reason: str
) -> DecidedReenrolment:
    """Reject a pending request with a reason; the family is told why (outbox), audited.

    Refuses, writing nothing: PermissionDenied, NotFound, ReasonRequired, CardNumberRefused,
    RequestAlreadyDecided.
    """
    clean_reason = required_reason(reason)
    loaded = _claim(uow, request_id, actor_id)
    request = loaded.request
    request.status = RequestStatus.REJECTED
    request.decided_at = utc_now(uow)
    request.decided_by_id = actor_id
    request.decision_reason = clean_reason
    uow.session.add(request)
    uow.session.flush()
    recipient = notify_family(
        uow,
        family=loaded.family,
        student=loaded.student,
        term_code=loaded.term.code,
        approved=False,
        invoice=None,
        reason=clean_reason,
    )
    record_event(
        uow,
        actor_id,
        "reenrolment.reject",
        "reenrolment_request",
        request_id,
        {"status": str(RequestStatus.PENDING)},
        {"status": str(RequestStatus.REJECTED), "reason": clean_reason},
    )
    return DecidedReenrolment(request_id, RequestStatus.REJECTED, None, None, 0, recipient)

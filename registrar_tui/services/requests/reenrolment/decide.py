"""Re-enrolment requests: recorded at the counter, previewed, validated or rejected.

A request is for one student and one term: an administrative re-enrolment (the student
goes on with the disciplines of the term before) or a set of disciplines, with the
family's note. The preview lists, per discipline, the term's open groups at the student's
establishment (day, time, teacher, room, level, seats left) and proposes one: the group
the student's group of the term before was rolled into if it has room (same teacher and
time), else the first with room. The registrar may pick another (`picks`); validation
then uses exactly the groups picked: one that filled meanwhile is refused, nothing
written. A group picked full puts the student on its waiting list for that discipline
(school_year/waiting_lists.py): that discipline is not billed until a seat is offered and
accepted. The invoice is issued from the fee schedule for the disciplines enrolled (none
enrolled: no invoice); a voluntary contribution the family declined the term before is
proposed declined (`declined`, toggled by the registrar) and recorded declined with the
ledger's own mechanism right after the invoice is issued. Rejecting needs a reason.
Either way the family gets a message in the outbox, in its
own language, and the decision is audited, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
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
    Invoice,
    InvoiceLine,
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
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.declines import declined_lines
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice
from registrar_tui.services.records.enrolment_plan import (
    AllGroupsFull,
    GroupFilled,
    GroupPick,
    NoGroupOpen,
    PlannedLine,
    SeatFreed,
    SectionChoice,
    choose_sections,
    planned,
    term_invoice_lines,
)
from registrar_tui.services.requests.reenrolment.notice import WaitingNotice, notify_family
from registrar_tui.services.school_year.waiting_lists import join_waiting_list


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
    """One per discipline: its open groups and the one validating would enrol the student
    in (or put the student on the waiting list of, when it is full)."""
    lines: tuple[PlannedLine, ...]
    """The invoice validating would issue (empty once decided)."""
    declined: frozenset[str]
    """Fee codes of the voluntary lines to issue declined (proposed: those the family
    declined the term before)."""
    total: Decimal
    """What the invoice would ask for: its lines less the declined ones."""
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
    waiting: tuple[WaitingNotice, ...] = ()
    """The disciplines put on a group's waiting list, with the student's rank."""


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


def _load(
    uow: UnitOfWork,
    request_id: int,
    *,
    lock: bool = False,
    picks: Mapping[int, int] | None = None,
) -> _Loaded:
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
        picks=picks,
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
                if not s.already_enrolled and s.chosen is not None and not s.waiting_list
            ],
            language=Language(loaded.family.language),
        )
    )


def declined_last_term(uow: UnitOfWork, family_id: int, term: Term) -> frozenset[str]:
    """Fee codes of the voluntary lines the family declines now on its invoices of the
    term before `term`."""
    previous = _previous_term(uow, term)
    if previous is None:
        return frozenset()
    invoice_ids = [
        i
        for i in uow.session.exec(
            select(Invoice.id).where(
                col(Invoice.family_id) == family_id, col(Invoice.term_id) == previous.id
            )
        )
        if i is not None
    ]
    declined = declined_lines(uow, invoice_ids)
    if not declined:
        return frozenset()
    return frozenset(
        uow.session.exec(
            select(InvoiceLine.fee_code).where(col(InvoiceLine.id).in_(declined))
        ).all()
    )


def _problem(section: SectionChoice, term: Term) -> DomainError | None:
    if section.already_enrolled or section.chosen is not None:
        return None
    name = section.discipline.name_fr
    if not section.groups:
        return NoGroupOpen(discipline=name, term=term.code, field="group")
    return AllGroupsFull(discipline=name, term=term.code, field="group")


def reenrolment_detail(
    uow: UnitOfWork,
    request_id: int,
    picks: Mapping[int, int] | None = None,
    declined: Collection[str] | None = None,
) -> ReenrolmentDetail:
    """The request with the groups and the invoice validating it would create: the groups
    `picks` chooses (discipline id → course id), else the proposed ones; the voluntary
    lines `declined` names (fee codes) declined, else those the family declined the term
    before.

    Refuses: NotFound, GroupNotOpen (a pick that is not an open group of its discipline).
    A discipline without an open group, or with only full ones and none picked, or a fee
    missing from the schedule, is reported in `problem` (validating would be refused).
    """
    loaded = _load(uow, request_id, picks=picks)
    request, student, family = loaded.request, loaded.student, loaded.family
    problem = ""
    lines: tuple[PlannedLine, ...] = ()
    declined_codes: frozenset[str] = frozenset()
    pending = request.status == RequestStatus.PENDING
    if pending:
        for section in loaded.sections:
            error = _problem(section, loaded.term)
            if error is not None:
                problem = error.translated()
                break
        try:
            lines = planned(_lines(uow, loaded)) if _enrols_any(loaded) else ()
        except DomainError as error:
            problem = problem or error.translated()
        declined_codes = (
            frozenset(declined)
            if declined is not None
            else declined_last_term(uow, require_id(family), loaded.term)
        )
        declined_codes = frozenset(
            line.fee_code for line in lines if line.is_voluntary and line.fee_code in declined_codes
        )
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
        declined=declined_codes,
        total=sum(
            (line.amount for line in lines if line.fee_code not in declined_codes),
            Decimal("0.00"),
        ),
        problem=problem if pending else "",
    )


def _enrols_any(loaded: _Loaded) -> bool:
    """Validating would enrol the student in at least one discipline (else no invoice)."""
    return any(
        not s.already_enrolled and s.chosen is not None and not s.waiting_list
        for s in loaded.sections
    )


def _claim(
    uow: UnitOfWork,
    request_id: int,
    actor_id: int,
    picks: Mapping[int, int] | None = None,
) -> _Loaded:
    active_staff(uow, actor_id, SUPERVISORS)
    loaded = _load(uow, request_id, lock=True, picks=picks)
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


def _check_picks(loaded: _Loaded, picks: Mapping[int, GroupPick]) -> None:
    """Each group picked is as the registrar saw it: with room, or full (waiting list)."""
    for section in loaded.sections:
        pick = picks.get(section.discipline_id)
        if pick is None or section.chosen is None or section.already_enrolled:
            continue
        values = {
            "section": section.chosen.section,
            "discipline": section.discipline.name_fr,
            "field": "group",
        }
        if section.chosen.is_full and not pick.waiting_list:
            raise GroupFilled(**values)
        if pick.waiting_list and not section.chosen.is_full:
            raise SeatFreed(**values)


def validate_reenrolment(
    uow: UnitOfWork,
    request_id: int,
    actor_id: int,
    picks: Mapping[int, GroupPick] | None = None,
    declined: Collection[str] | None = None,
) -> DecidedReenrolment:
    """Validate a pending request: enrol the student in each discipline's group (`picks`,
    as the registrar saw them; else the proposal), or put the student on a full picked
    group's waiting list; issue the term's invoice from the fee schedule for the
    disciplines enrolled, with the voluntary lines `declined` names (else those declined
    the term before) recorded declined; message the family; audit.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound,
    RequestAlreadyDecided (validated or rejected already, e.g. by another registrar),
    GroupNotOpen, NoGroupOpen, AllGroupsFull (none picked), GroupFilled (picked with room,
    full now), SeatFreed (picked full for its waiting list, a seat is free now),
    AlreadyInLine, NotFound from the fee schedule (a fee missing).
    """
    chosen_picks = dict(picks or {})
    course_picks = {d: p.course_id for d, p in chosen_picks.items()}
    loaded = _claim(uow, request_id, actor_id, course_picks)
    # The groups chosen, locked (in id order), then their seats read again: of two
    # registrars taking a group's last seat at once, the second finds it full.
    chosen_ids = sorted({s.chosen.course_id for s in loaded.sections if s.chosen is not None})
    if chosen_ids:
        uow.session.exec(
            select(Course.id)
            .where(col(Course.id).in_(chosen_ids))
            .order_by(col(Course.id))
            .with_for_update()
        ).all()
        loaded = _load(uow, request_id, picks=course_picks)
    _check_picks(loaded, chosen_picks)
    request, student, term = loaded.request, loaded.student, loaded.term
    enrolment_ids = []
    waiting: list[WaitingNotice] = []
    for section in loaded.sections:
        problem = _problem(section, term)
        if problem is not None:
            raise problem
        if section.already_enrolled or section.chosen is None:
            continue
        if section.waiting_list:
            place = join_waiting_list(
                uow,
                actor_id=actor_id,
                course_id=section.chosen.course_id,
                student_id=require_id(student),
                reenrolment_request_id=request_id,
            )
            waiting.append(
                WaitingNotice(
                    discipline=section.discipline,
                    section=section.chosen.section,
                    rank=place.rank,
                    entry_id=place.entry_id,
                )
            )
            continue
        enrolment_ids.append(_enrol(uow, require_id(student), section.chosen.course_id))
    lines = _lines(uow, loaded) if enrolment_ids else []
    invoice = None
    declined_now: list[str] = []
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
        to_decline = (
            frozenset(declined)
            if declined is not None
            else declined_last_term(uow, require_id(loaded.family), term)
        )
        for line in uow.session.exec(
            select(InvoiceLine)
            .where(col(InvoiceLine.invoice_id) == invoice.invoice_id, col(InvoiceLine.is_voluntary))
            .order_by(col(InvoiceLine.position))
        ):
            if line.fee_code in to_decline:
                decline_contribution(uow, require_id(line), actor_id)
                declined_now.append(line.fee_code)
    request.status = RequestStatus.APPROVED
    request.decided_at = utc_now(uow)
    request.decided_by_id = actor_id
    uow.session.add(request)
    uow.session.flush()
    invoice_total = (
        invoice.total
        - sum(
            (line.amount for line in lines if line.is_voluntary and line.fee_code in declined_now),
            Decimal("0.00"),
        )
        if invoice
        else None
    )
    recipient = notify_family(
        uow,
        family=loaded.family,
        student=student,
        term_code=term.code,
        approved=True,
        invoice=invoice,
        invoice_total=invoice_total,
        reason="",
        waiting=waiting,
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
            "declined": declined_now,
            "waiting_list_entry_ids": [w.entry_id for w in waiting],
        },
    )
    return DecidedReenrolment(
        request_id=request_id,
        status=RequestStatus.APPROVED,
        invoice_number=invoice.number if invoice else None,
        invoice_total=invoice_total,
        enrolment_count=len(enrolment_ids),
        message_to=recipient,
        waiting=tuple(waiting),
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

"""What a student did and asked for beyond courses: repertoire and re-enrolment requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    Discipline,
    ReenrolmentKind,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    RepertoireEvent,
    RepertoireEventKind,
    RepertoireWork,
    RequestStatus,
    StaffUser,
    Term,
)
from registrar_tui.models.base import require_id
from registrar_tui.services.records.courses import DisciplineName


@dataclass(frozen=True)
class PerformedWork:
    composer: str
    title: str
    work_id: int = 0
    """The row, for removing a work entered by mistake (services/records/repertoire.py)."""


@dataclass(frozen=True)
class RepertoireEntry:
    """An event the student took part in, with the works the student performed there."""

    event_id: int
    held_on: date
    kind: RepertoireEventKind
    title: str
    venue: str
    works: tuple[PerformedWork, ...]


@dataclass(frozen=True)
class ReenrolmentSummary:
    """One re-enrolment request for the next term, as submitted and as decided."""

    request_id: int
    term_code: str
    kind: ReenrolmentKind
    disciplines: tuple[DisciplineName, ...]
    """Empty for an administrative re-enrolment."""
    note: str
    """What the family wrote with the request."""
    status: RequestStatus
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    """The full name of the staff user who decided."""
    decision_reason: str


@dataclass(frozen=True)
class NextTerm:
    """The term after the current one, with its re-enrolment window."""

    code: str
    starts_on: date
    reenrolment_opens_on: date | None
    reenrolment_closes_on: date | None

    def reenrolment_open_on(self, day: date) -> bool:
        """Whether families may still submit a re-enrolment request on this day."""
        if self.reenrolment_opens_on is None or day < self.reenrolment_opens_on:
            return False
        return self.reenrolment_closes_on is None or day <= self.reenrolment_closes_on


def repertoire(uow: UnitOfWork, student_id: int) -> tuple[RepertoireEntry, ...]:
    """Events the student performed at, newest first, each with its works in order."""
    rows = uow.session.exec(
        select(RepertoireEvent, RepertoireWork)
        .join(RepertoireWork, col(RepertoireWork.event_id) == col(RepertoireEvent.id))
        .where(col(RepertoireWork.student_id) == student_id)
        .order_by(
            col(RepertoireEvent.held_on).desc(),
            col(RepertoireEvent.id).desc(),
            col(RepertoireWork.id),
        )
    ).all()
    entries: list[RepertoireEntry] = []
    events: dict[int, RepertoireEvent] = {}
    works: dict[int, list[PerformedWork]] = {}
    for event, work in rows:
        event_id = require_id(event)
        if event_id not in events:
            events[event_id] = event
            works[event_id] = []
        works[event_id].append(
            PerformedWork(composer=work.composer, title=work.title, work_id=require_id(work))
        )
    for event_id, event in events.items():
        entries.append(
            RepertoireEntry(
                event_id=event_id,
                held_on=event.held_on,
                kind=RepertoireEventKind(event.kind),
                title=event.title,
                venue=event.venue,
                works=tuple(works[event_id]),
            )
        )
    return tuple(entries)


def next_term(uow: UnitOfWork, current_term: Term | None, today: date) -> NextTerm | None:
    """The first term starting after the current one (after today without a current term)."""
    after = current_term.starts_on if current_term is not None else today
    term = uow.session.exec(
        select(Term).where(col(Term.starts_on) > after).order_by(col(Term.starts_on)).limit(1)
    ).first()
    if term is None:
        return None
    return NextTerm(
        code=term.code,
        starts_on=term.starts_on,
        reenrolment_opens_on=term.reenrolment_opens_on,
        reenrolment_closes_on=term.reenrolment_closes_on,
    )


def reenrolment_requests(
    uow: UnitOfWork, student_id: int, term_code: str
) -> tuple[ReenrolmentSummary, ...]:
    """The student's re-enrolment requests for one term, newest submitted first."""
    rows = uow.session.exec(
        select(ReenrolmentRequest, Term, StaffUser)
        .join(Term, col(Term.id) == col(ReenrolmentRequest.term_id))
        .outerjoin(StaffUser, col(StaffUser.id) == col(ReenrolmentRequest.decided_by_id))
        .where(col(ReenrolmentRequest.student_id) == student_id, col(Term.code) == term_code)
        .order_by(col(ReenrolmentRequest.submitted_at).desc(), col(ReenrolmentRequest.id).desc())
    ).all()
    ids = [require_id(request) for request, _term, _staff in rows]
    chosen: dict[int, list[DisciplineName]] = {request_id: [] for request_id in ids}
    if ids:
        for request_id, discipline in uow.session.exec(
            select(col(ReenrolmentRequestDiscipline.request_id), Discipline)
            .join(Discipline, col(Discipline.id) == col(ReenrolmentRequestDiscipline.discipline_id))
            .where(col(ReenrolmentRequestDiscipline.request_id).in_(ids))
            .order_by(col(Discipline.name_fr))
        ):
            chosen[int(request_id)].append(
                DisciplineName(discipline.code, discipline.name_fr, discipline.name_en)
            )
    return tuple(
        ReenrolmentSummary(
            request_id=require_id(request),
            term_code=term.code,
            kind=ReenrolmentKind(request.kind),
            disciplines=tuple(chosen[require_id(request)]),
            note=request.note,
            status=RequestStatus(request.status),
            submitted_at=request.submitted_at,
            decided_at=request.decided_at,
            decided_by=staff.full_name if staff is not None else None,
            decision_reason=request.decision_reason,
        )
        for request, term, staff in rows
    )

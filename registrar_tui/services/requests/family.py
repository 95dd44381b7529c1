"""A family's portal requests, read-only: identity changes and re-enrolment requests.

The family record's "Demandes" tab lists them (pending first, newest first); deciding
them is the registrar's queue's business, not this one's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import _, current_language
from registrar_tui.models import (
    ChangeRequest,
    ChangeRequestField,
    Discipline,
    Guardian,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    Student,
    Term,
)
from registrar_tui.models.base import ChangeTarget, ReenrolmentKind, RequestStatus, require_id
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.paging import Page
from registrar_tui.services.requests.changes.fields import change_summary
from registrar_tui.services.requests.origin import RequestOrigin, submitters

REQUESTS_PAGE_SIZE = 12
"""Rows the requests tab shows at once (fits the tab at 80×24)."""


class RequestKind(enum.StrEnum):
    CHANGE = "change"
    REENROLMENT = "reenrolment"


@dataclass(frozen=True)
class FamilyRequest:
    """One request of the family, as a line of the requests tab."""

    kind: RequestKind
    request_id: int
    submitted_at: datetime
    """Aware UTC."""
    status: RequestStatus
    subject: str
    """Whom it is about: the guardian's or the student's name."""
    summary: str
    """What was asked, in the current UI language (field: before → after; term: disciplines)."""
    decision_reason: str
    """Why it was rejected (empty otherwise)."""
    origin: RequestOrigin | None = None
    """Sent by the portal or recorded at the counter (None: from before it was kept)."""


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _change_requests(uow: UnitOfWork, family_id: int) -> list[FamilyRequest]:
    session = uow.session
    requests = list(
        session.exec(select(ChangeRequest).where(col(ChangeRequest.family_id) == family_id))
    )
    if not requests:
        return []
    ids = [r.id for r in requests]
    fields: dict[int, list[ChangeRequestField]] = {}
    for field in session.exec(
        select(ChangeRequestField)
        .where(col(ChangeRequestField.request_id).in_(ids))
        .order_by(col(ChangeRequestField.id))
    ):
        fields.setdefault(field.request_id, []).append(field)
    guardians = {
        g.id: _name(g.first_name, g.last_name)
        for g in session.exec(select(Guardian).where(col(Guardian.family_id) == family_id))
    }
    students = _students(uow, family_id)
    sent_by = submitters(uow, [r.submitted_by_id for r in requests])
    result = []
    for request in requests:
        if request.target_kind == ChangeTarget.GUARDIAN:
            subject = guardians.get(request.target_id, "")
        else:
            subject = students.get(request.target_id, "")
        result.append(
            FamilyRequest(
                kind=RequestKind.CHANGE,
                request_id=require_id(request),
                submitted_at=as_utc(request.submitted_at),
                status=RequestStatus(request.status),
                subject=subject,
                summary=change_summary(fields.get(require_id(request), [])),
                decision_reason=request.decision_reason,
                origin=sent_by.of(request.submitted_by_id)[0],
            )
        )
    return result


def _students(uow: UnitOfWork, family_id: int) -> dict[int | None, str]:
    return {
        s.id: _name(s.first_name, s.last_name)
        for s in uow.session.exec(select(Student).where(col(Student.family_id) == family_id))
    }


def _reenrolment_requests(uow: UnitOfWork, family_id: int) -> list[FamilyRequest]:
    session = uow.session
    rows = list(
        session.exec(
            select(ReenrolmentRequest, Term)
            .join(Term, col(Term.id) == col(ReenrolmentRequest.term_id))
            .where(col(ReenrolmentRequest.family_id) == family_id)
        )
    )
    if not rows:
        return []
    english = current_language() == "en"
    disciplines: dict[int, list[str]] = {}
    for request_id, name_fr, name_en in session.exec(
        select(
            col(ReenrolmentRequestDiscipline.request_id),
            col(Discipline.name_fr),
            col(Discipline.name_en),
        )
        .join(Discipline, col(Discipline.id) == col(ReenrolmentRequestDiscipline.discipline_id))
        .where(col(ReenrolmentRequestDiscipline.request_id).in_([r.id for r, _t in rows]))
    ):
        disciplines.setdefault(request_id, []).append(name_en if english and name_en else name_fr)
    students = _students(uow, family_id)
    sent_by = submitters(uow, [r.submitted_by_id for r, _t in rows])
    result = []
    for request, term in rows:
        if request.kind == ReenrolmentKind.ADMINISTRATIVE:
            what = _("réinscription administrative")
        else:
            what = ", ".join(sorted(disciplines.get(require_id(request), []), key=str.casefold))
        summary = _("{term} : {what}").format(term=term.code, what=what)
        if request.note.strip():
            summary = f"{summary} · {request.note.strip()}"
        result.append(
            FamilyRequest(
                kind=RequestKind.REENROLMENT,
                request_id=require_id(request),
                submitted_at=as_utc(request.submitted_at),
                status=RequestStatus(request.status),
                subject=students.get(request.student_id, ""),
                summary=summary,
                decision_reason=request.decision_reason,
                origin=sent_by.of(request.submitted_by_id)[0],
            )
        )
    return result


def family_requests(
    uow: UnitOfWork, family_id: int, *, limit: int = REQUESTS_PAGE_SIZE, offset: int = 0
) -> Page[FamilyRequest]:
    """The family's change and re-enrolment requests, pending first, then newest first.

    One page: at most `limit` requests from `offset`, out of how many the family has.
    Refuses nothing: an unknown family simply has no requests.
    """
    everything = _change_requests(uow, family_id) + _reenrolment_requests(uow, family_id)
    everything.sort(
        key=lambda r: (
            r.status != RequestStatus.PENDING,
            -r.submitted_at.timestamp(),
            r.kind,
            -r.request_id,
        )
    )
    return Page.slice(everything, max(0, offset), max(1, limit))

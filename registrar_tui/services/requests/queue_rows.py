"""The lines of the registrar's queue: who a request is about, what it asks, conflicts.

`describe` loads, for one page of (kind, id) keys, the requests, their families, records,
fields and deciders in a few queries (never one per row).
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
    Establishment,
    Family,
    Guardian,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.models.base import ChangeTarget, ReenrolmentKind, RequestStatus, require_id
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.requests.changes.checks import IDENTITY_FIELDS, identity_warnings
from registrar_tui.services.requests.changes.fields import assess, change_summary, stored_value
from registrar_tui.services.requests.origin import RequestOrigin, submitters


class QueueKind(enum.StrEnum):
    GUARDIAN = "guardian"
    STUDENT = "student"
    REENROLMENT = "reenrolment"


@dataclass(frozen=True)
class Described:
    family: Family
    establishment_code: str
    subject: str
    summary: str
    submitted_at: datetime
    has_conflict: bool
    status: RequestStatus
    decided_at: datetime | None
    decided_by: str
    reason: str
    warnings: tuple[str, ...] = ()
    """Pending: what approving as asked would make disagree (the code permanent)."""
    origin: RequestOrigin | None = None
    """Sent by the portal or recorded at the counter (None: not recorded then)."""
    submitted_by: str = ""
    """The submitting account's name (the portal client's, or the clerk's)."""


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def describe(
    uow: UnitOfWork, keys: list[tuple[QueueKind, int]]
) -> dict[tuple[QueueKind, int], Described]:
    session = uow.session
    change_ids = [i for k, i in keys if k is not QueueKind.REENROLMENT]
    reenrolment_ids = [i for k, i in keys if k is QueueKind.REENROLMENT]
    changes = (
        list(session.exec(select(ChangeRequest).where(col(ChangeRequest.id).in_(change_ids))))
        if change_ids
        else []
    )
    reenrolments = (
        list(
            session.exec(
                select(ReenrolmentRequest).where(col(ReenrolmentRequest.id).in_(reenrolment_ids))
            )
        )
        if reenrolment_ids
        else []
    )
    family_ids = {r.family_id for r in changes} | {r.family_id for r in reenrolments}
    families = {f.id: f for f in session.exec(select(Family).where(col(Family.id).in_(family_ids)))}
    codes = {e.id: e.code for e in session.exec(select(Establishment))}
    decider_ids = {r.decided_by_id for r in changes if r.decided_by_id} | {
        r.decided_by_id for r in reenrolments if r.decided_by_id
    }
    deciders = {
        u.id: u.full_name
        for u in session.exec(select(StaffUser).where(col(StaffUser.id).in_(decider_ids)))
    }
    guardian_ids = [r.target_id for r in changes if r.target_kind == ChangeTarget.GUARDIAN]
    student_ids = [r.target_id for r in changes if r.target_kind == ChangeTarget.STUDENT] + [
        r.student_id for r in reenrolments
    ]
    guardians = {
        g.id: g for g in session.exec(select(Guardian).where(col(Guardian.id).in_(guardian_ids)))
    }
    students = {
        s.id: s for s in session.exec(select(Student).where(col(Student.id).in_(student_ids)))
    }
    sent_by = submitters(
        uow,
        [r.submitted_by_id for r in changes] + [r.submitted_by_id for r in reenrolments],
    )
    fields: dict[int, list[ChangeRequestField]] = {}
    for field in session.exec(
        select(ChangeRequestField)
        .where(col(ChangeRequestField.request_id).in_(change_ids))
        .order_by(col(ChangeRequestField.id))
    ):
        fields.setdefault(field.request_id, []).append(field)

    result: dict[tuple[QueueKind, int], Described] = {}
    for change in changes:
        record: Guardian | Student | None = (
            guardians.get(change.target_id)
            if change.target_kind == ChangeTarget.GUARDIAN
            else students.get(change.target_id)
        )
        own = fields.get(require_id(change), [])
        pending = change.status == RequestStatus.PENDING
        conflict = (
            pending and record is not None and any(a.conflict for a in assess(record, own).values())
        )
        summary = change_summary(own)
        family = families[change.family_id]
        origin, submitted_by = sent_by.of(change.submitted_by_id)
        result[(QueueKind(str(change.target_kind)), require_id(change))] = Described(
            family=family,
            establishment_code=codes.get(family.establishment_id, ""),
            subject=_name(record.first_name, record.last_name) if record is not None else "",
            summary=summary,
            submitted_at=as_utc(change.submitted_at),
            has_conflict=conflict,
            status=RequestStatus(change.status),
            decided_at=as_utc(change.decided_at) if change.decided_at else None,
            decided_by=deciders.get(change.decided_by_id, ""),
            reason=change.decision_reason,
            warnings=_warnings(uow, record, own) if pending else (),
            origin=origin,
            submitted_by=submitted_by,
        )
    summaries = _reenrolment_summaries(uow, reenrolments)
    for request in reenrolments:
        family = families[request.family_id]
        student = students.get(request.student_id)
        origin, submitted_by = sent_by.of(request.submitted_by_id)
        result[(QueueKind.REENROLMENT, require_id(request))] = Described(
            family=family,
            establishment_code=codes.get(family.establishment_id, ""),
            subject=_name(student.first_name, student.last_name) if student else "",
            summary=summaries.get(require_id(request), ""),
            submitted_at=as_utc(request.submitted_at),
            has_conflict=False,
            status=RequestStatus(request.status),
            decided_at=as_utc(request.decided_at) if request.decided_at else None,
            decided_by=deciders.get(request.decided_by_id, ""),
            reason=request.decision_reason,
            origin=origin,
            submitted_by=submitted_by,
        )
    return result


def _warnings(
    uow: UnitOfWork, record: Guardian | Student | None, fields: list[ChangeRequestField]
) -> tuple[str, ...]:
    """What approving a student's identity correction as asked would make disagree."""
    if not isinstance(record, Student) or not IDENTITY_FIELDS & {f.field_name for f in fields}:
        return ()
    assessed = assess(record, fields)
    writes = {}
    for item in fields:
        if assessed[item.field_name].relevant:
            try:
                writes[item.field_name] = stored_value(
                    uow, ChangeTarget.STUDENT, record, item.field_name, item.requested_value
                )
            except DomainError:
                continue  # refused when approving: nothing to warn about
    return identity_warnings(record, writes)


def _reenrolment_summaries(uow: UnitOfWork, requests: list[ReenrolmentRequest]) -> dict[int, str]:
    if not requests:
        return {}
    session = uow.session
    terms = {
        t.id: t.code
        for t in session.exec(select(Term).where(col(Term.id).in_({r.term_id for r in requests})))
    }
    english = current_language() == "en"
    disciplines: dict[int, list[str]] = {}
    for request_id, name_fr, name_en in session.exec(
        select(
            col(ReenrolmentRequestDiscipline.request_id),
            col(Discipline.name_fr),
            col(Discipline.name_en),
        )
        .join(Discipline, col(Discipline.id) == col(ReenrolmentRequestDiscipline.discipline_id))
        .where(col(ReenrolmentRequestDiscipline.request_id).in_([r.id for r in requests]))
    ):
        disciplines.setdefault(request_id, []).append(name_en if english and name_en else name_fr)
    result = {}
    for request in requests:
        if request.kind == ReenrolmentKind.ADMINISTRATIVE:
            what = _("réinscription administrative")
        else:
            what = ", ".join(sorted(disciplines.get(require_id(request), []), key=str.casefold))
        summary = _("{term} : {what}").format(term=terms.get(request.term_id, ""), what=what)
        if request.note.strip():
            summary = f"{summary} · {request.note.strip()}"
        result[require_id(request)] = summary
    return result

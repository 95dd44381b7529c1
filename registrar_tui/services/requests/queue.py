"""The registrar's queue: what families submitted through the portal, oldest first.

Pending change requests (a guardian's or a student's identity) and re-enrolment requests,
filtered by kind, establishment (the family's) and age, one page at a time; each change
request says whether its record changed since the family submitted (a conflict). The
history lists the decided ones, newest decision first, with who decided, when and why.
Deciding is `changes/decisions.py`'s business (and `reenrolment/decide.py`'s for
re-enrolments).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, func, literal, or_, union_all
from sqlalchemy import cast as sql_cast
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ChangeRequest, Establishment, Family, ReenrolmentRequest
from registrar_tui.models.base import ChangeTarget, RequestStatus, require_id
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc, utc_now
from registrar_tui.services.core.paging import Page
from registrar_tui.services.requests.origin import RequestOrigin
from registrar_tui.services.requests.queue_rows import QueueKind, describe

QUEUE_PAGE_SIZE = 12
"""Rows the queue shows at once (fits 80×24 with its title, status and detail lines)."""


KIND_LABELS = {
    QueueKind.GUARDIAN: N_("Responsable"),
    QueueKind.STUDENT: N_("Élève"),
    QueueKind.REENROLMENT: N_("Réinscription"),
}


@dataclass(frozen=True)
class QueueFilter:
    """Which requests to list: all of them by default."""

    kind: QueueKind | None = None
    establishment_id: int | None = None
    """The family's establishment."""
    min_age_days: int = 0
    """Only requests submitted at least this many days ago."""


@dataclass(frozen=True)
class QueueRow:
    """One pending request, as a line of the queue."""

    kind: QueueKind
    request_id: int
    family_id: int
    family_name: str
    family_number: str
    establishment_code: str
    subject: str
    """Whom it is about: the guardian's or the student's name."""
    summary: str
    """What was asked, in the current UI language (field: before → after; term: disciplines)."""
    submitted_at: datetime
    age_days: int
    """Whole days since the family submitted it."""
    has_conflict: bool
    """A change request whose record changed since it was submitted (never a re-enrolment)."""
    status: RequestStatus = RequestStatus.PENDING
    """Pending; or decided, for a request the queue was asked to keep in its place."""
    warnings: tuple[str, ...] = ()
    """What approving it as asked would make disagree (a student's code permanent)."""
    origin: RequestOrigin | None = None
    """Sent by the portal or recorded at the counter (None: from before it was kept)."""
    submitted_by: str = ""
    """The submitting account's name: the portal client's, or the clerk's."""

    @property
    def pending(self) -> bool:
        return self.status == RequestStatus.PENDING


@dataclass(frozen=True)
class HistoryRow:
    """One decided request: who decided, when and why."""

    kind: QueueKind
    request_id: int
    family_id: int
    family_name: str
    subject: str
    summary: str
    status: RequestStatus
    submitted_at: datetime
    decided_at: datetime
    decided_by: str
    """The deciding staff user's name ("" when not recorded, e.g. cancelled by the family)."""
    reason: str


QueuePage = Page[QueueRow]
"""One page of QueueRows (services/core/paging.Page)."""


HistoryPage = Page[HistoryRow]
"""One page of HistoryRows (services/core/paging.Page)."""


@dataclass(frozen=True)
class QueueEstablishment:
    establishment_id: int
    code: str
    name: str


def _union(
    uow: UnitOfWork,
    queue_filter: QueueFilter,
    *,
    pending: bool,
    keep: Sequence[tuple[QueueKind, int]] = (),
) -> Any:
    """(kind, request_id, submitted_at, decided_at) of the matching requests, as a subquery
    (pending ones: and those of `keep`, decided or not)."""
    parts = []
    kind = queue_filter.kind
    for table in (ChangeRequest, ReenrolmentRequest):
        is_change = table is ChangeRequest
        if kind is not None and (kind is QueueKind.REENROLMENT) == is_change:
            continue
        kind_column = (
            sql_cast(col(ChangeRequest.target_kind), String(24))
            if is_change
            else literal(QueueKind.REENROLMENT.value, String(24))
        )
        query: Any = select(
            kind_column.label("kind"),
            col(table.id).label("request_id"),
            col(table.submitted_at).label("submitted_at"),
            col(table.decided_at).label("decided_at"),
        ).join(Family, col(Family.id) == col(table.family_id))
        if pending:
            kept = [i for k, i in keep if (k is QueueKind.REENROLMENT) != is_change]
            query = query.where(
                or_(col(table.status) == RequestStatus.PENDING, col(table.id).in_(kept))
                if kept
                else col(table.status) == RequestStatus.PENDING
            )
            if queue_filter.min_age_days > 0:
                cutoff = utc_now(uow) - timedelta(days=queue_filter.min_age_days)
                query = query.where(col(table.submitted_at) <= cutoff)
        else:
            query = query.where(col(table.status) != RequestStatus.PENDING)
        if is_change and kind is not None:
            query = query.where(col(ChangeRequest.target_kind) == ChangeTarget(kind.value))
        if queue_filter.establishment_id is not None:
            query = query.where(col(Family.establishment_id) == queue_filter.establishment_id)
        parts.append(query)
    if not parts:
        return None
    combined: Any = union_all(*parts) if len(parts) > 1 else parts[0]
    return combined.subquery("queue")


def _page_keys(
    uow: UnitOfWork,
    queue_filter: QueueFilter,
    *,
    pending: bool,
    offset: int,
    limit: int,
    keep: Sequence[tuple[QueueKind, int]] = (),
) -> tuple[list[tuple[QueueKind, int]], int]:
    union = _union(uow, queue_filter, pending=pending, keep=keep)
    if union is None:
        return [], 0
    total = int(uow.session.exec(select(func.count()).select_from(union)).one())
    if pending:
        order = (union.c.submitted_at, union.c.kind, union.c.request_id)
    else:
        order = (union.c.decided_at.desc(), union.c.kind, union.c.request_id.desc())
    found = uow.session.exec(
        select(union.c.kind, union.c.request_id).order_by(*order).offset(offset).limit(limit)
    ).all()
    return [(QueueKind(str(k)), int(i)) for k, i in found], total


def pending_queue(
    uow: UnitOfWork,
    actor_id: int,
    queue_filter: QueueFilter | None = None,
    *,
    offset: int = 0,
    limit: int = QUEUE_PAGE_SIZE,
    keep: Sequence[tuple[QueueKind, int]] = (),
) -> QueuePage:
    """The pending requests matching the filter, oldest first, `limit` from `offset`.

    The requests of `keep` (those the registrar decided while looking at the queue) stay
    in their place, with their status, so the highlight stays on the request she read.
    Refuses a user who is not an active registrar or admin (PermissionDenied).
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    offset, limit = max(0, offset), max(1, limit)
    keys, total = _page_keys(
        uow, queue_filter or QueueFilter(), pending=True, offset=offset, limit=limit, keep=keep
    )
    described = describe(uow, keys)
    now = utc_now(uow)
    rows = []
    for kind, request_id in keys:
        item = described[(kind, request_id)]
        rows.append(
            QueueRow(
                kind=kind,
                request_id=request_id,
                family_id=require_id(item.family),
                family_name=item.family.name,
                family_number=item.family.family_number,
                establishment_code=item.establishment_code,
                subject=item.subject,
                summary=item.summary,
                submitted_at=item.submitted_at,
                age_days=max(0, (now - item.submitted_at).days),
                has_conflict=item.has_conflict,
                status=item.status,
                warnings=item.warnings,
                origin=item.origin,
                submitted_by=item.submitted_by,
            )
        )
    return QueuePage.counted(tuple(rows), offset, limit, total)


def decided_history(
    uow: UnitOfWork,
    actor_id: int,
    queue_filter: QueueFilter | None = None,
    *,
    offset: int = 0,
    limit: int = QUEUE_PAGE_SIZE,
) -> HistoryPage:
    """The decided requests (kind and establishment filters apply, not age), newest first.

    Refuses a user who is not an active registrar or admin (PermissionDenied).
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    offset, limit = max(0, offset), max(1, limit)
    keys, total = _page_keys(
        uow, queue_filter or QueueFilter(), pending=False, offset=offset, limit=limit
    )
    described = describe(uow, keys)
    rows = []
    for kind, request_id in keys:
        item = described[(kind, request_id)]
        rows.append(
            HistoryRow(
                kind=kind,
                request_id=request_id,
                family_id=require_id(item.family),
                family_name=item.family.name,
                subject=item.subject,
                summary=item.summary,
                status=item.status,
                submitted_at=item.submitted_at,
                decided_at=item.decided_at or item.submitted_at,
                decided_by=item.decided_by,
                reason=item.reason,
            )
        )
    return HistoryPage.counted(tuple(rows), offset, limit, total)


def pending_change_keys(
    uow: UnitOfWork, queue_filter: QueueFilter
) -> list[tuple[datetime, str, int]]:
    """(submitted_at, kind, request_id) of every pending change request of the filter, in
    queue order (oldest first). No role check: the deciding services check it."""
    if queue_filter.kind is QueueKind.REENROLMENT:
        return []
    union = _union(uow, queue_filter, pending=True)
    found = uow.session.exec(
        select(union.c.submitted_at, union.c.kind, union.c.request_id)
        .where(union.c.kind != QueueKind.REENROLMENT.value)
        .order_by(union.c.submitted_at, union.c.kind, union.c.request_id)
    ).all()
    return [(as_utc(at), str(kind), int(request_id)) for at, kind, request_id in found]


def queue_establishments(uow: UnitOfWork) -> tuple[QueueEstablishment, ...]:
    """The establishments, by code (the queue's establishment filter cycles through them)."""
    return tuple(
        QueueEstablishment(require_id(e), e.code, e.name)
        for e in uow.session.exec(select(Establishment).order_by(col(Establishment.code)))
    )

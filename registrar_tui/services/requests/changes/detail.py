"""One change request field by field, as the registrar decides it.

For each field: the record's value today, the value when the family submitted, the
requested value, and whether it is in conflict (the record changed since, to something
else than what is asked). Once decided: who, when, why, and which fields were applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ChangeRequest, Family, StaffUser
from registrar_tui.models.base import ChangeTarget, RequestStatus, require_id
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.requests.changes.fields import (
    current_text,
    field_label,
    is_conflict,
    request_fields,
    subject_name,
    target_record,
)

MSG_REQUEST_NOT_FOUND = N_("Demande de modification introuvable.")


@dataclass(frozen=True)
class FieldDiff:
    """One field of a request: the record today, when submitted, and what is asked."""

    field_name: str
    label: str
    """In the current UI language."""
    current: str
    submitted: str
    requested: str
    conflict: bool
    """The record changed since submission to something else than the requested value."""
    applied: bool | None
    """Once decided: True when the requested value was written, False when not."""


@dataclass(frozen=True)
class ChangeDetail:
    request_id: int
    family_id: int
    family_name: str
    family_number: str
    target_kind: ChangeTarget
    subject: str
    submitted_at: datetime
    status: RequestStatus
    fields: tuple[FieldDiff, ...]
    decided_at: datetime | None
    decided_by: str
    reason: str

    @property
    def has_conflict(self) -> bool:
        return any(f.conflict for f in self.fields)

    @property
    def conflict_fields(self) -> tuple[str, ...]:
        return tuple(f.field_name for f in self.fields if f.conflict)


def change_detail(uow: UnitOfWork, request_id: int, actor_id: int) -> ChangeDetail:
    """A change request field by field: current, submitted and requested values, conflicts.

    Refuses a user who is not an active registrar or admin (PermissionDenied) and an
    unknown request (NotFound).
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    request = uow.session.get(ChangeRequest, request_id)
    if request is None:
        raise NotFound(MSG_REQUEST_NOT_FOUND)
    record = target_record(uow, request, lock=False)
    family = uow.session.get(Family, request.family_id)
    assert family is not None
    pending = request.status == RequestStatus.PENDING
    diffs = []
    for item in request_fields(uow, request_id):
        current = current_text(record, item.field_name) if record is not None else ""
        diffs.append(
            FieldDiff(
                field_name=item.field_name,
                label=field_label(item.field_name),
                current=current,
                submitted=item.value_at_submission,
                requested=item.requested_value,
                conflict=pending
                and record is not None
                and is_conflict(current, item.value_at_submission, item.requested_value),
                applied=item.applied,
            )
        )
    decider = uow.session.get(StaffUser, request.decided_by_id) if request.decided_by_id else None
    return ChangeDetail(
        request_id=request_id,
        family_id=require_id(family),
        family_name=family.name,
        family_number=family.family_number,
        target_kind=ChangeTarget(request.target_kind),
        subject=subject_name(record),
        submitted_at=as_utc(request.submitted_at),
        status=RequestStatus(request.status),
        fields=tuple(diffs),
        decided_at=as_utc(request.decided_at) if request.decided_at else None,
        decided_by=decider.full_name if decider is not None else "",
        reason=request.decision_reason,
    )

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
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.requests.changes.checks import identity_warnings
from registrar_tui.services.requests.changes.fields import (
    ADDRESS_FIELDS,
    Record,
    assess,
    current_text,
    field_label,
    is_change,
    request_fields,
    stored_value,
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
    """The record changed since submission to something else than the requested value
    (for an address part: any part of the address did; the address is one choice)."""
    applied: bool | None
    """Once decided: True when the requested value was written, False when not."""
    changes: bool = True
    """The family asked for another value; False for an address part sent (or, when the
    request left it out, shown) as it was, written with the rest of the address."""
    in_request: bool = True
    """False for an address part the request left out, shown to see the whole address."""

    @property
    def is_address(self) -> bool:
        return self.field_name in ADDRESS_FIELDS


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
    warnings: tuple[str, ...] = ()
    """Pending: what approving as requested would make disagree (the code permanent)."""
    decided_by_id: int | None = None

    @property
    def has_conflict(self) -> bool:
        return any(f.conflict for f in self.fields)

    @property
    def conflict_fields(self) -> tuple[str, ...]:
        return tuple(f.field_name for f in self.fields if f.conflict and f.in_request)


def _diffs(
    uow: UnitOfWork, request: ChangeRequest, record: Record | None
) -> tuple[list[FieldDiff], dict[str, object]]:
    """The request's changes in the family's order, the address whole at its first part;
    and what approving them as requested would write (for the warnings)."""
    pending = request.status == RequestStatus.PENDING
    items = request_fields(uow, require_id(request))
    assessed = assess(record, items)
    by_name = {item.field_name: item for item in items}
    diffs: list[FieldDiff] = []
    writes: dict[str, object] = {}
    address_done = False
    for item in items:
        name = item.field_name
        if not assessed[name].relevant:
            continue
        if name in ADDRESS_FIELDS:
            if address_done:
                continue
            address_done = True
            for part in ADDRESS_FIELDS:
                current = current_text(record, part) if record is not None else ""
                given = by_name.get(part)
                diffs.append(
                    FieldDiff(
                        field_name=part,
                        label=field_label(part),
                        current=current,
                        submitted=given.value_at_submission if given else current,
                        requested=given.requested_value if given else current,
                        conflict=pending and assessed[name].conflict,
                        applied=given.applied if given else None,
                        changes=given is not None
                        and is_change(part, given.value_at_submission, given.requested_value),
                        in_request=given is not None,
                    )
                )
            continue
        current = current_text(record, name) if record is not None else ""
        diffs.append(
            FieldDiff(
                field_name=name,
                label=field_label(name),
                current=current,
                submitted=item.value_at_submission,
                requested=item.requested_value,
                conflict=pending and assessed[name].conflict,
                applied=item.applied,
            )
        )
    if pending and record is not None:
        target = ChangeTarget(request.target_kind)
        for item in items:
            if assessed[item.field_name].relevant:
                try:
                    writes[item.field_name] = stored_value(
                        uow, target, record, item.field_name, item.requested_value
                    )
                except DomainError:
                    continue  # refused when approving; nothing to warn about
    return diffs, writes


def change_detail(uow: UnitOfWork, request_id: int, actor_id: int) -> ChangeDetail:
    """A change request field by field: current, submitted and requested values, conflicts.

    Only changes are listed (a field sent as it was is not one); an address is shown whole
    (street, city, province, postal code), one conflict for all its parts. A pending
    student's correction lists what the code permanent would no longer agree with.
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
    diffs, writes = _diffs(uow, request, record)
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
        warnings=identity_warnings(record, writes) if record is not None else (),
        decided_by_id=request.decided_by_id,
    )

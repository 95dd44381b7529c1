"""A household's move: the other guardians and students still at the address one left.

When the registrar approves a new address for one person of a family, the others who
lived at the same address usually moved too. `household_at` finds them (same street,
city, province and postal code); `apply_household_move` gives them the new address, each
value audited and kept with the decision (undoing the decision moves them back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ChangeDecisionEffect, ChangeRequest, Guardian, Student
from registrar_tui.models.base import ChangeTarget, RequestStatus, StudentStatus, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.requests.changes.detail import MSG_REQUEST_NOT_FOUND
from registrar_tui.services.requests.changes.fields import (
    ADDRESS_FIELDS,
    Record,
    address_of,
    same_address,
    subject_name,
    target_record,
)


class NoMoveToApply(DomainError):
    """The request is not an approved change of address (or was undone since)."""

    message = N_("Cette demande n'a pas changé d'adresse : aucun déménagement à appliquer.")


@dataclass(frozen=True)
class HouseholdMember:
    """Someone of the family at the old address."""

    target_kind: ChangeTarget
    record_id: int
    name: str


@dataclass(frozen=True)
class HouseholdMove:
    request_id: int
    moved: tuple[str, ...]
    """The names of the people given the new address."""
    address: tuple[str, str, str, str]
    """The new address (street, city, province, postal code)."""


def _members(uow: UnitOfWork, family_id: int, *, lock: bool) -> list[tuple[ChangeTarget, Record]]:
    guardians = select(Guardian).where(
        col(Guardian.family_id) == family_id, col(Guardian.removed_at).is_(None)
    )
    students = select(Student).where(
        col(Student.family_id) == family_id, col(Student.status) != StudentStatus.WITHDRAWN
    )
    if lock:
        guardians, students = guardians.with_for_update(), students.with_for_update()
    found: list[tuple[ChangeTarget, Record]] = [
        (ChangeTarget.GUARDIAN, g) for g in uow.session.exec(guardians.order_by(col(Guardian.id)))
    ]
    found += [
        (ChangeTarget.STUDENT, s) for s in uow.session.exec(students.order_by(col(Student.id)))
    ]
    return found


def household_at(
    uow: UnitOfWork,
    family_id: int,
    exclude: tuple[ChangeTarget, int],
    address: Sequence[str],
) -> tuple[HouseholdMember, ...]:
    """The family's guardians and students (not withdrawn) living at `address`, but
    `exclude` (the person whose move was approved); none for a blank address."""
    return tuple(
        HouseholdMember(kind, require_id(record), subject_name(record))
        for kind, record in _members(uow, family_id, lock=False)
        if (kind, record.id) != exclude and same_address(address_of(record), address)
    )


def _moved_from(uow: UnitOfWork, request: ChangeRequest) -> tuple[Record, tuple[str, ...]]:
    """The decided record and the address it had before the approval."""
    record = target_record(uow, request, lock=False)
    effects = {
        e.field_name: e.before_value
        for e in uow.session.exec(
            select(ChangeDecisionEffect).where(
                col(ChangeDecisionEffect.request_id) == request.id,
                col(ChangeDecisionEffect.target_kind) == request.target_kind,
                col(ChangeDecisionEffect.target_id) == request.target_id,
                col(ChangeDecisionEffect.field_name).in_(ADDRESS_FIELDS),
            )
        )
    }
    if record is None or request.status != RequestStatus.APPROVED or not effects:
        raise NoMoveToApply()
    current = address_of(record)
    return record, tuple(
        effects.get(name, part) for name, part in zip(ADDRESS_FIELDS, current, strict=True)
    )


def apply_household_move(
    uow: UnitOfWork,
    request_id: int,
    actor_id: int,
    members: Sequence[tuple[ChangeTarget, int]],
) -> HouseholdMove:
    """Give the approved request's new address to `members` (the people the registrar was
    offered) who still live at the old address; the others are left as they are.

    Refuses, writing nothing: PermissionDenied (not an active registrar or admin),
    NotFound (unknown request), NoMoveToApply (not an approved change of address).
    Writes each changed value (audited `guardian.household_move` / `student.household_move`
    with the request, kept with the decision for an undo).
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    request = uow.session.exec(
        select(ChangeRequest).where(col(ChangeRequest.id) == request_id).with_for_update()
    ).first()
    if request is None:
        raise NotFound(MSG_REQUEST_NOT_FOUND)
    record, old = _moved_from(uow, request)
    new = address_of(record)
    wanted = {(ChangeTarget(kind), int(record_id)) for kind, record_id in members}
    moved = []
    for kind, member in _members(uow, request.family_id, lock=True):
        key = (kind, require_id(member))
        if key not in wanted or not same_address(address_of(member), old):
            continue
        before, after = {}, {}
        for name, value in zip(ADDRESS_FIELDS, new, strict=True):
            previous = str(getattr(member, name))
            if previous == value:
                continue
            setattr(member, name, value)
            before[name], after[name] = previous, value
            uow.session.add(
                ChangeDecisionEffect(
                    request_id=request_id,
                    target_kind=kind,
                    target_id=key[1],
                    field_name=name,
                    before_value=previous,
                    after_value=value,
                )
            )
        if not after:
            continue
        uow.session.add(member)
        uow.session.flush()
        record_event(
            uow,
            actor_id,
            f"{kind.value}.household_move",
            kind.value,
            key[1],
            before,
            after | {"change_request": request_id},
        )
        moved.append(subject_name(member))
    line, city, province, postal = new
    return HouseholdMove(request_id, tuple(moved), (line, city, province, postal))

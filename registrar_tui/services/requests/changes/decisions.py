"""Deciding a family's change request: approve (apply it) or reject it with a reason.

Each decision is one unit of work: the request row is locked and must still be pending
(a second approval of the same request is refused), the record is changed and audited,
the request is closed and audited, and a message to the family's payer is written to the
outbox in the family's language. A field whose record changed since the family submitted
(a conflict) is never applied blindly: the registrar chooses, field by field, the
requested value or the current one; the address is one unit (street, city, province and
postal code written or kept together, one choice). A field sent as it was is no change.
A correction the student's code permanent would no longer agree with needs the
registrar's consent (`accept_warnings`). What an approval writes is kept with the
decision (change_decision_effect) and its message's id on the request, so that it can be
undone while the message is unsent (undo.py); an approved move lists the household still
at the old address (household.py).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import ChangeDecisionEffect, ChangeRequest, ChangeRequestField
from registrar_tui.models.base import ChangeTarget, RequestStatus, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc, utc_now
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound
from registrar_tui.services.core.text import required_reason
from registrar_tui.services.requests.changes.checks import identity_warnings
from registrar_tui.services.requests.changes.detail import (
    MSG_REQUEST_NOT_FOUND,
)
from registrar_tui.services.requests.changes.fields import (
    ADDRESS_CHOICE,
    ADDRESS_FIELDS,
    ADDRESS_LABEL,
    SEARCHABLE_FIELDS,
    Record,
    address_of,
    as_text,
    assess,
    field_label,
    is_change,
    request_fields,
    stored_value,
    subject_name,
    target_record,
)
from registrar_tui.services.requests.changes.household import HouseholdMember, household_at
from registrar_tui.services.requests.changes.messages import queue_decision_message
from registrar_tui.services.requests.queue import QueueFilter, pending_change_keys
from registrar_tui.services.search.index import reindex_family

MSG_RECORD_GONE = N_("Le dossier visé par cette demande n'existe plus : refusez-la.")
MSG_BAD_CHOICE = N_("Choix invalide pour « {label} » : la valeur demandée ou l'actuelle.")


class Choice(enum.StrEnum):
    """What to do with a field in conflict."""

    REQUESTED = "requested"
    CURRENT = "current"


class RequestAlreadyDecided(DomainError):
    """Someone decided the request since it was loaded (or it was never pending)."""

    message = N_("Cette demande a déjà été traitée : rechargez la file.")


class ConflictChoiceRequired(DomainError):
    """A field changed since the family submitted: the registrar must choose its value."""

    message = N_("« {label} » a changé depuis la demande : choisissez la valeur à garder.")


class IdentityDisagrees(DomainError):
    """Approving would leave the code permanent disagreeing with the name or birth date."""

    message = N_("Le code permanent ne concordera plus : {warnings} Approuver quand même ?")


@dataclass(frozen=True)
class ChangeDecision:
    """The outcome of a decision."""

    request_id: int
    status: RequestStatus
    subject: str
    applied_fields: tuple[str, ...]
    kept_fields: tuple[str, ...]
    recipient: str | None
    """The address the family's message was queued to (None: the payer has no e-mail)."""
    household: tuple[HouseholdMember, ...] = ()
    """An approved move: the family's other guardians and students still at the old
    address (`apply_household_move` moves them too)."""


@dataclass(frozen=True)
class BulkApproval:
    approved: tuple[int, ...]
    skipped: tuple[int, ...]
    """Pending requests left in the queue: a conflict, a requested value refused, or a code
    permanent that would no longer agree."""

    @property
    def count(self) -> int:
        return len(self.approved)


@dataclass
class _Plan:
    request: ChangeRequest
    record: Record
    fields: list[ChangeRequestField]
    writes: dict[str, Any] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    warnings: tuple[str, ...] = ()


def _lock_pending(uow: UnitOfWork, request_id: int) -> ChangeRequest:
    """The request, its row locked until commit (PostgreSQL), still pending."""
    request = uow.session.exec(
        select(ChangeRequest)
        .where(col(ChangeRequest.id) == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if request is None:
        raise NotFound(MSG_REQUEST_NOT_FOUND)
    if request.status != RequestStatus.PENDING:
        raise RequestAlreadyDecided()
    return request


def _choice(name: str, choices: Mapping[str, str], label: str) -> Choice | None:
    """The registrar's choice for a field in conflict; an address part takes the address's
    (`choices["address"]`, or the same choice given for its parts)."""
    keys = (ADDRESS_CHOICE, *ADDRESS_FIELDS) if name in ADDRESS_FIELDS else (name,)
    given = {choices[key] for key in keys if key in choices}
    if not given:
        return None
    if len(given) > 1 or not given <= {c.value for c in Choice}:
        raise InvalidInput(MSG_BAD_CHOICE, field=name, label=label)
    return Choice(given.pop())


def _plan(
    uow: UnitOfWork, request: ChangeRequest, choices: Mapping[str, str], *, lock: bool
) -> _Plan:
    """What approving would write; raises what approving would refuse (writes nothing).

    A field sent unchanged is neither written nor kept (it is no change); the address is
    written or kept whole, on one choice when any of its parts is in conflict.
    """
    record = target_record(uow, request, lock=lock)
    if record is None:
        raise NotFound(MSG_RECORD_GONE)
    plan = _Plan(request, record, request_fields(uow, require_id(request)))
    target = ChangeTarget(request.target_kind)
    assessed = assess(record, plan.fields)
    for item in plan.fields:
        name = item.field_name
        if not assessed[name].relevant:
            continue
        if assessed[name].conflict:
            label = _(ADDRESS_LABEL) if name in ADDRESS_FIELDS else field_label(name)
            choice = _choice(name, choices, label)
            if choice is None:
                raise ConflictChoiceRequired(field=name, label=label)
            if choice is Choice.CURRENT:
                plan.kept.append(name)
                continue
        plan.writes[name] = stored_value(uow, target, record, name, item.requested_value)
    plan.warnings = identity_warnings(record, plan.writes)
    return plan


def _apply(uow: UnitOfWork, plan: _Plan, actor_id: int) -> ChangeDecision:
    request, record = plan.request, plan.record
    target = ChangeTarget(request.target_kind)
    old_address = address_of(record)
    changed = [n for n, v in plan.writes.items() if getattr(record, n) != v]
    before = {n: as_text(getattr(record, n)) for n in changed}
    for name in changed:
        setattr(record, name, plan.writes[name])
        uow.session.add(
            ChangeDecisionEffect(
                request_id=require_id(request),
                target_kind=target,
                target_id=require_id(record),
                field_name=name,
                before_value=before[name],
                after_value=as_text(plan.writes[name]),
            )
        )
    uow.session.add(record)
    for item in plan.fields:
        item.applied = item.field_name in plan.writes
        uow.session.add(item)
    request.status = RequestStatus.APPROVED
    request.decided_at = utc_now(uow)
    request.decided_by_id = actor_id
    uow.session.add(request)
    uow.session.flush()
    if changed:
        record_event(
            uow,
            actor_id,
            f"{target.value}.portal_change",
            target.value,
            record.id,
            before,
            {n: as_text(getattr(record, n)) for n in changed} | {"change_request": request.id},
        )
    if SEARCHABLE_FIELDS & set(changed):
        reindex_family(uow, request.family_id)
    message = queue_decision_message(
        uow,
        request,
        subject_name(record),
        [
            (f.field_name, f.requested_value)
            for f in plan.fields
            if f.field_name in plan.writes
            and is_change(f.field_name, f.value_at_submission, f.requested_value)
        ],
        plan.kept,
    )
    request.message_id = message.id if message is not None else None
    uow.session.add(request)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "change_request.approve",
        "change_request",
        request.id,
        {"status": RequestStatus.PENDING.value},
        {
            "status": RequestStatus.APPROVED.value,
            "applied": sorted(plan.writes),
            "kept": sorted(plan.kept),
            "message": request.message_id,
        },
    )
    moved = set(ADDRESS_FIELDS) & set(changed)
    household = (
        household_at(uow, request.family_id, (target, require_id(record)), old_address)
        if moved
        else ()
    )
    return ChangeDecision(
        request_id=require_id(request),
        status=RequestStatus.APPROVED,
        subject=subject_name(record),
        applied_fields=tuple(n for n in (f.field_name for f in plan.fields) if n in plan.writes),
        kept_fields=tuple(plan.kept),
        recipient=message.recipient if message is not None else None,
        household=household,
    )


def approve_change(
    uow: UnitOfWork,
    request_id: int,
    actor_id: int,
    choices: Mapping[str, str] | None = None,
    *,
    accept_warnings: bool = False,
) -> ChangeDecision:
    """Apply a pending change request to its record and close it.

    `choices` maps each field in conflict to "requested" or "current" (other fields take
    the requested value; a choice for them is ignored). Refuses, writing nothing:
    PermissionDenied (not an active registrar or admin), NotFound (unknown request, or
    its record is gone), RequestAlreadyDecided (not pending any more: a second approval),
    ConflictChoiceRequired (a field in conflict without a choice; `.field` names it),
    InvalidInput (a bad choice, or a requested value the counter would refuse: phone,
    e-mail, postal code, province, birth date, code permanent…; `.field` names it),
    IdentityDisagrees (a corrected name or birth date the student's code permanent would
    no longer agree with, unless `accept_warnings`: the registrar was warned and agreed).
    The address is one choice: `choices["address"]` covers all its parts.
    Writes the record (audited with before and after, each value kept for an undo), the
    request (approved, audited), the family's search entries when a searchable field
    changed, and a message to the family's payer in the outbox (when the payer has an
    e-mail). An approved move lists the household still at the old address.
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    request = _lock_pending(uow, request_id)
    plan = _plan(uow, request, choices or {}, lock=True)
    if plan.warnings and not accept_warnings:
        raise IdentityDisagrees(field="code_permanent", warnings=" ".join(plan.warnings))
    return _apply(uow, plan, actor_id)


def reject_change(uow: UnitOfWork, request_id: int, actor_id: int, reason: str) -> ChangeDecision:
    """Close a pending change request without touching the record, with a reason.

    Refuses, writing nothing: PermissionDenied, NotFound, RequestAlreadyDecided,
    ReasonRequired (blank reason), CardNumberRefused (a card number in the reason).
    Writes the request (rejected, audited with the reason) and a message to the family's
    payer in the outbox, reason included.
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    clean_reason = required_reason(reason)
    request = _lock_pending(uow, request_id)
    record = target_record(uow, request, lock=False)
    fields = request_fields(uow, request_id)
    for item in fields:
        item.applied = False
        uow.session.add(item)
    request.status = RequestStatus.REJECTED
    request.decided_at = utc_now(uow)
    request.decided_by_id = actor_id
    request.decision_reason = clean_reason
    uow.session.add(request)
    uow.session.flush()
    message = queue_decision_message(uow, request, subject_name(record), None, [])
    request.message_id = message.id if message is not None else None
    uow.session.add(request)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "change_request.reject",
        "change_request",
        request.id,
        {"status": RequestStatus.PENDING.value},
        {
            "status": RequestStatus.REJECTED.value,
            "reason": clean_reason,
            "message": request.message_id,
        },
    )
    return ChangeDecision(
        request_id=request_id,
        status=RequestStatus.REJECTED,
        subject=subject_name(record),
        applied_fields=(),
        kept_fields=tuple(f.field_name for f in fields),
        recipient=message.recipient if message is not None else None,
    )


def approvable_count(uow: UnitOfWork, actor_id: int, queue_filter: QueueFilter) -> int:
    """How many pending change requests of the filter `approve_all_without_conflict`
    would approve now (no conflict, every requested value valid). Re-enrolments are not
    counted: they are validated one by one. Refuses PermissionDenied."""
    active_staff(uow, actor_id, roles=SUPERVISORS)
    count = 0
    for _at, _kind, request_id in pending_change_keys(uow, queue_filter):
        request = uow.session.get(ChangeRequest, request_id)
        assert request is not None
        try:
            plan = _plan(uow, request, {}, lock=False)
        except DomainError:
            continue
        count += not plan.warnings
    return count


def approve_all_without_conflict(
    uow: UnitOfWork, actor_id: int, queue_filter: QueueFilter
) -> BulkApproval:
    """Approve every pending change request of the filter that has no conflict.

    Each approval is what `approve_change` does (record, audit, outbox); a request with a
    conflict, a requested value the counter would refuse, or a record gone is skipped and
    stays pending, and so does a correction the code permanent would no longer agree
    with. Re-enrolment requests are never approved here. Refuses PermissionDenied.
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    approved, skipped = [], []
    for _at, _kind, request_id in pending_change_keys(uow, queue_filter):
        try:
            request = _lock_pending(uow, request_id)
            plan = _plan(uow, request, {}, lock=True)
        except RequestAlreadyDecided:
            continue  # decided at another desk since the list was read
        except DomainError:
            skipped.append(request_id)
            continue
        if plan.warnings:  # the registrar must see the code permanent's disagreement
            skipped.append(request_id)
            continue
        _apply(uow, plan, actor_id)
        approved.append(request_id)
    return BulkApproval(tuple(approved), tuple(skipped))


def next_pending_change(
    uow: UnitOfWork, actor_id: int, after_request_id: int, queue_filter: QueueFilter
) -> int | None:
    """The pending change request following `after_request_id` in queue order (oldest
    first, wrapping around), or None when no other is pending. Refuses PermissionDenied."""
    active_staff(uow, actor_id, roles=SUPERVISORS)
    current = uow.session.get(ChangeRequest, after_request_id)
    others = [k for k in pending_change_keys(uow, queue_filter) if k[2] != after_request_id]
    if not others:
        return None
    if current is not None:
        mark = (as_utc(current.submitted_at), str(current.target_kind), after_request_id)
        later = [key for key in others if key > mark]
        if later:
            return later[0][2]
    return others[0][2]

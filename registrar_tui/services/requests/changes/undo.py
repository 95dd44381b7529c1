"""Undoing a change decision while the family has not been told (its message unsent).

The registrar's last decision can be taken back: the values the approval wrote (the
record's, and a household's move applied with it) are put back, the family's message
is withdrawn from the outbox, and the request is pending again, all in one transaction
and audited. Once the message is sent (or a sender has tried it), the decision stands:
the record is corrected at the counter, and the family is told by a new decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    ChangeDecisionEffect,
    ChangeRequest,
    ChangeRequestField,
    Guardian,
    OutboxMessage,
    ReenrolmentRequest,
    Student,
)
from registrar_tui.models.base import ChangeTarget, RequestStatus, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.outbox.withdraw import check_withdrawable, withdraw_message
from registrar_tui.services.requests.changes.detail import MSG_REQUEST_NOT_FOUND
from registrar_tui.services.requests.changes.fields import (
    SEARCHABLE_FIELDS,
    Record,
    as_text,
    field_label,
    restored_value,
    subject_name,
)
from registrar_tui.services.requests.queue_rows import QueueKind, describe
from registrar_tui.services.search.index import reindex_family


class NothingToUndo(DomainError):
    message = N_("Aucune décision de votre part à annuler.")


class ReenrolmentNotUndone(DomainError):
    message = N_(
        "Votre dernière décision est une réinscription : elle ne s'annule pas "
        "(inscriptions et facture émises). Corrigez-la depuis le dossier de l'élève."
    )


class NotYourDecision(DomainError):
    message = N_("Seule la personne qui a pris cette décision peut l'annuler.")


class ChangedSinceDecision(DomainError):
    message = N_(
        "« {label} » de {name} a changé depuis la décision : "
        "elle ne peut plus être annulée (corrigez le dossier au comptoir)."
    )


@dataclass(frozen=True)
class DecisionToUndo:
    """The decision `u` would undo, as the registrar confirms it."""

    request_id: int
    status: RequestStatus
    kind: QueueKind
    family_name: str
    family_number: str
    subject: str
    summary: str
    decided_at: datetime
    recipient: str | None
    """Whom the message to withdraw was addressed to (None: no message)."""
    household: int
    """How many other people were moved with this decision."""


@dataclass(frozen=True)
class UndoneDecision:
    request_id: int
    subject: str
    restored: int
    """How many values were put back."""
    withdrawn_to: str | None
    """The recipient of the message withdrawn (None: there was none)."""


def _last(uow: UnitOfWork, actor_id: int) -> ChangeRequest:
    request = uow.session.exec(
        select(ChangeRequest)
        .where(
            col(ChangeRequest.decided_by_id) == actor_id,
            col(ChangeRequest.status).in_((RequestStatus.APPROVED, RequestStatus.REJECTED)),
        )
        .order_by(col(ChangeRequest.decided_at).desc(), col(ChangeRequest.id).desc())
        .limit(1)
    ).first()
    if request is None:
        raise NothingToUndo()
    return request


def _effects(uow: UnitOfWork, request_id: int) -> list[ChangeDecisionEffect]:
    return list(
        uow.session.exec(
            select(ChangeDecisionEffect)
            .where(col(ChangeDecisionEffect.request_id) == request_id)
            .order_by(col(ChangeDecisionEffect.id))
        )
    )


def last_decision(uow: UnitOfWork, actor_id: int) -> DecisionToUndo:
    """The acting registrar's most recent change decision, if it can still be undone.

    Refuses: PermissionDenied (not an active registrar or admin), NothingToUndo (no
    decision of theirs), ReenrolmentNotUndone (their last decision is a re-enrolment's),
    MessageAlreadySent / MessageSending (the family was told).
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    reenrolment = uow.session.exec(
        select(ReenrolmentRequest.decided_at)
        .where(
            col(ReenrolmentRequest.decided_by_id) == actor_id,
            col(ReenrolmentRequest.decided_at).is_not(None),
        )
        .order_by(col(ReenrolmentRequest.decided_at).desc())
        .limit(1)
    ).first()
    try:
        request = _last(uow, actor_id)
    except NothingToUndo:
        if reenrolment is not None:
            raise ReenrolmentNotUndone() from None
        raise
    if reenrolment is not None and as_utc(reenrolment) > as_utc(
        request.decided_at or request.submitted_at
    ):
        raise ReenrolmentNotUndone()
    check_withdrawable(uow, request.message_id)
    key = (QueueKind(str(request.target_kind)), require_id(request))
    described = describe(uow, [key])[key]
    message = uow.session.get(OutboxMessage, request.message_id) if request.message_id else None
    others = {
        (e.target_kind, e.target_id)
        for e in _effects(uow, require_id(request))
        if (e.target_kind, e.target_id) != (request.target_kind, request.target_id)
    }
    return DecisionToUndo(
        request_id=require_id(request),
        status=RequestStatus(request.status),
        kind=key[0],
        family_name=described.family.name,
        family_number=described.family.family_number,
        subject=described.subject,
        summary=described.summary,
        decided_at=as_utc(request.decided_at or request.submitted_at),
        recipient=message.recipient if message is not None else None,
        household=len(others),
    )


def _record(uow: UnitOfWork, kind: ChangeTarget, record_id: int) -> Record | None:
    model: type[Guardian] | type[Student] = Guardian if kind == ChangeTarget.GUARDIAN else Student
    query = select(model).where(col(model.id) == record_id)
    if model is Guardian:  # a guardian removed since: gone, like a deleted record
        query = query.where(col(Guardian.removed_at).is_(None))
    found = uow.session.exec(query.with_for_update()).first()
    return found if isinstance(found, Guardian | Student) else None


def undo_change_decision(uow: UnitOfWork, request_id: int, actor_id: int) -> UndoneDecision:
    """Take back a change decision: values put back, message withdrawn, request pending.

    Refuses, writing nothing: PermissionDenied, NotFound (unknown request), NothingToUndo
    (not approved nor rejected), NotYourDecision (decided by someone else),
    MessageAlreadySent / MessageSending (the family was told, or is being told),
    ChangedSinceDecision (a value written by the decision was changed since: `.field`).
    Writes each record put back (audited `guardian.portal_change_undone` /
    `student.portal_change_undone`), the message withdrawn (`outbox.withdraw`), the request
    pending again (`change_request.undo`), the family's search entries when needed.
    """
    active_staff(uow, actor_id, roles=SUPERVISORS)
    request = uow.session.exec(
        select(ChangeRequest)
        .where(col(ChangeRequest.id) == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if request is None:
        raise NotFound(MSG_REQUEST_NOT_FOUND)
    if request.status not in (RequestStatus.APPROVED, RequestStatus.REJECTED):
        raise NothingToUndo()
    if request.decided_by_id != actor_id:
        raise NotYourDecision()
    withdrawn_to = None
    if request.message_id is not None:
        message = uow.session.get(OutboxMessage, request.message_id)
        recipient = message.recipient if message is not None else None
        if withdraw_message(uow, actor_id, request.message_id, why={"change_request": request_id}):
            withdrawn_to = recipient
    effects = _effects(uow, request_id)
    records: dict[tuple[ChangeTarget, int], tuple[Record, list[ChangeDecisionEffect]]] = {}
    for effect in effects:
        key = (ChangeTarget(effect.target_kind), effect.target_id)
        if key not in records:
            record = _record(uow, *key)
            if record is None:
                continue  # gone since: nothing to put back
            records[key] = (record, [])
        record, own = records[key]
        if as_text(getattr(record, effect.field_name)) != effect.after_value:
            raise ChangedSinceDecision(
                field=effect.field_name,
                label=field_label(effect.field_name),
                name=subject_name(record),
            )
        own.append(effect)
    restored = set()
    for (kind, record_id), (record, own) in records.items():
        before = {e.field_name: e.after_value for e in own}
        for effect in own:
            setattr(
                record, effect.field_name, restored_value(effect.field_name, effect.before_value)
            )
            restored.add(effect.field_name)
        uow.session.add(record)
        uow.session.flush()
        record_event(
            uow,
            actor_id,
            f"{kind.value}.portal_change_undone",
            kind.value,
            record_id,
            before,
            {e.field_name: e.before_value for e in own} | {"change_request": request_id},
        )
    for effect in effects:
        uow.session.delete(effect)
    for item in uow.session.exec(
        select(ChangeRequestField).where(col(ChangeRequestField.request_id) == request_id)
    ):
        item.applied = None
        uow.session.add(item)
    before_request = {
        "status": str(request.status),
        "decided_by": request.decided_by_id,
        "reason": request.decision_reason,
        "message": request.message_id,
    }
    request.status = RequestStatus.PENDING
    request.decided_at = None
    request.decided_by_id = None
    request.decision_reason = ""
    request.message_id = None
    uow.session.add(request)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "change_request.undo",
        "change_request",
        request_id,
        before_request,
        {"status": RequestStatus.PENDING.value, "restored": len(effects)},
    )
    if SEARCHABLE_FIELDS & restored:
        reindex_family(uow, request.family_id)
    target = records.get((ChangeTarget(request.target_kind), request.target_id))
    if target is not None:
        subject = subject_name(target[0])
    else:
        queue_key = (QueueKind(str(request.target_kind)), request_id)
        subject = describe(uow, [queue_key])[queue_key].subject
    return UndoneDecision(request_id, subject, len(effects), withdrawn_to)

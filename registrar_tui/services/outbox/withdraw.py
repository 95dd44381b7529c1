"""Withdrawing a message the family has not been sent yet (a decision undone).

A message leaves the outbox only while no sender has touched it: pending, never tried.
Once `outbox send` has claimed it (its attempt counted) it may be on its way, and once
sent it has been read: the decision it announced stands.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import OutboxMessage
from registrar_tui.models.base import OutboxStatus
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.clock import as_utc, local_date
from registrar_tui.services.core.errors import DayParam, DomainError


class MessageAlreadySent(DomainError):
    message = N_(
        "Le message à la famille est parti le {day} : la décision ne peut plus être annulée."
    )


class MessageSending(DomainError):
    message = N_(
        "L'envoi du message à la famille a déjà été tenté : la décision ne peut plus être annulée."
    )


def check_withdrawable(uow: UnitOfWork, message_id: int | None, *, lock: bool = False) -> None:
    """Refuses a message that was sent (MessageAlreadySent) or that a sender has tried or
    holds (MessageSending); a missing message (None, or gone) is fine."""
    if message_id is None:
        return
    query = select(OutboxMessage).where(col(OutboxMessage.id) == message_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    message = uow.session.exec(query).first()
    if message is None:
        return
    if message.status == OutboxStatus.SENT:
        sent_at = as_utc(message.sent_at or message.created_at)
        raise MessageAlreadySent(day=DayParam(local_date(sent_at)))
    if message.attempts > 0 or message.status != OutboxStatus.PENDING:
        raise MessageSending()


def withdraw_message(
    uow: UnitOfWork, actor_id: int, message_id: int | None, *, why: dict[str, object]
) -> bool:
    """Take an unsent message out of the outbox (deleted), audited `outbox.withdraw` with
    its recipient, subject and `why`. False when there was none to withdraw.

    Refuses, writing nothing: MessageAlreadySent, MessageSending (see check_withdrawable).
    """
    check_withdrawable(uow, message_id, lock=True)
    message = uow.session.get(OutboxMessage, message_id) if message_id is not None else None
    if message is None:
        return False
    before = {
        "kind": message.kind,
        "recipient": message.recipient,
        "subject": message.subject,
        "status": str(message.status),
    }
    # Only while untouched: a sender's claim in between counts an attempt and wins.
    gone = uow.session.execute(
        delete(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.attempts) == 0,
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(gone, "rowcount", 0):
        raise MessageSending()
    uow.session.expunge(message)
    record_event(
        uow,
        actor_id,
        "outbox.withdraw",
        "outbox_message",
        message_id,
        before,
        {"status": "withdrawn", **why},
    )
    return True

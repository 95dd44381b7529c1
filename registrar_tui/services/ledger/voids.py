"""Voiding a wrong payment: a registrar's reversal, never an edit or a delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Allocation, DayClose, Payment, PaymentVoid, Receipt
from registrar_tui.services.audit.ledger_chain import link_records
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import NotFound, PermissionDenied
from registrar_tui.services.core.money import ZERO, to_cents
from registrar_tui.services.core.text import required_reason, safe_text
from registrar_tui.services.ledger.errors import (
    CreditAlreadyRefunded,
    DayClosedOverrideRequired,
    PaymentAlreadyVoided,
)
from registrar_tui.services.ledger.locks import lock_family, lock_invoices
from registrar_tui.services.ledger.statement import family_credit


@dataclass(frozen=True)
class VoidedPayment:
    """The outcome of a void: what was reversed and what the family's credit became."""

    payment_id: int
    receipt_number: str
    voided_at: datetime
    reason: str
    override_reason: str
    reversed_amount: Decimal
    """Total taken back from the invoices (their balances are restored by this much)."""
    invoice_ids: tuple[int, ...]
    family_credit_after: Decimal


def is_covered_by_day_close(uow: UnitOfWork, payment: Payment) -> bool:
    """True when the clerk's drawer holding this payment has been closed since."""
    return bool(
        uow.session.exec(
            select(
                exists().where(
                    col(DayClose.clerk_id) == payment.clerk_id,
                    col(DayClose.establishment_id) == payment.establishment_id,
                    col(DayClose.closed_at) >= payment.received_at,
                )
            )
        ).one()
    )


def void_payment(
    uow: UnitOfWork,
    payment_id: int,
    reason: str,
    actor_id: int,
    override_reason: str = "",
) -> VoidedPayment:
    """Void a payment: reverse each of its live allocations; the payment row is untouched.

    The receipt number stays used (the receipt reprints marked ANNULÉ) and the invoices'
    balances come back. A payment already counted in a day close needs `override_reason`.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin, or voiding a
    payment one took oneself), NotFound, ReasonRequired, CardNumberRefused (in a reason),
    PaymentAlreadyVoided, DayClosedOverrideRequired, CreditAlreadyRefunded (the credit the
    payment left was refunded: voiding would make the family's credit negative).
    """
    user = active_staff(uow, actor_id, SUPERVISORS)
    clean_reason = required_reason(reason)
    clean_override = safe_text(override_reason, field="override_reason", max_length=500)
    payment = uow.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(N_("Paiement introuvable."))
    if payment.clerk_id == user.id:
        raise PermissionDenied(
            N_("Vous ne pouvez pas annuler un paiement que vous avez reçu vous-même.")
        )
    lock_family(uow, payment.family_id)
    already = uow.session.exec(
        select(PaymentVoid.id).where(col(PaymentVoid.payment_id) == payment_id)
    ).first()
    if already is not None:
        raise PaymentAlreadyVoided()
    if not clean_override and is_covered_by_day_close(uow, payment):
        raise DayClosedOverrideRequired(field="override_reason")

    live = live_allocations(uow, payment_id=payment_id)
    lock_invoices(uow, (allocation.invoice_id for allocation in live))
    live_total = sum((allocation.amount for allocation in live), ZERO)
    unallocated = payment.amount - live_total
    credit_before = family_credit(uow, payment.family_id)
    if credit_before - unallocated < 0:
        raise CreditAlreadyRefunded()

    now = utc_now(uow)
    void = PaymentVoid(
        payment_id=payment_id,
        voided_at=now,
        voided_by_id=actor_id,
        reason=clean_reason,
        override_reason=clean_override,
    )
    reversals = [
        Allocation(
            payment_id=payment_id,
            invoice_id=allocation.invoice_id,
            amount=-allocation.amount,
            created_at=now,
            reverses_id=allocation.id,
        )
        for allocation in live
    ]
    uow.session.add_all([void, *reversals])
    uow.session.flush()
    link_records(uow, [void, *reversals])
    receipt_number = uow.session.exec(
        select(Receipt.number).where(col(Receipt.payment_id) == payment_id)
    ).one()
    record_event(
        uow,
        actor_id,
        "payment.void",
        "payment",
        payment_id,
        {"voided": False},
        {
            "voided": True,
            "receipt_number": receipt_number,
            "reason": clean_reason,
            "override_reason": clean_override,
            "reversed_cents": to_cents(live_total),  # the audit trail keeps cents
        },
    )
    return VoidedPayment(
        payment_id=payment_id,
        receipt_number=receipt_number,
        voided_at=now,
        reason=clean_reason,
        override_reason=clean_override,
        reversed_amount=live_total,
        invoice_ids=tuple(sorted({allocation.invoice_id for allocation in live})),
        family_credit_after=family_credit(uow, payment.family_id),
    )


def _live_query() -> Any:
    reversal = aliased(Allocation)
    return select(Allocation).where(
        col(Allocation.reverses_id).is_(None),
        ~exists().where(col(reversal.reverses_id) == col(Allocation.id)),
    )


# Built once: an aliased query built per call is recompiled per call.
_LIVE = _live_query()
_LIVE_OF_PAYMENT = _LIVE.where(col(Allocation.payment_id) == bindparam("payment_id")).order_by(
    col(Allocation.id)
)
_LIVE_ON_INVOICE = _LIVE.where(col(Allocation.invoice_id) == bindparam("invoice_id")).order_by(
    col(Allocation.id)
)


def live_allocations(
    uow: UnitOfWork, *, payment_id: int | None = None, invoice_id: int | None = None
) -> list[Allocation]:
    """The allocations of a payment (or on an invoice) that no reversal cancels yet."""
    if payment_id is not None:
        found = uow.session.exec(_LIVE_OF_PAYMENT, params={"payment_id": payment_id})
    else:
        found = uow.session.exec(_LIVE_ON_INVOICE, params={"invoice_id": invoice_id})
    return list(found.all())

"""Family credit (apply it, refund it) and cancelling an invoice by a credit note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Allocation, CreditNote, Establishment, Payment, PaymentVoid, Refund
from registrar_tui.models.base import RefundMethod, require_id
from registrar_tui.services.audit.ledger_chain import link_records
from registrar_tui.services.audit.record import next_number, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import MoneyParam, NotFound
from registrar_tui.services.core.money import ZERO, to_cents, valid_amount
from registrar_tui.services.core.text import required_reason, safe_text
from registrar_tui.services.ledger.errors import (
    AmountExceedsBalance,
    InsufficientCredit,
    InvoiceAlreadyPaid,
    InvoiceCancelled,
    MissingPaymentDetail,
)
from registrar_tui.services.ledger.locks import lock_family, lock_invoices
from registrar_tui.services.ledger.receipts import issue_receipt
from registrar_tui.services.ledger.statement import (
    InvoiceFigures,
    family_credit,
    invoice_figures,
)
from registrar_tui.services.ledger.voids import live_allocations

CREDIT_NOTE_SEQUENCE = "credit_note"


@dataclass(frozen=True)
class AppliedCredit:
    invoice_id: int
    amount: Decimal
    invoice_balance_after: Decimal
    family_credit_after: Decimal


@dataclass(frozen=True)
class RefundedCredit:
    refund_id: int
    receipt_number: str
    refunded_at: datetime
    amount: Decimal
    method: RefundMethod
    cheque_number: str | None
    reason: str
    family_credit_after: Decimal


@dataclass(frozen=True)
class CancelledInvoice:
    invoice_id: int
    credit_note_number: str
    amount: Decimal
    """What the credit note cancels: the invoice's kept lines, less the fees waived."""
    returned_to_credit: Decimal
    """What had been paid on the invoice, now family credit."""
    family_credit_after: Decimal


def next_credit_note_number(uow: UnitOfWork) -> str:
    """The next credit note number (`NC00000001`), gapless, taken in the caller's write."""
    return f"NC{next_number(uow, CREDIT_NOTE_SEQUENCE):08d}"


def _invoice(uow: UnitOfWork, invoice_id: int) -> InvoiceFigures:
    lock_invoices(uow, (invoice_id,))
    found = invoice_figures(uow, invoice_ids=(invoice_id,))
    if not found:
        raise NotFound(N_("Facture introuvable."))
    return found[0]


def apply_credit(
    uow: UnitOfWork,
    invoice_id: int,
    actor_id: int,
    amount: Decimal | None = None,
) -> AppliedCredit:
    """Pay (part of) an invoice from the family's credit; None applies as much as possible.

    The credit is drawn from the family's payments that still hold unallocated money,
    oldest first, as ordinary allocations (so a later void reverses them too).

    Refuses, writing nothing: PermissionDenied, NotFound, InvalidAmount, InvoiceCancelled,
    InvoiceAlreadyPaid, AmountExceedsBalance (more than the invoice owes),
    InsufficientCredit (more than the family's credit, or no credit at all).
    """
    active_staff(uow, actor_id)
    wanted = None if amount is None else valid_amount(amount)
    figures = locked_invoice_figures(uow, invoice_id)
    if figures.is_cancelled:
        raise InvoiceCancelled()
    if figures.balance <= 0:
        raise InvoiceAlreadyPaid()
    credit = family_credit(uow, figures.family_id)
    if wanted is None:
        wanted = min(credit, figures.balance)
    if wanted > figures.balance:
        raise AmountExceedsBalance(field="amount", balance=MoneyParam(figures.balance))
    if wanted <= 0 or wanted > credit:
        raise InsufficientCredit(field="amount", credit=MoneyParam(credit))

    allocated = (
        select(func.coalesce(func.sum(Allocation.amount), ZERO))
        .where(col(Allocation.payment_id) == col(Payment.id))
        .correlate(Payment)
        .scalar_subquery()
    )
    sources = uow.session.exec(
        select(Payment.id, Payment.amount - allocated)
        .where(
            col(Payment.family_id) == figures.family_id,
            ~exists().where(col(PaymentVoid.payment_id) == col(Payment.id)),
            Payment.amount - allocated > ZERO,
        )
        .order_by(col(Payment.id))
    ).all()
    now = utc_now(uow)
    remaining = wanted
    drawn: dict[str, int] = {}  # cents, for the audit trail
    allocations: list[Allocation] = []
    for payment_id, available in sources:
        assert payment_id is not None
        share = min(remaining, available)
        allocations.append(
            Allocation(
                payment_id=payment_id,
                invoice_id=invoice_id,
                amount=share,
                created_at=now,
            )
        )
        drawn[str(payment_id)] = to_cents(share)
        remaining -= share
        if remaining == 0:
            break
    assert remaining == 0, "family credit larger than the payments' unallocated money"
    uow.session.add_all(allocations)
    uow.session.flush()
    link_records(uow, allocations)
    record_event(
        uow,
        actor_id,
        "credit.apply",
        "invoice",
        invoice_id,
        {"balance_cents": to_cents(figures.balance)},
        {"balance_cents": to_cents(figures.balance - wanted), "from_payments": drawn},
    )
    return AppliedCredit(
        invoice_id=invoice_id,
        amount=wanted,
        invoice_balance_after=figures.balance - wanted,
        family_credit_after=credit - wanted,
    )


@dataclass(frozen=True)
class CreditApplied:
    """Family credit applied to several invoices, oldest due first."""

    family_id: int
    applied: tuple[AppliedCredit, ...]
    """One per invoice that received credit (those left unpaid received none)."""
    total: Decimal
    family_credit_after: Decimal


def apply_credit_to_invoices(
    uow: UnitOfWork, family_id: int, invoice_ids: Sequence[int], actor_id: int
) -> CreditApplied:
    """Pay the family's invoices from its credit, oldest due first, as far as it goes
    (each through `apply_credit`, so each is audited and reversible like it).

    Refuses, writing nothing: PermissionDenied, NotFound (an invoice of another family),
    InsufficientCredit (the family has no credit), InvoiceAlreadyPaid (none of them owes
    anything).
    """
    active_staff(uow, actor_id)
    lock_family(uow, family_id)
    figures = invoice_figures(uow, family_id=family_id)
    known = {f.invoice_id for f in figures}
    if any(invoice_id not in known for invoice_id in invoice_ids):
        raise NotFound(N_("Facture introuvable."))
    credit = family_credit(uow, family_id)
    if credit <= 0:
        raise InsufficientCredit(field="amount", credit=MoneyParam(credit))
    owing = [
        f for f in figures if f.invoice_id in invoice_ids and not f.is_cancelled and f.balance > 0
    ]
    if not owing:
        raise InvoiceAlreadyPaid()
    applied: list[AppliedCredit] = []
    for invoice in owing:  # invoice_figures: oldest due first
        if credit <= 0:
            break
        done = apply_credit(uow, invoice.invoice_id, actor_id, min(credit, invoice.balance))
        applied.append(done)
        credit = done.family_credit_after
    return CreditApplied(
        family_id=family_id,
        applied=tuple(applied),
        total=sum((done.amount for done in applied), ZERO),
        family_credit_after=credit,
    )


def locked_invoice_figures(uow: UnitOfWork, invoice_id: int) -> InvoiceFigures:
    """The invoice's figures, read after locking its family then itself (lock order).

    Refuses an unknown invoice with NotFound.
    """
    found = invoice_figures(uow, invoice_ids=(invoice_id,))
    if not found:
        raise NotFound(N_("Facture introuvable."))
    lock_family(uow, found[0].family_id)
    return _invoice(uow, invoice_id)


def refund_credit(
    uow: UnitOfWork,
    family_id: int,
    establishment_id: int,
    amount: Decimal,
    method: RefundMethod | str,
    reason: str,
    actor_id: int,
    cheque_number: str | None = None,
) -> RefundedCredit:
    """Give family credit back in cash or by cheque, with a reason and a receipt.

    Refuses, writing nothing: PermissionDenied (registrar or admin only), NotFound,
    InvalidAmount, ReasonRequired, CardNumberRefused (in a text field),
    MissingPaymentDetail (cheque number), InsufficientCredit.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    method = RefundMethod(method)  # the screens pass the value ("cash", "cheque")
    amount = valid_amount(amount)
    clean_reason = required_reason(reason)
    cheque = safe_text(cheque_number, field="cheque_number", max_length=20) or None
    if method is RefundMethod.CHEQUE and cheque is None:
        raise MissingPaymentDetail(N_("Indiquez le numéro du chèque."), field="cheque_number")
    if uow.session.get(Establishment, establishment_id) is None:
        raise NotFound(N_("Établissement introuvable."))
    lock_family(uow, family_id)
    credit = family_credit(uow, family_id)
    if amount > credit:
        raise InsufficientCredit(field="amount", credit=MoneyParam(credit))
    now = utc_now(uow)
    refund = Refund(
        family_id=family_id,
        establishment_id=establishment_id,
        amount=amount,
        method=method,
        cheque_number=cheque if method is RefundMethod.CHEQUE else None,
        reason=clean_reason,
        refunded_at=now,
        refunded_by_id=actor_id,
    )
    uow.session.add(refund)
    uow.session.flush()
    receipt = issue_receipt(
        uow,
        establishment_id=establishment_id,
        amount=-amount,
        issued_at=now,
        refund_id=refund.id,
    )
    link_records(uow, [refund])
    record_event(
        uow,
        actor_id,
        "credit.refund",
        "family",
        family_id,
        {"credit_cents": to_cents(credit)},
        {
            "credit_cents": to_cents(credit - amount),
            "refund_id": refund.id,
            "receipt_number": receipt.number,
            "method": str(method),
            "reason": clean_reason,
        },
    )
    return RefundedCredit(
        refund_id=require_id(refund),
        receipt_number=receipt.number,
        refunded_at=now,
        amount=amount,
        method=method,
        cheque_number=refund.cheque_number,
        reason=clean_reason,
        family_credit_after=credit - amount,
    )


def cancel_invoice(
    uow: UnitOfWork, invoice_id: int, reason: str, actor_id: int
) -> CancelledInvoice:
    """Cancel an issued invoice by a credit note; what was paid on it becomes family credit.

    The invoice itself is never edited: its allocations are reversed (negative rows) and a
    credit note for its kept lines is issued (`NC00000001`, gapless).

    Refuses, writing nothing: PermissionDenied (registrar or admin only), NotFound,
    ReasonRequired, CardNumberRefused (in the reason), InvoiceCancelled (already).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    clean_reason = required_reason(reason)
    figures = locked_invoice_figures(uow, invoice_id)
    if figures.is_cancelled:
        raise InvoiceCancelled()
    now = utc_now(uow)
    live = live_allocations(uow, invoice_id=invoice_id)
    reversals = [
        Allocation(
            payment_id=allocation.payment_id,
            invoice_id=invoice_id,
            amount=-allocation.amount,
            created_at=now,
            reverses_id=allocation.id,
        )
        for allocation in live
    ]
    number = next_credit_note_number(uow)
    # What the credit notes of waived lines already credit is not cancelled twice.
    cancelled_amount = figures.kept - figures.credited
    credit_note = CreditNote(
        number=number,
        invoice_id=invoice_id,
        amount=cancelled_amount,
        reason=clean_reason,
        created_at=now,
        created_by_id=actor_id,
    )
    uow.session.add_all([*reversals, credit_note])
    uow.session.flush()
    link_records(uow, [*reversals, credit_note])
    returned = sum((allocation.amount for allocation in live), ZERO)
    record_event(
        uow,
        actor_id,
        "invoice.cancel",
        "invoice",
        invoice_id,
        {"balance_cents": to_cents(figures.balance), "paid_cents": to_cents(figures.paid)},
        {
            "credit_note": number,
            "reason": clean_reason,
            "returned_to_credit_cents": to_cents(returned),
        },
    )
    return CancelledInvoice(
        invoice_id=invoice_id,
        credit_note_number=number,
        amount=cancelled_amount,
        returned_to_credit=returned,
        family_credit_after=family_credit(uow, figures.family_id),
    )

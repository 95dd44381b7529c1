"""A posted payment as its receipt shows it: where, who, what it paid, read back from the ledger.

`payment_receipt` reads a payment already posted (a reprint, a resumed handover);
`posted_payment` builds the same view from what `post_payment` just wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Allocation,
    AuditEvent,
    CreditNote,
    Establishment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentVoid,
    Receipt,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.models.base import PaymentMethod, require_id
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO, from_cents
from registrar_tui.services.ledger.declines import LINE_IS_DECLINED
from registrar_tui.services.ledger.receipts import POST_ACTION, IssuedReceipt


@dataclass(frozen=True)
class EstablishmentView:
    """Where the money was received, as printed at the top of a receipt."""

    establishment_id: int
    code: str
    name: str
    address_line: str
    city: str
    province: str
    postal_code: str
    phone: str
    email: str | None


def establishment_view(uow: UnitOfWork, establishment_id: int) -> EstablishmentView:
    found = uow.session.get(Establishment, establishment_id)
    if found is None:
        raise NotFound(N_("Établissement introuvable."))
    return view_of(found)


def view_of(found: Establishment) -> EstablishmentView:
    """An establishment row as a receipt prints it."""
    return EstablishmentView(
        establishment_id=require_id(found),
        code=found.code,
        name=found.name,
        address_line=found.address_line,
        city=found.city,
        province=found.province,
        postal_code=found.postal_code,
        phone=found.phone,
        email=found.email,
    )


@dataclass(frozen=True)
class AllocationLine:
    """The part of a payment applied to one invoice, and the invoice's balance right after."""

    invoice_id: int
    invoice_number: str
    description: str
    student_name: str | None
    term_code: str | None
    amount: Decimal
    balance_after: Decimal


@dataclass(frozen=True)
class PostedPayment:
    """Everything a receipt shows about a payment (fresh, replayed or reprinted)."""

    payment_id: int
    receipt_id: int
    receipt_number: str
    receipt_hash: str
    received_at: datetime
    establishment: EstablishmentView
    family_id: int
    family_name: str
    family_number: str
    payer_name: str | None
    clerk_id: int
    clerk_name: str
    method: PaymentMethod
    amount: Decimal
    amount_tendered: Decimal | None
    change_due: Decimal | None
    card_brand: str | None
    card_last4: str | None
    authorization_number: str | None
    cheque_number: str | None
    cheque_bank: str | None
    allocations: tuple[AllocationLine, ...]
    credit_created: Decimal
    """Part of the payment left as family credit when it was posted."""
    family_credit_after: Decimal | None
    """The family's credit right after posting (None on a reprint)."""
    is_voided: bool = False
    void_reason: str | None = None
    voided_at: datetime | None = None
    voided_by: str | None = None
    replayed: bool = False
    """True when an idempotent retry returned this already-posted payment."""
    processor_transaction_id: str | None = None
    """Online payments: the processor's transaction number."""
    paid_at: datetime | None = None
    """Online payments: when the processor accepted the card (aware UTC)."""


def _allocation_lines_query() -> Any:
    earlier = aliased(Allocation)
    kept = (
        select(func.coalesce(func.sum(InvoiceLine.amount), ZERO))
        .where(col(InvoiceLine.invoice_id) == col(Invoice.id), ~LINE_IS_DECLINED)
        .correlate(Invoice)
        .scalar_subquery()
    )
    # Allocations up to and including this one: the balance right after this payment.
    applied_until = (
        select(func.coalesce(func.sum(col(earlier.amount)), ZERO))
        .where(col(earlier.invoice_id) == col(Invoice.id), col(earlier.id) <= col(Allocation.id))
        .correlate(Invoice, Allocation)
        .scalar_subquery()
    )
    credited = (
        select(func.coalesce(func.sum(CreditNote.amount), ZERO))
        .where(col(CreditNote.invoice_id) == col(Invoice.id))
        .correlate(Invoice)
        .scalar_subquery()
    )
    return (
        sa_select(
            col(Invoice.id),
            col(Invoice.number),
            col(Invoice.description),
            col(Student.first_name),
            col(Student.last_name),
            col(Term.code),
            col(Allocation.amount),
            kept,
            applied_until,
            credited,
        )
        .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
        .outerjoin(Student, col(Student.id) == col(Invoice.student_id))
        .outerjoin(Term, col(Term.id) == col(Invoice.term_id))
        .where(
            col(Allocation.payment_id) == bindparam("payment_id"),
            col(Allocation.amount) > ZERO,
            # The receipt as issued: not what a fee waiver allocated again afterwards.
            # `+ 0` keeps the column's unique index out of the plan: SQLite (no statistics)
            # would walk it for the NULLs, nearly every allocation of the database, instead
            # of the payment's own few (100 ms, not 0.1, on the 50,000-family base).
            (col(Allocation.reallocates_id) + 0).is_(None),
        )
        .order_by(col(Allocation.id))
    )


# Built once: an aliased query built per call is recompiled per call.
_ALLOCATION_LINES = _allocation_lines_query()


def allocation_lines(uow: UnitOfWork, payment_id: int) -> tuple[AllocationLine, ...]:
    """The invoices a payment paid as its receipt shows them (one query)."""
    rows = uow.execute(_ALLOCATION_LINES, {"payment_id": payment_id}).all()
    return tuple(
        AllocationLine(
            invoice_id=row[0],
            invoice_number=row[1],
            description=row[2],
            student_name=f"{row[3]} {row[4]}" if row[3] is not None else None,
            term_code=row[5],
            amount=row[6],
            balance_after=row[7] - row[8] - row[9],
        )
        for row in rows
    )


def _credit_created(uow: UnitOfWork, payment: Payment) -> Decimal:
    after_json = uow.session.exec(
        select(AuditEvent.after_json)
        .where(
            col(AuditEvent.entity_type) == "payment",
            col(AuditEvent.entity_id) == payment.id,
            col(AuditEvent.action) == POST_ACTION,
        )
        .limit(1)
    ).first()
    if after_json is not None:
        recorded = json.loads(after_json).get("credit_created_cents")
        if isinstance(recorded, int):
            return from_cents(recorded)  # the audit trail keeps cents
    at_posting = uow.session.exec(
        select(func.coalesce(func.sum(Allocation.amount), ZERO)).where(
            col(Allocation.payment_id) == payment.id,
            col(Allocation.reverses_id).is_(None),
            col(Allocation.created_at) == payment.received_at,
        )
    ).one()
    return payment.amount - at_posting


def payment_receipt(
    uow: UnitOfWork,
    payment_id: int,
    *,
    family_credit_after: Decimal | None = None,
    replayed: bool = False,
    issued: IssuedReceipt | None = None,
    credit_created: Decimal | None = None,
) -> PostedPayment:
    """The receipt content of a payment: for a reprint (DUPLICATA) or a voided copy (ANNULÉ).

    `issued` and `credit_created`: known already by the caller posting the payment (not
    read again). Refuses an unknown payment with NotFound.
    """
    session = uow.session
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(N_("Paiement introuvable."))
    if issued is None:
        receipt = session.exec(select(Receipt).where(col(Receipt.payment_id) == payment_id)).one()
        issued = IssuedReceipt(require_id(receipt), receipt.number, receipt.hash)
    family = session.get(Family, payment.family_id)
    clerk = session.get(StaffUser, payment.clerk_id)
    assert family is not None and clerk is not None
    payer = session.exec(
        select(Guardian).where(col(Guardian.family_id) == family.id, col(Guardian.is_payer))
    ).first()
    void = session.exec(
        select(PaymentVoid).where(col(PaymentVoid.payment_id) == payment_id)
    ).first()
    voided_by = session.get(StaffUser, void.voided_by_id) if void else None
    return posted_payment(
        payment,
        issued=issued,
        establishment=establishment_view(uow, payment.establishment_id),
        family=family,
        payer_name=f"{payer.first_name} {payer.last_name}" if payer else None,
        clerk_name=clerk.full_name,
        allocations=allocation_lines(uow, payment_id),
        credit_created=(
            _credit_created(uow, payment) if credit_created is None else credit_created
        ),
        family_credit_after=family_credit_after,
        void=void,
        voided_by=voided_by.full_name if voided_by else None,
        replayed=replayed,
    )


def posted_payment(
    payment: Payment,
    *,
    issued: IssuedReceipt,
    establishment: EstablishmentView,
    family: Family,
    payer_name: str | None,
    clerk_name: str,
    allocations: tuple[AllocationLine, ...],
    credit_created: Decimal,
    family_credit_after: Decimal | None,
    void: PaymentVoid | None = None,
    voided_by: str | None = None,
    replayed: bool = False,
) -> PostedPayment:
    """A payment's receipt content from what its caller read already (nothing is read)."""
    return PostedPayment(
        payment_id=require_id(payment),
        receipt_id=issued.receipt_id,
        receipt_number=issued.number,
        receipt_hash=issued.hash,
        received_at=payment.received_at,
        establishment=establishment,
        family_id=payment.family_id,
        family_name=family.name,
        family_number=family.family_number,
        payer_name=payer_name,
        clerk_id=payment.clerk_id,
        clerk_name=clerk_name,
        method=payment.method,
        amount=payment.amount,
        amount_tendered=payment.tendered,
        change_due=payment.change,
        card_brand=payment.card_brand,
        card_last4=payment.card_last4,
        authorization_number=payment.authorization_number,
        cheque_number=payment.cheque_number,
        cheque_bank=payment.cheque_bank,
        allocations=allocations,
        credit_created=credit_created,
        family_credit_after=family_credit_after,
        is_voided=void is not None,
        void_reason=void.reason if void else None,
        voided_at=void.voided_at if void else None,
        voided_by=voided_by,
        replayed=replayed,
        processor_transaction_id=payment.processor_transaction_id,
        paid_at=None if payment.paid_at is None else as_utc(payment.paid_at),
    )

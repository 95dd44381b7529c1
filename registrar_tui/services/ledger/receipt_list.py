"""The receipts of one family, newest first, one page at a time (the family's "Reçus" tab).

A family's receipts are those of its payments (voided ones included: their number stays
used and they reprint marked ANNULÉ) and those of the credit refunded to it. Both kinds
come from one prebuilt UNION query, ordered and paged in SQL, so a family with years of
receipts costs one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, func, literal, null, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, Payment, PaymentVoid, Receipt, Refund, StaffUser
from registrar_tui.models.base import PaymentMethod
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.core.paging import Page

PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ReceiptRow:
    """One receipt as listed: a payment's (payment_id set) or a refund's (refund_id set)."""

    payment_id: int | None
    refund_id: int | None
    receipt_number: str
    issued_at: datetime
    """Aware UTC."""
    method: PaymentMethod
    amount: Decimal
    """The payment's amount, or the refunded amount as a negative number."""
    clerk_name: str
    """Who received the money (payment) or handed it back (refund)."""
    is_voided: bool
    void_reason: str | None

    @property
    def is_refund(self) -> bool:
        return self.refund_id is not None


@dataclass(frozen=True)
class FamilyReceipts:
    """One page of a family's receipts, newest first (out of how many in all), with the
    family's name and number."""

    page: Page[ReceiptRow]
    family_name: str
    family_number: str


def _family_receipts_queries() -> tuple[Any, Any]:
    """The page query and the count query, built once with bound parameters."""
    family: Any = bindparam("family_id")
    payments: Any = (
        sa_select(
            col(Receipt.id).label("receipt_id"),
            col(Receipt.payment_id).label("payment_id"),
            cast(null(), Integer).label("refund_id"),
            col(Receipt.number).label("receipt_number"),
            col(Receipt.issued_at).label("issued_at"),
            cast(col(Payment.method), String).label("method"),
            # The union's column takes this column's type: refunds come back as Decimal too.
            col(Payment.amount).label("amount"),
            col(StaffUser.full_name).label("clerk_name"),
            col(PaymentVoid.reason).label("void_reason"),
            col(PaymentVoid.id).is_not(None).label("is_voided"),
        )
        .join(Payment, col(Payment.id) == col(Receipt.payment_id))
        .join(StaffUser, col(StaffUser.id) == col(Payment.clerk_id))
        .outerjoin(PaymentVoid, col(PaymentVoid.payment_id) == col(Payment.id))
        .where(col(Payment.family_id) == family)
    )
    refunds: Any = (
        sa_select(
            col(Receipt.id),
            cast(null(), Integer),
            col(Receipt.refund_id),
            col(Receipt.number),
            col(Receipt.issued_at),
            cast(col(Refund.method), String),
            -col(Refund.amount),
            col(StaffUser.full_name),
            cast(null(), String),
            literal(False),
        )
        .join(Refund, col(Refund.id) == col(Receipt.refund_id))
        .join(StaffUser, col(StaffUser.id) == col(Refund.refunded_by_id))
        .where(col(Refund.family_id) == family)
    )
    both = union_all(payments, refunds).subquery("family_receipt")
    page = (
        sa_select(both)
        # Receipt ids follow issue order; they break ties between equal instants.
        .order_by(both.c.issued_at.desc(), both.c.receipt_id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    count = sa_select(func.count()).select_from(both)
    return page, count


_PAGE, _COUNT = _family_receipts_queries()


def family_receipts(
    uow: UnitOfWork, family_id: int, *, offset: int = 0, limit: int = PAGE_SIZE
) -> FamilyReceipts:
    """One page of the family's payment and refund receipts, newest first.

    Refuses NotFound (unknown family) and InvalidInput (negative offset, or a page size
    outside 1..100).
    """
    if offset < 0 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(N_("Page de reçus invalide."), field="offset")
    family = uow.session.get(Family, family_id)
    if family is None:
        raise NotFound(N_("Famille introuvable."))
    params = {"family_id": family_id, "offset": offset, "limit": limit}
    total = int(uow.session.execute(_COUNT, params).scalar_one())
    rows = uow.session.execute(_PAGE, params).all()
    return FamilyReceipts(
        page=Page.counted(
            tuple(
                ReceiptRow(
                    payment_id=row.payment_id,
                    refund_id=row.refund_id,
                    receipt_number=row.receipt_number,
                    issued_at=as_utc(row.issued_at),
                    method=PaymentMethod(str(row.method)),
                    amount=row.amount,
                    clerk_name=row.clerk_name,
                    is_voided=bool(row.is_voided),
                    void_reason=row.void_reason,
                )
                for row in rows
            ),
            offset,
            limit,
            total,
        ),
        family_name=family.name,
        family_number=family.family_number,
    )

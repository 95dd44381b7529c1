"""The read-only family record: header with balance and credit, guardians, students."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Allocation,
    CreditNote,
    Establishment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentVoid,
    Refund,
    Student,
)
from registrar_tui.models.base import StudentStatus, require_id
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.declines import LINE_IS_DECLINED
from registrar_tui.services.ledger.statement import CANCELS_INVOICE

if TYPE_CHECKING:
    from registrar_tui.services.ledger.statement import Statement


@dataclass(frozen=True)
class GuardianSummary:
    id: int
    first_name: str
    last_name: str
    relationship: str
    is_payer: bool
    phone: str | None
    email: str | None
    address: str
    """One line: street, city, province and postal code (empty parts left out)."""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class StudentSummary:
    id: int
    first_name: str
    last_name: str
    student_number: str
    code_permanent: str | None
    birth_date: date
    school_level: str
    group_name: str
    status: StudentStatus

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class FamilyOverview:
    """What the family header and identity view show."""

    id: int
    family_number: str
    name: str
    establishment_name: str
    establishment_code: str
    payer_name: str | None
    payer_phone: str | None
    payer_email: str | None
    balance: Decimal
    """What the family owes: kept lines of live invoices minus what was allocated to them."""
    credit: Decimal
    """Money received and not allocated nor refunded."""
    guardians: tuple[GuardianSummary, ...]
    students: tuple[StudentSummary, ...]


def _address(*parts: str | None) -> str:
    return ", ".join(part.strip() for part in parts if part and part.strip())


def family_overview(uow: UnitOfWork, family_id: int) -> FamilyOverview:
    """The family's header, balance, credit, guardians and students.

    Raises `NotFound` when no family has this id.
    """
    row = uow.session.exec(
        select(Family, Establishment)
        .join(Establishment, col(Establishment.id) == col(Family.establishment_id))
        .where(col(Family.id) == family_id)
    ).first()
    if row is None:
        raise NotFound(N_("Dossier famille introuvable."), field="family")
    family, establishment = row
    guardians = tuple(
        GuardianSummary(
            id=require_id(g),
            first_name=g.first_name,
            last_name=g.last_name,
            relationship=g.relationship_label,
            is_payer=g.is_payer,
            phone=g.phone,
            email=g.email,
            address=_address(g.address_line, g.city, g.province if g.city else "", g.postal_code),
        )
        for g in uow.session.exec(
            select(Guardian)
            .where(col(Guardian.family_id) == family_id, col(Guardian.removed_at).is_(None))
            .order_by(col(Guardian.is_payer).desc(), col(Guardian.id))
        )
    )
    students = tuple(
        StudentSummary(
            id=require_id(s),
            first_name=s.first_name,
            last_name=s.last_name,
            student_number=s.student_number,
            code_permanent=s.code_permanent,
            birth_date=s.birth_date,
            school_level=s.school_level,
            group_name=s.group_name,
            status=StudentStatus(s.status),
        )
        for s in uow.session.exec(
            select(Student)
            .where(col(Student.family_id) == family_id)
            .order_by(col(Student.birth_date), col(Student.id))
        )
    )
    balance, credit = _balance_and_credit(uow, family_id)
    payer = next((g for g in guardians if g.is_payer), None)
    return FamilyOverview(
        id=family_id,
        family_number=family.family_number,
        name=family.name,
        establishment_name=establishment.name,
        establishment_code=establishment.code,
        payer_name=payer.full_name if payer else None,
        payer_phone=payer.phone if payer else None,
        payer_email=payer.email if payer else None,
        balance=balance,
        credit=credit,
        guardians=guardians,
        students=students,
    )


def family_with_statement(uow: UnitOfWork, family_id: int) -> tuple[FamilyOverview, Statement]:
    """The family's header and its statement of account, read in one unit of work.

    What the family screen asks for when it opens on its billing tab: the balance in the
    header and the statement's total due come from the same reading, so they agree.
    """
    from registrar_tui.services.ledger.statement import statement

    return family_overview(uow, family_id), statement(uow, family_id)


def family_balance(uow: UnitOfWork, family_id: int) -> Decimal:
    """What the family owes (the header's « Solde »), without the rest of the record."""
    return _balance_and_credit(uow, family_id)[0]


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column), ZERO)


def _balance_and_credit(uow: UnitOfWork, family_id: int) -> tuple[Decimal, Decimal]:
    """Balance and credit in one aggregate query (six scalar sub-queries)."""
    live_invoice = and_(
        col(Invoice.family_id) == family_id,
        ~exists().where(col(CreditNote.invoice_id) == col(Invoice.id), CANCELS_INVOICE),
    )
    kept_lines = (
        select(_sum(InvoiceLine.amount))
        .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
        .where(live_invoice, ~LINE_IS_DECLINED)
        .scalar_subquery()
    )
    # The fees waived on live invoices (a cancelled invoice's notes go with it).
    waiver = aliased(CreditNote)  # not the cancelling note `live_invoice` looks for
    waived_on_live = (
        select(_sum(waiver.amount))
        .join(Invoice, col(Invoice.id) == col(waiver.invoice_id))
        .where(live_invoice)
        .scalar_subquery()
    )
    # Reversal rows are negative, so voided payments' allocations cancel out.
    allocated_to_live = (
        select(_sum(Allocation.amount))
        .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
        .where(live_invoice)
        .scalar_subquery()
    )
    kept_payment = and_(
        col(Payment.family_id) == family_id,
        ~exists().where(col(PaymentVoid.payment_id) == col(Payment.id)),
    )
    received = select(_sum(Payment.amount)).where(kept_payment).scalar_subquery()
    allocated_from_kept = (
        select(_sum(Allocation.amount))
        .join(Payment, col(Payment.id) == col(Allocation.payment_id))
        .where(kept_payment)
        .scalar_subquery()
    )
    refunded = (
        select(_sum(Refund.amount)).where(col(Refund.family_id) == family_id).scalar_subquery()
    )
    lines, allocated, waived, paid, used, given_back = (
        uow.session.connection()
        .execute(
            sql_select(
                kept_lines,
                allocated_to_live,
                waived_on_live,
                received,
                allocated_from_kept,
                refunded,
            )
        )
        .one()
    )
    return lines - allocated - waived, paid - used - given_back

"""Reading the ledger: statement of account, invoice detail, balances and family credit.

Every figure comes from one set-based query (scalar sub-queries over indexed foreign
keys), never from a Python loop over rows, so a family with hundreds of invoices
answers in a few milliseconds.

- an invoice's balance = kept lines − live allocations − its credit notes (one that
  cancels it, one per fee waived);
- a family's credit = payments not voided − their allocations − refunds.

When the family has an active payment plan, the statement carries it (`plan`: each
instalment's due date, amount, paid and outstanding; services/ledger/plans.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Allocation,
    CreditNote,
    Family,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentVoid,
    Refund,
    Student,
    Term,
)
from registrar_tui.models.money import Cents
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.declines import LINE_IS_DECLINED
from registrar_tui.services.ledger.plans import PlanView, family_plan

CANCELS_INVOICE: Any = col(CreditNote.invoice_line_id).is_(None)
"""SQL condition on `credit_note`: the note cancels its whole invoice (not one fee)."""


class InvoiceState(enum.StrEnum):
    """What the statement shows for an invoice (computed, never stored)."""

    OPEN = "open"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class InvoiceFigures:
    """An invoice's amounts, as the ledger sees them now."""

    invoice_id: int
    family_id: int
    establishment_id: int
    number: str
    issued_on: date
    due_on: date
    kept: Decimal
    paid: Decimal
    credited: Decimal
    is_cancelled: bool
    description: str = ""
    """What the invoice is for ("" where the reader did not need it: the statement's)."""

    @property
    def balance(self) -> Decimal:
        return self.kept - self.paid - self.credited

    def state(self, today: date) -> InvoiceState:
        if self.is_cancelled:
            return InvoiceState.CANCELLED
        if self.balance <= 0:
            return InvoiceState.PAID
        if self.due_on < today:
            return InvoiceState.OVERDUE
        return InvoiceState.PARTIAL if self.paid > 0 else InvoiceState.OPEN


def _sum(column: Any) -> Any:
    """The sum of a money column, zero over no row (a `Decimal`, through the column's type)."""
    return func.coalesce(func.sum(column), ZERO)


def _kept_lines() -> Any:
    return (
        select(_sum(InvoiceLine.amount))
        .where(col(InvoiceLine.invoice_id) == col(Invoice.id), ~LINE_IS_DECLINED)
        .correlate(Invoice)
        .scalar_subquery()
    )


def _allocated() -> Any:
    return (
        select(_sum(Allocation.amount))
        .where(col(Allocation.invoice_id) == col(Invoice.id))
        .correlate(Invoice)
        .scalar_subquery()
    )


def _credited() -> Any:
    return (
        select(_sum(CreditNote.amount))
        .where(col(CreditNote.invoice_id) == col(Invoice.id))
        .correlate(Invoice)
        .scalar_subquery()
    )


def _cancelled() -> Any:
    return (
        exists()
        .where(col(CreditNote.invoice_id) == col(Invoice.id), CANCELS_INVOICE)
        .correlate(Invoice)
    )


# The queries are built once, with bound parameters: building a SQLAlchemy statement
# costs more than running it on an indexed table.
_FIGURE_COLUMNS = (
    col(Invoice.id),
    col(Invoice.family_id),
    col(Invoice.establishment_id),
    col(Invoice.number),
    col(Invoice.issued_on),
    col(Invoice.due_on),
    _kept_lines(),
    _allocated(),
    _credited(),
    _cancelled(),
    col(Invoice.description),
)
INVOICE_IS_OPEN: Any = and_(~_cancelled(), _kept_lines() - _allocated() - _credited() > ZERO)
"""SQL condition on `invoice`: not cancelled, and a balance still owed (what a payment
without chosen invoices pays, oldest due first)."""
_OLDEST_DUE_FIRST = (col(Invoice.due_on), col(Invoice.issued_on), col(Invoice.id))
_FIGURES_OF_FAMILY = (
    sa_select(*_FIGURE_COLUMNS)
    .where(col(Invoice.family_id) == bindparam("family_id"))
    .order_by(*_OLDEST_DUE_FIRST)
)
_FIGURES_OF_INVOICES = (
    sa_select(*_FIGURE_COLUMNS)
    .where(col(Invoice.id).in_(bindparam("invoice_ids", expanding=True)))
    .order_by(*_OLDEST_DUE_FIRST)
)
_ALL_FIGURES = sa_select(*_FIGURE_COLUMNS).order_by(*_OLDEST_DUE_FIRST)


def invoice_figures(
    uow: UnitOfWork, *, family_id: int | None = None, invoice_ids: tuple[int, ...] = ()
) -> list[InvoiceFigures]:
    """The figures of a family's invoices, of the given ones, or of all; oldest due first."""
    if invoice_ids:
        rows = uow.execute(_FIGURES_OF_INVOICES, {"invoice_ids": list(invoice_ids)})
        found = [row for row in rows if family_id is None or row[1] == family_id]
    elif family_id is not None:
        found = list(uow.execute(_FIGURES_OF_FAMILY, {"family_id": family_id}))
    else:
        found = list(uow.execute(_ALL_FIGURES))
    return [
        InvoiceFigures(
            invoice_id=row[0],
            family_id=row[1],
            establishment_id=row[2],
            number=row[3],
            issued_on=row[4],
            due_on=row[5],
            kept=row[6],
            paid=row[7],
            credited=row[8],
            is_cancelled=bool(row[9]),
            description=row[10],
        )
        for row in found
    ]


def family_credit_value(family: Any = None) -> Any:
    """The family's credit as one SQL expression (three scalar sub-queries): payments not
    voided − their allocations − refunds. `family`: the family's id as an SQL expression
    (default: the parameter `family_id`)."""
    if family is None:
        family = bindparam("family_id")
    kept_payment = and_(
        col(Payment.family_id) == family,
        ~exists().where(col(PaymentVoid.payment_id) == col(Payment.id)),
    )
    # Never correlated to the enclosing query's own payment (a receipt's head reads it).
    received = (
        select(_sum(Payment.amount)).where(kept_payment).correlate_except(Payment).scalar_subquery()
    )
    allocated = (
        select(_sum(Allocation.amount))
        .join(Payment, col(Payment.id) == col(Allocation.payment_id))
        .where(col(Payment.family_id) == family)
        .correlate_except(Allocation, Payment)
        .scalar_subquery()
    )
    refunded = (
        select(_sum(Refund.amount))
        .where(col(Refund.family_id) == family)
        .correlate_except(Refund)
        .scalar_subquery()
    )
    return received - allocated - refunded


def family_due_value(family: Any) -> Any:
    """What the family's invoices still owe, as one SQL expression: the balances of its
    invoices not cancelled, summed (an overpaid one counts negative, as in the statement).
    `family`: the family's id as an SQL expression."""
    balance = type_coerce(_kept_lines() - _allocated() - _credited(), Cents())
    return (
        select(func.coalesce(func.sum(balance), ZERO))
        .where(col(Invoice.family_id) == family, ~_cancelled())
        .correlate_except(Invoice)
        .scalar_subquery()
    )


FAMILY_CREDIT: Any = family_credit_value()
"""`family_credit` as a column to read with other figures (parameter `family_id`)."""
_FAMILY_CREDIT = sa_select(FAMILY_CREDIT)
_FAMILY_HEAD = sa_select(col(Family.family_number), col(Family.name), FAMILY_CREDIT).where(
    col(Family.id) == bindparam("family_id")
)
"""The statement's header and the family's credit: one round trip."""


def family_credit(uow: UnitOfWork, family_id: int) -> Decimal:
    """Money the family paid that no invoice holds: payments − allocations − refunds."""
    credit: Decimal = uow.session.execute(_FAMILY_CREDIT, {"family_id": family_id}).scalar_one()
    return credit


@dataclass(frozen=True)
class StatementLine:
    """One invoice on the statement of account."""

    invoice_id: int
    number: str
    term_code: str | None
    student_name: str | None
    description: str
    issued_on: date
    due_on: date
    total: Decimal
    paid: Decimal
    balance: Decimal
    state: InvoiceState
    waived: Decimal = ZERO
    """The fees waived on this live invoice by credit notes (already out of `balance`)."""


@dataclass(frozen=True)
class Statement:
    """A family's statement of account on a given day."""

    family_id: int
    family_number: str
    family_name: str
    as_of: date
    invoices: tuple[StatementLine, ...]
    total_billed: Decimal
    total_paid: Decimal
    total_due: Decimal
    overdue: Decimal
    credit: Decimal
    net_balance: Decimal
    """What the family owes once its credit is counted (negative: we owe it)."""
    plan: PlanView | None = None
    """The family's active payment plan, with its instalments (None: no plan)."""


def family_or_not_found(uow: UnitOfWork, family_id: int) -> Family:
    family = uow.session.get(Family, family_id)
    if family is None:
        raise NotFound(N_("Famille introuvable."))
    return family


_STATEMENT = (
    sa_select(
        col(Invoice.id),
        col(Invoice.number),
        col(Term.code),
        col(Student.first_name),
        col(Student.last_name),
        col(Invoice.description),
        col(Invoice.issued_on),
        col(Invoice.due_on),
        _kept_lines(),
        _allocated(),
        _credited(),
        _cancelled(),
        col(Invoice.family_id),
        col(Invoice.establishment_id),
    )
    .outerjoin(Term, col(Term.id) == col(Invoice.term_id))
    .outerjoin(Student, col(Student.id) == col(Invoice.student_id))
    .where(col(Invoice.family_id) == bindparam("family_id"))
    .order_by(*_OLDEST_DUE_FIRST)
)


def statement(uow: UnitOfWork, family_id: int) -> Statement:
    """The statement of account of a family: invoices with their state, credit, totals.

    Refuses an unknown family with NotFound.
    """
    head = uow.session.execute(_FAMILY_HEAD, {"family_id": family_id}).first()
    if head is None:
        raise NotFound(N_("Famille introuvable."))
    family_number, family_name, credit = head
    return statement_of_family(
        uow, family_id, family_number=family_number, family_name=family_name, credit=credit
    )


def statement_of_family(
    uow: UnitOfWork, family_id: int, *, family_number: str, family_name: str, credit: Decimal
) -> Statement:
    """`statement` for a family whose number, name and credit (`FAMILY_CREDIT`) the
    caller read already, in the same unit of work (the family record with its statement:
    two round trips fewer). Refuses nothing: an unknown family has no invoices."""
    today = local_date(uow.now())
    lines: list[StatementLine] = []
    billed = paid = due = overdue = ZERO
    for row in uow.session.execute(_STATEMENT, {"family_id": family_id}).all():
        figures = InvoiceFigures(
            invoice_id=row[0],
            family_id=row[12],
            establishment_id=row[13],
            number=row[1],
            issued_on=row[6],
            due_on=row[7],
            kept=row[8],
            paid=row[9],
            credited=row[10],
            is_cancelled=bool(row[11]),
        )
        state = figures.state(today)
        if not figures.is_cancelled:
            billed += figures.kept
            paid += figures.paid
            due += figures.balance
            if state is InvoiceState.OVERDUE:
                overdue += figures.balance
        lines.append(
            StatementLine(
                invoice_id=figures.invoice_id,
                number=figures.number,
                term_code=row[2],
                student_name=f"{row[3]} {row[4]}" if row[3] is not None else None,
                description=row[5],
                issued_on=figures.issued_on,
                due_on=figures.due_on,
                total=figures.kept,
                paid=figures.paid,
                balance=figures.balance,
                state=state,
                waived=ZERO if figures.is_cancelled else figures.credited,
            )
        )
    return Statement(
        family_id=family_id,
        family_number=family_number,
        family_name=family_name,
        as_of=today,
        invoices=tuple(lines),
        total_billed=billed,
        total_paid=paid,
        total_due=due,
        overdue=overdue,
        credit=credit,
        net_balance=due - credit,
        plan=family_plan(uow, family_id),
    )

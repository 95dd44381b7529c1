"""The read-only family record: header with balance and credit, guardians, students."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, exists, func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import col

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
    Student,
)
from registrar_tui.models.base import StudentStatus
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.declines import LINE_IS_DECLINED
from registrar_tui.services.ledger.statement import CANCELS_INVOICE, FAMILY_CREDIT

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


# The queries are built once, with bound parameters (`family_id`): building a statement
# costs more than running it. Rows, not ORM objects: nothing here is written back.
_FAMILY_ID: Any = bindparam("family_id")
_HEADER_COLUMNS = (
    col(Family.family_number),
    col(Family.name),
    col(Establishment.name),
    col(Establishment.code),
    FAMILY_CREDIT,
)
_GUARDIANS = (
    sql_select(
        col(Guardian.id),
        col(Guardian.first_name),
        col(Guardian.last_name),
        col(Guardian.relationship_label),
        col(Guardian.is_payer),
        col(Guardian.phone),
        col(Guardian.email),
        col(Guardian.address_line),
        col(Guardian.city),
        col(Guardian.province),
        col(Guardian.postal_code),
    )
    .where(col(Guardian.family_id) == _FAMILY_ID, col(Guardian.removed_at).is_(None))
    .order_by(col(Guardian.is_payer).desc(), col(Guardian.id))
)
_STUDENTS = (
    sql_select(
        col(Student.id),
        col(Student.first_name),
        col(Student.last_name),
        col(Student.student_number),
        col(Student.code_permanent),
        col(Student.birth_date),
        col(Student.school_level),
        col(Student.group_name),
        col(Student.status),
    )
    .where(col(Student.family_id) == _FAMILY_ID)
    .order_by(col(Student.birth_date), col(Student.id))
)


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column), ZERO)


def _balance_parts() -> tuple[Any, Any, Any]:
    """The family's kept lines, allocations and waivers on its live invoices (scalar
    sub-queries); the balance is the first minus the other two."""
    live_invoice = and_(
        col(Invoice.family_id) == _FAMILY_ID,
        ~exists().where(col(CreditNote.invoice_id) == col(Invoice.id), CANCELS_INVOICE),
    )
    kept_lines = (
        sql_select(_sum(InvoiceLine.amount))
        .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
        .where(live_invoice, ~LINE_IS_DECLINED)
        .scalar_subquery()
    )
    # Reversal rows are negative, so voided payments' allocations cancel out.
    allocated_to_live = (
        sql_select(_sum(Allocation.amount))
        .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
        .where(live_invoice)
        .scalar_subquery()
    )
    # The fees waived on live invoices (a cancelled invoice's notes go with it).
    waiver = aliased(CreditNote)  # not the cancelling note `live_invoice` looks for
    waived_on_live = (
        sql_select(_sum(waiver.amount))
        .join(Invoice, col(Invoice.id) == col(waiver.invoice_id))
        .where(live_invoice)
        .scalar_subquery()
    )
    return kept_lines, allocated_to_live, waived_on_live


_HEADER = (
    sql_select(*_HEADER_COLUMNS)
    .join(Establishment, col(Establishment.id) == col(Family.establishment_id))
    .where(col(Family.id) == _FAMILY_ID)
)
"""The header with the credit: the balance comes from the statement read with it."""
_HEADER_WITH_BALANCE = _HEADER.add_columns(*_balance_parts())
_BALANCE_AND_CREDIT = sql_select(*_balance_parts(), FAMILY_CREDIT)


def _people(
    uow: UnitOfWork, family_id: int
) -> tuple[tuple[GuardianSummary, ...], tuple[StudentSummary, ...]]:
    """The family's guardians (payer first) and students (oldest first)."""
    params = {"family_id": family_id}
    guardians = tuple(
        GuardianSummary(
            id=g.id,
            first_name=g.first_name,
            last_name=g.last_name,
            relationship=g.relationship_label,
            is_payer=g.is_payer,
            phone=g.phone,
            email=g.email,
            address=_address(g.address_line, g.city, g.province if g.city else "", g.postal_code),
        )
        for g in uow.session.execute(_GUARDIANS, params)
    )
    students = tuple(
        StudentSummary(
            id=s.id,
            first_name=s.first_name,
            last_name=s.last_name,
            student_number=s.student_number,
            code_permanent=s.code_permanent,
            birth_date=s.birth_date,
            school_level=s.school_level,
            group_name=s.group_name,
            status=StudentStatus(s.status),
        )
        for s in uow.session.execute(_STUDENTS, params)
    )
    return guardians, students


def _overview(
    family_id: int,
    header: Any,
    people: tuple[tuple[GuardianSummary, ...], tuple[StudentSummary, ...]],
    balance: Decimal,
) -> FamilyOverview:
    family_number, name, establishment_name, establishment_code, credit = header[:5]
    guardians, students = people
    payer = next((g for g in guardians if g.is_payer), None)
    return FamilyOverview(
        id=family_id,
        family_number=family_number,
        name=name,
        establishment_name=establishment_name,
        establishment_code=establishment_code,
        payer_name=payer.full_name if payer else None,
        payer_phone=payer.phone if payer else None,
        payer_email=payer.email if payer else None,
        balance=balance,
        credit=credit,
        guardians=guardians,
        students=students,
    )


def _header(uow: UnitOfWork, statement: Any, family_id: int) -> Any:
    header = uow.session.execute(statement, {"family_id": family_id}).first()
    if header is None:
        raise NotFound(N_("Dossier famille introuvable."), field="family")
    return header


def family_overview(uow: UnitOfWork, family_id: int) -> FamilyOverview:
    """The family's header, balance, credit, guardians and students (three queries).

    Raises `NotFound` when no family has this id.
    """
    header = _header(uow, _HEADER_WITH_BALANCE, family_id)
    lines, allocated, waived = header[5:8]
    return _overview(family_id, header, _people(uow, family_id), lines - allocated - waived)


def family_with_statement(uow: UnitOfWork, family_id: int) -> tuple[FamilyOverview, Statement]:
    """The family's header and its statement of account, read in one unit of work.

    What the family screen asks for when it opens on its billing tab: the header's
    balance is the statement's total due (the same reading, so they agree), and the
    credit is read once, with the header: five queries in all.
    Raises `NotFound` when no family has this id.
    """
    from registrar_tui.services.ledger.statement import statement_of_family

    header = _header(uow, _HEADER, family_id)
    people = _people(uow, family_id)
    family_number, name, _establishment, _code, credit = header
    statement = statement_of_family(
        uow, family_id, family_number=family_number, family_name=name, credit=credit
    )
    return _overview(family_id, header, people, statement.total_due), statement


def family_balance(uow: UnitOfWork, family_id: int) -> Decimal:
    """What the family owes (the header's « Solde »), without the rest of the record."""
    return _balance_and_credit(uow, family_id)[0]


def _balance_and_credit(uow: UnitOfWork, family_id: int) -> tuple[Decimal, Decimal]:
    """Balance and credit in one aggregate query (six scalar sub-queries)."""
    lines, allocated, waived, credit = (
        uow.session.connection().execute(_BALANCE_AND_CREDIT, {"family_id": family_id}).one()
    )
    return lines - allocated - waived, credit

"""Test data for the ledger: a small school with staff, families and invoices.

Everything is inserted directly (issuing invoices belongs to other services); amounts
are written as Decimal strings like the counter types them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, text
from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    Allocation,
    Family,
    Payment,
    PaymentVoid,
    Receipt,
    Student,
)
from registrar_tui.models.base import PaymentMethod, Role
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest
from registrar_tui.services.ledger.statement import family_credit, invoice_figures
from tests import builders

D = Decimal
_numbers = itertools.count(1)
_CREATED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class School:
    """Ids of what `build_school` created."""

    montreal_id: int
    quebec_id: int
    term_id: int
    clerk_id: int
    clerk2_id: int
    registrar_id: int
    admin_id: int
    inactive_id: int


def _user(
    uow: UnitOfWork, username: str, role: Role, establishment_id: int, **extra: object
) -> int:
    return builders.staff(
        uow,
        establishment_id,
        username=username,
        full_name=f"{username.title()} Test",
        role=role,
        created_at=_CREATED,
        **extra,  # type: ignore[arg-type]
    )


DEPOSITS_START = date(2026, 8, 1)
"""Both sites' first day of deposits: every payment of the tests' autumn 2026 is after."""


def build_school(db: Database) -> School:
    """Two establishments (MTL, QC), the autumn 2026 term and one user per role."""
    with db.write() as uow:
        montreal = builders.establishment(
            uow,
            name="Conservatoire de Montréal",
            phone="514 873-4031",
            deposits_start_on=DEPOSITS_START,
        )
        quebec = builders.establishment(
            uow,
            code="QC",
            name="Conservatoire de Québec",
            address_line="270, rue Saint-Amable",
            city="Québec",
            postal_code="G1R 5G1",
            phone="418 643-2190",
            deposits_start_on=DEPOSITS_START,
        )
        return School(
            montreal_id=montreal,
            quebec_id=quebec,
            term_id=builders.term(uow),
            clerk_id=_user(uow, "clerk", Role.CLERK, montreal),
            clerk2_id=_user(uow, "clerk2", Role.CLERK, montreal),
            registrar_id=_user(uow, "registrar", Role.REGISTRAR, montreal),
            admin_id=_user(uow, "admin", Role.ADMIN, montreal),
            inactive_id=_user(uow, "gone", Role.REGISTRAR, montreal, is_active=False),
        )


def add_family(db: Database, school: School, name: str = "Tremblay") -> int:
    """A family with its payer guardian and one student."""
    with db.write() as uow:
        number = next(_numbers)
        family_id = builders.family(
            uow,
            school.montreal_id,
            number=f"F{number:06d}",
            name=f"Famille {name}",
            payer="Hélène",
            payer_last_name=name,
            created_at=_CREATED,
        )
        builders.student(
            uow,
            family_id,
            school.montreal_id,
            number=f"2013{number:05d}",
            first_name="Élodie",
            last_name=name,
            birth_date=date(2012, 3, 14),
            created_at=_CREATED,
        )
        return family_id


def add_invoice(
    db: Database,
    school: School,
    family_id: int,
    lines: tuple[tuple[str, str], ...] = (("250.00", ""), ("25.00", "voluntary")),
    *,
    due_on: date = date(2026, 12, 15),
    issued_on: date = date(2026, 9, 1),
    description: str = "Frais de scolarité — automne 2026",
) -> int:
    """An invoice with lines `(amount, "voluntary" or "")`; the default totals 275,00 $."""
    with db.write() as uow:
        return insert_invoice(uow, school, family_id, lines, due_on, issued_on, description)


def insert_invoice(
    uow: UnitOfWork,
    school: School,
    family_id: int,
    lines: tuple[tuple[str, str], ...],
    due_on: date,
    issued_on: date,
    description: str = "Frais de scolarité — automne 2026",
) -> int:
    student_id = uow.session.exec(
        select(Student.id).where(col(Student.family_id) == family_id)
    ).first()
    return builders.invoice(
        uow,
        family_id,
        school.montreal_id,
        number=f"FAC{uuid.uuid4().int % 10**8:08d}",
        description=description,
        lines=[
            builders.Line("FOND", "Fondation du Conservatoire", D(amount), True)
            if kind == "voluntary"
            else builders.Line(f"SCOL{position}", "Cours de piano", D(amount))
            for position, (amount, kind) in enumerate(lines, start=1)
        ],
        student_id=student_id,
        term_id=school.term_id,
        issued_on=issued_on,
        due_on=due_on,
        created_at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
    )


def cash(
    school: School,
    family_id: int,
    amount: str,
    seen: str,
    *,
    tendered: str | None = None,
    invoices: tuple[int, ...] = (),
    key: str | None = None,
    clerk_id: int | None = None,
) -> PaymentRequest:
    """A cash payment request as the payment form would submit it."""
    return PaymentRequest(
        idempotency_key=key or uuid.uuid4().hex,
        family_id=family_id,
        establishment_id=school.montreal_id,
        clerk_id=clerk_id or school.clerk_id,
        amount=D(amount),
        method=PaymentMethod.CASH,
        seen_balance=D(seen),
        invoices=tuple(InvoiceChoice(invoice_id) for invoice_id in invoices),
        amount_tendered=None if tendered is None else D(tendered),
    )


def balance(db: Database, invoice_id: int) -> Decimal:
    with db.read() as uow:
        figures = invoice_figures(uow, invoice_ids=(invoice_id,))[0]
        return figures.balance


def credit(db: Database, family_id: int) -> Decimal:
    with db.read() as uow:
        return family_credit(uow, family_id)


APPEND_ONLY_TABLES = ("payment", "payment_void", "allocation", "receipt", "refund")


def row_counts(db: Database) -> dict[str, int]:
    """Rows in the append-only money tables (one query)."""
    query = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in APPEND_ONLY_TABLES)
    with db.read() as uow:
        row = uow.session.execute(text(query)).one()
    return dict(zip(APPEND_ONLY_TABLES, (int(value) for value in row), strict=True))


def check_invariants(db: Database) -> None:
    """What must hold after any sequence of ledger operations (issue #3 § Proof)."""
    with db.read() as uow:
        session = uow.session
        for figures in invoice_figures(uow):
            # Balance = kept lines − live allocations (− the credit note when cancelled).
            assert figures.balance >= 0, f"invoice {figures.number} overpaid"
            if figures.is_cancelled:
                assert figures.balance == 0 and figures.paid == 0
        for family_id in session.exec(select(Family.id)).all():
            assert family_id is not None
            assert family_credit(uow, family_id) >= 0
        # No payment gives more than it holds; no allocation reversed twice.
        for payment in session.exec(select(Payment)).all():
            allocated = session.exec(
                select(func.coalesce(func.sum(Allocation.amount), D("0.00"))).where(
                    col(Allocation.payment_id) == payment.id
                )
            ).one()
            assert 0 <= allocated <= payment.amount
            voided = session.exec(
                select(PaymentVoid.id).where(col(PaymentVoid.payment_id) == payment.id)
            ).first()
            if voided is not None:
                assert int(allocated) == 0
        # Receipt numbers gapless per establishment and year, every link verifies.
        numbers: dict[str, list[int]] = {}
        for number in session.exec(select(Receipt.number).order_by(col(Receipt.id))).all():
            prefix, _, sequence = number.rpartition("-")
            numbers.setdefault(prefix, []).append(int(sequence))
        for sequence in numbers.values():
            assert sequence == list(range(1, len(sequence) + 1)), sequence
        report = verify_chains(uow)
        assert report.ok, [link.describe() for link in report.breaks]


def ticking_clock(start: datetime, step: timedelta = timedelta(seconds=1)):  # type: ignore[no-untyped-def]
    """A clock that moves forward by `step` each time it is read (distinct instants)."""
    state = {"now": start}

    def clock() -> datetime:
        state["now"] += step
        return state["now"]

    return clock

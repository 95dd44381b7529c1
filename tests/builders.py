"""Builders for the little worlds the tests set up: rows inserted directly in a UnitOfWork.

Each builder adds one row (or an invoice with its lines), flushes, and returns the new id;
keyword defaults are the data most worlds share (the Montréal establishment, Hélène as the
payer, the autumn 2026 term, a piano line), so a world states only what makes it special.
No service runs here: no audit event, no search index (worlds that need them say so).
Rows get their ids in the order they are built, as when the worlds built them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    ContributionChoice,
    Establishment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Role,
    Season,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.services.audit.ledger_chain import link_records

CREATED = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
"""When the counter worlds' rows were created (before the school year)."""


def establishment(
    uow: UnitOfWork,
    *,
    code: str = "MTL",
    name: str = "Conservatoire de musique de Montréal",
    address_line: str = "4750, avenue Henri-Julien",
    city: str = "Montréal",
    postal_code: str = "H2T 2C8",
    phone: str = "514-873-4031",
    **extra: Any,
) -> int:
    """An establishment (by default the Montréal conservatory)."""
    site = Establishment(
        code=code,
        name=name,
        address_line=address_line,
        city=city,
        postal_code=postal_code,
        phone=phone,
        **extra,
    )
    return _added(uow, site)


def staff(
    uow: UnitOfWork,
    establishment_id: int | None,
    *,
    username: str,
    full_name: str,
    role: Role,
    password_hash: str = "not-a-real-hash",
    created_at: datetime = CREATED,
    **extra: Any,
) -> int:
    """A staff account (pass a real `hash_password(...)` for users who sign in)."""
    user = StaffUser(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        establishment_id=establishment_id,
        created_at=created_at,
        **extra,
    )
    return _added(uow, user)


def term(
    uow: UnitOfWork,
    *,
    code: str = "AUT-2026",
    season: Season = Season.AUTUMN,
    year: int = 2026,
    starts_on: date = date(2026, 9, 1),
    ends_on: date = date(2026, 12, 20),
    payment_due_on: date = date(2026, 9, 30),
    **extra: Any,
) -> int:
    """A term (by default autumn 2026, payment due on 30 September)."""
    row = Term(
        code=code,
        season=season,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        payment_due_on=payment_due_on,
        **extra,
    )
    return _added(uow, row)


def family(
    uow: UnitOfWork,
    establishment_id: int,
    *,
    number: str,
    name: str,
    payer: str | None = None,
    payer_last_name: str | None = None,
    payer_email: str | None = None,
    created_at: datetime = CREATED,
    **extra: Any,
) -> int:
    """A family; with `payer` (a first name), its payer guardian too (last name: the family's)."""
    family_id = _added(
        uow,
        Family(
            family_number=number,
            name=name,
            establishment_id=establishment_id,
            created_at=created_at,
            **extra,
        ),
    )
    if payer is not None:
        guardian(
            uow,
            family_id,
            first_name=payer,
            last_name=payer_last_name or name,
            is_payer=True,
            email=payer_email,
        )
    return family_id


def guardian(
    uow: UnitOfWork,
    family_id: int,
    *,
    first_name: str = "Hélène",
    last_name: str,
    is_payer: bool = False,
    **extra: Any,
) -> int:
    """A guardian of the family (the payer with `is_payer=True`)."""
    row = Guardian(
        family_id=family_id,
        first_name=first_name,
        last_name=last_name,
        is_payer=is_payer,
        **extra,
    )
    return _added(uow, row)


def student(
    uow: UnitOfWork,
    family_id: int,
    establishment_id: int,
    *,
    number: str,
    first_name: str,
    last_name: str,
    birth_date: date = date(2014, 3, 9),
    created_at: datetime = CREATED,
    **extra: Any,
) -> int:
    """A student of the family."""
    row = Student(
        family_id=family_id,
        establishment_id=establishment_id,
        student_number=number,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        created_at=created_at,
        **extra,
    )
    return _added(uow, row)


class Line(NamedTuple):
    """An invoice line: fee code, text, amount, voluntary, declined."""

    code: str
    text: str
    amount: Decimal
    voluntary: bool = False
    declined: bool = False


def piano(amount: Decimal) -> Line:
    """The counter worlds' usual line: 30 piano lessons."""
    return Line("PIANO", "Piano, 30 cours", amount)


def invoice(
    uow: UnitOfWork,
    family_id: int,
    establishment_id: int,
    *,
    number: str,
    description: str,
    lines: Iterable[Line],
    student_id: int | None = None,
    term_id: int | None = None,
    issued_on: date = date(2026, 8, 20),
    due_on: date = date(2026, 9, 30),
    created_at: datetime = CREATED,
) -> int:
    """An invoice and its lines, numbered from 1 in the order given."""
    issued = Invoice(
        number=number,
        family_id=family_id,
        student_id=student_id,
        term_id=term_id,
        establishment_id=establishment_id,
        description=description,
        issued_on=issued_on,
        due_on=due_on,
        created_at=created_at,
    )
    invoice_id = _added(uow, issued)
    given = list(lines)
    rows = [
        InvoiceLine(
            invoice_id=invoice_id,
            position=position,
            fee_code=line.code,
            description=line.text,
            amount=line.amount,
            is_voluntary=line.voluntary,
        )
        for position, line in enumerate(given, start=1)
    ]
    uow.session.add_all(rows)
    uow.session.flush()
    # A line declined from the start: the payer's choice, as the service writes it.
    choices = [
        ContributionChoice(
            invoice_line_id=row.id, declined=True, chosen_at=created_at, chosen_by_id=None
        )
        for row, line in zip(rows, given, strict=True)
        if line.declined and row.id is not None
    ]
    uow.session.add_all(choices)
    uow.session.flush()
    # Linked in the ledger chain like an issued invoice, so `verify` passes on the world.
    link_records(uow, [issued, *rows, *choices])
    return invoice_id


def line_ids(uow: UnitOfWork, invoice_id: int) -> list[int]:
    """The invoice's line ids, by position."""
    query = (
        select(InvoiceLine.id)
        .where(col(InvoiceLine.invoice_id) == invoice_id)
        .order_by(col(InvoiceLine.position))
    )
    return [line_id for line_id in uow.session.exec(query) if line_id is not None]


def _added(
    uow: UnitOfWork, row: Establishment | StaffUser | Term | Family | Guardian | Student | Invoice
) -> int:
    uow.session.add(row)
    uow.session.flush()
    assert row.id is not None
    return row.id


def receipts_handed_over(uow: UnitOfWork) -> None:
    """Mark every pending receipt handover done, as it was at the counter when the seeded
    payments were taken (else the app completes them at its start: PDFs and e-mails)."""
    from sqlalchemy import update

    from registrar_tui.models import ReceiptHandover

    now = uow.now()
    uow.session.execute(
        update(ReceiptHandover)
        .where(col(ReceiptHandover.completed_at).is_(None))
        .values(saved_at=now, email_done_at=now, completed_at=now)
    )

"""What enrolling in a term's disciplines bills: tuition from the fee schedule, and the
registration fee once per school year.

Used by a re-enrolment's validation (records/enrolment_plan.py adds the voluntary
contributions) and by a waiting-list offer accepted (waiting_lists.py), so both bill a
discipline the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import FeeScheduleItem, Invoice, InvoiceLine, Term
from registrar_tui.models.base import FeeKind, Language, Season
from registrar_tui.services.ledger.invoicing import NewLine, ScheduledFee, schedule_fee


def school_year(term: Term) -> int:
    """The school year a term belongs to: autumn 2026, winter and summer 2027 are 2026."""
    return term.year if term.season == Season.AUTUMN else term.year - 1


def owes_registration(uow: UnitOfWork, student_id: int, term: Term) -> bool:
    """True unless a registration fee was already billed to the student this school year."""
    codes = list(
        uow.session.exec(
            select(FeeScheduleItem.code).where(
                col(FeeScheduleItem.kind) == FeeKind.REGISTRATION,
            )
        )
    )
    if not codes:
        return False
    billed_terms = uow.session.exec(
        select(Term)
        .join(Invoice, col(Invoice.term_id) == col(Term.id))
        .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
        .where(col(Invoice.student_id) == student_id, col(InvoiceLine.fee_code).in_(codes))
    ).all()
    return all(school_year(billed) != school_year(term) for billed in billed_terms)


def discipline_lines(
    uow: UnitOfWork,
    *,
    student_id: int,
    term: Term,
    schedule: Sequence[ScheduledFee],
    disciplines: Sequence[tuple[int, str]],
    language: Language,
) -> list[NewLine]:
    """Tuition per (id, code) discipline from the term's `schedule`, then the registration
    fee when the student has not been billed one this school year.

    Raises NotFound (invoicing) when the schedule lacks a discipline's tuition.
    """
    assert term.id is not None
    tuition = {
        fee.discipline_id: fee
        for fee in schedule
        if fee.kind is FeeKind.TUITION and fee.discipline_id is not None
    }
    lines = []
    for discipline_id, code in disciplines:
        fee = tuition.get(discipline_id) or schedule_fee(uow, term.id, f"SCO-{code}", language)
        lines.append(NewLine.of(fee))
    if owes_registration(uow, student_id, term):
        lines += [NewLine.of(fee) for fee in schedule if fee.kind is FeeKind.REGISTRATION][:1]
    return lines

"""Waiving one fee of an invoice by a credit note (a late fee, a schedule-change fee).

The invoice and its line are never edited: a credit note naming the line is issued for
the line's full amount, numbered like every credit note (`NC00000001`, gapless), and the
invoice owes that much less. What had already been paid beyond the invoice's new total
goes back to the family's credit, as when a whole invoice is cancelled
(`credit.cancel_invoice`): the invoice's latest allocations are reversed (negative rows)
and what they held beyond the excess is allocated again from the same payment
(`reallocates_id`), so a later void of that payment still reverses exactly what the
invoice holds, and the receipt still shows what was paid when it was issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Allocation, CreditNote, InvoiceLine
from registrar_tui.services.audit.ledger_chain import link_records
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO, to_cents
from registrar_tui.services.core.text import required_reason
from registrar_tui.services.ledger.credit import locked_invoice_figures, next_credit_note_number
from registrar_tui.services.ledger.errors import (
    ContributionNotWaivable,
    FeeAlreadyWaived,
    InvoiceCancelled,
    NothingToWaive,
)
from registrar_tui.services.ledger.statement import family_credit
from registrar_tui.services.ledger.voids import live_allocations


@dataclass(frozen=True)
class WaivedFee:
    """A fee waived by a credit note, and what it changed."""

    invoice_id: int
    line_id: int
    description: str
    credit_note_number: str
    amount: Decimal
    """The line's full amount: what the credit note credits."""
    reason: str
    invoice_balance_after: Decimal
    returned_to_credit: Decimal
    """What had been paid on the invoice beyond its new total, now family credit."""
    family_credit_after: Decimal


def waiving_note(uow: UnitOfWork, line_id: int) -> str | None:
    """The number of the credit note that waives this line, if any."""
    return uow.session.exec(
        select(CreditNote.number).where(col(CreditNote.invoice_line_id) == line_id)
    ).first()


def _release(uow: UnitOfWork, invoice_id: int, excess: Decimal) -> list[Allocation]:
    """Rows taking `excess` off what the invoice holds, latest allocations first."""
    now = utc_now(uow)
    rows: list[Allocation] = []
    left = excess
    for allocation in reversed(live_allocations(uow, invoice_id=invoice_id)):
        if left <= 0:
            break
        rows.append(
            Allocation(
                payment_id=allocation.payment_id,
                invoice_id=invoice_id,
                amount=-allocation.amount,
                created_at=now,
                reverses_id=allocation.id,
            )
        )
        kept = allocation.amount - left
        if kept > 0:
            rows.append(
                Allocation(
                    payment_id=allocation.payment_id,
                    invoice_id=invoice_id,
                    amount=kept,
                    created_at=now,
                    reallocates_id=allocation.id,
                )
            )
        left -= allocation.amount
    assert left <= 0, "an invoice paid beyond its allocations"
    return rows


def waive_fee(uow: UnitOfWork, line_id: int, reason: str, actor_id: int) -> WaivedFee:
    """Waive one line of an invoice with a reason: a credit note for its full amount.

    If the invoice was paid beyond what it owes once the fee is waived, that part goes
    back to the family's credit (allocations reversed, never edited).

    Refuses, writing nothing: PermissionDenied (registrar or admin only), NotFound
    (unknown line), ReasonRequired, CardNumberRefused (in the reason),
    ContributionNotWaivable (a voluntary contribution: the payer declines it instead),
    InvoiceCancelled (the whole invoice already is), FeeAlreadyWaived (this line already
    has its credit note), NothingToWaive (a line of 0,00 $).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    clean_reason = required_reason(reason)
    line = uow.session.get(InvoiceLine, line_id)
    if line is None:
        raise NotFound(N_("Ligne de facture introuvable."))
    if line.is_voluntary:
        raise ContributionNotWaivable()
    figures = locked_invoice_figures(uow, line.invoice_id)
    if figures.is_cancelled:
        raise InvoiceCancelled()
    already = waiving_note(uow, line_id)
    if already is not None:
        raise FeeAlreadyWaived(number=already)
    if line.amount <= 0:
        raise NothingToWaive()
    returned = max(ZERO, line.amount - max(figures.balance, ZERO))
    releases = _release(uow, line.invoice_id, returned) if returned else []
    number = next_credit_note_number(uow)
    credit_note = CreditNote(
        number=number,
        invoice_id=line.invoice_id,
        invoice_line_id=line_id,
        amount=line.amount,
        reason=clean_reason,
        created_at=utc_now(uow),
        created_by_id=actor_id,
    )
    uow.session.add_all([*releases, credit_note])
    uow.session.flush()
    link_records(uow, [*releases, credit_note])
    balance_after = figures.balance - line.amount + returned
    record_event(
        uow,
        actor_id,
        "fee.waive",
        "invoice_line",
        line_id,
        {"balance_cents": to_cents(figures.balance), "paid_cents": to_cents(figures.paid)},
        {
            "credit_note": number,
            "amount_cents": to_cents(line.amount),
            "reason": clean_reason,
            "balance_cents": to_cents(balance_after),
            "returned_to_credit_cents": to_cents(returned),
        },
    )
    return WaivedFee(
        invoice_id=line.invoice_id,
        line_id=line_id,
        description=line.description,
        credit_note_number=number,
        amount=line.amount,
        reason=clean_reason,
        invoice_balance_after=balance_after,
        returned_to_credit=returned,
        family_credit_after=family_credit(uow, figures.family_id),
    )

"""Voluntary contributions (student association, foundation…): the payer may decline them.

Declining or restoring writes a `ContributionChoice` row (linked in the ledger chain);
the invoice line itself is never edited (services/ledger/declines.py reads the state).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ContributionChoice, InvoiceLine
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.ledger_chain import link_records
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import to_cents
from registrar_tui.services.ledger.declines import declined_lines
from registrar_tui.services.ledger.errors import InvoiceAlreadyPaid, InvoiceCancelled, NotVoluntary
from registrar_tui.services.ledger.locks import lock_family, lock_invoices
from registrar_tui.services.ledger.statement import InvoiceFigures, invoice_figures


@dataclass(frozen=True)
class ContributionChange:
    """A voluntary line after a decline or a restore, and its invoice's new balance."""

    invoice_id: int
    line_id: int
    description: str
    amount: Decimal
    is_declined: bool
    invoice_balance_after: Decimal
    changed: bool
    """False when the line was already in the requested state (nothing written)."""


def _voluntary_line(uow: UnitOfWork, line_id: int) -> tuple[InvoiceLine, InvoiceFigures, bool]:
    """The line, its invoice's figures and whether the line is declined now (locked)."""
    line = uow.session.get(InvoiceLine, line_id)
    if line is None:
        raise NotFound(N_("Ligne de facture introuvable."))
    found = invoice_figures(uow, invoice_ids=(line.invoice_id,))
    lock_family(uow, found[0].family_id)
    lock_invoices(uow, (line.invoice_id,))
    uow.session.refresh(line)
    figures = invoice_figures(uow, invoice_ids=(line.invoice_id,))[0]
    if not line.is_voluntary:
        raise NotVoluntary()
    if figures.is_cancelled:
        raise InvoiceCancelled()
    return line, figures, line_id in declined_lines(uow, (line.invoice_id,))


def _set_declined(
    uow: UnitOfWork, line: InvoiceLine, figures: InvoiceFigures, declined: bool, actor_id: int
) -> ContributionChange:
    delta = -line.amount if declined else line.amount
    choice = ContributionChoice(
        invoice_line_id=require_id(line),
        declined=declined,
        chosen_at=utc_now(uow),
        chosen_by_id=actor_id,
    )
    uow.session.add(choice)
    uow.session.flush()
    link_records(uow, [choice])
    balance_after = figures.balance + delta
    record_event(
        uow,
        actor_id,
        "contribution.decline" if declined else "contribution.restore",
        "invoice_line",
        line.id,
        # The audit trail keeps cents.
        {"is_declined": not declined, "invoice_balance_cents": to_cents(figures.balance)},
        {"is_declined": declined, "invoice_balance_cents": to_cents(balance_after)},
    )
    return _change(line, declined, balance_after, changed=True)


def _change(
    line: InvoiceLine, declined: bool, balance: Decimal, *, changed: bool
) -> ContributionChange:
    return ContributionChange(
        invoice_id=line.invoice_id,
        line_id=require_id(line),
        description=line.description,
        amount=line.amount,
        is_declined=declined,
        invoice_balance_after=balance,
        changed=changed,
    )


def decline_contribution(uow: UnitOfWork, line_id: int, actor_id: int) -> ContributionChange:
    """The payer declines a voluntary contribution: the invoice's balance drops by its amount.

    Declining a line already declined changes nothing. Refuses, writing nothing:
    PermissionDenied, NotFound, NotVoluntary (not a voluntary line), InvoiceCancelled,
    InvoiceAlreadyPaid (the invoice is paid, or what is already paid covers the line:
    declining would overpay it).
    """
    active_staff(uow, actor_id)
    line, figures, is_declined = _voluntary_line(uow, line_id)
    if is_declined:
        return _change(line, True, figures.balance, changed=False)
    if figures.balance <= 0:
        raise InvoiceAlreadyPaid()
    if line.amount > figures.balance:
        raise InvoiceAlreadyPaid(
            N_("Cette facture est déjà payée en partie : la cotisation ne peut plus être retirée.")
        )
    return _set_declined(uow, line, figures, True, actor_id)


def restore_contribution(uow: UnitOfWork, line_id: int, actor_id: int) -> ContributionChange:
    """Add a declined voluntary contribution back while the invoice is unpaid.

    Restoring a line already kept changes nothing. Refuses, writing nothing:
    PermissionDenied, NotFound, NotVoluntary, InvoiceCancelled, InvoiceAlreadyPaid.
    """
    active_staff(uow, actor_id)
    line, figures, is_declined = _voluntary_line(uow, line_id)
    if not is_declined:
        return _change(line, False, figures.balance, changed=False)
    if figures.balance <= 0 and figures.paid > 0:
        raise InvoiceAlreadyPaid()
    return _set_declined(uow, line, figures, False, actor_id)

"""Voluntary contributions (student association, foundation…): the payer may decline them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import InvoiceLine
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import to_cents
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


def _voluntary_line(uow: UnitOfWork, line_id: int) -> tuple[InvoiceLine, InvoiceFigures]:
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
    return line, figures


def _set_declined(
    uow: UnitOfWork, line: InvoiceLine, figures: InvoiceFigures, declined: bool, actor_id: int
) -> ContributionChange:
    delta = -line.amount if declined else line.amount
    line.is_declined = declined
    uow.session.add(line)
    uow.session.flush()
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
    return _change(line, balance_after, changed=True)


def _change(line: InvoiceLine, balance: Decimal, *, changed: bool) -> ContributionChange:
    return ContributionChange(
        invoice_id=line.invoice_id,
        line_id=require_id(line),
        description=line.description,
        amount=line.amount,
        is_declined=line.is_declined,
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
    line, figures = _voluntary_line(uow, line_id)
    if line.is_declined:
        return _change(line, figures.balance, changed=False)
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
    line, figures = _voluntary_line(uow, line_id)
    if not line.is_declined:
        return _change(line, figures.balance, changed=False)
    if figures.balance <= 0 and figures.paid > 0:
        raise InvoiceAlreadyPaid()
    return _set_declined(uow, line, figures, False, actor_id)

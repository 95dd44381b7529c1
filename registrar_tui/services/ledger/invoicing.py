"""Issuing invoices: the one path every charge takes (tuition, fees, activities).

Invoices are numbered from the gapless `invoice` counter (FAC00000123), written with
their lines in the caller's transaction, audited, and indexed for the search box. They
are never edited afterwards: corrections are credit notes (services/ledger/credit.py).

Lines come from the term's fee schedule (`schedule_fee`) or are given by the caller
(an activity's items); either way the amounts are integer cents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, FeeScheduleItem, Invoice, InvoiceLine, Term
from registrar_tui.models.base import FeeKind, Language, Role
from registrar_tui.services.audit.ledger_chain import link_records
from registrar_tui.services.audit.record import next_number, record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.core.money import ZERO, to_cents
from registrar_tui.services.search.index import reindex_family

INVOICE_SEQUENCE = "invoice"
"""The counter invoice numbers are taken from (the demo sets it past its invoices)."""
AUDIT_ACTION = "invoice.issue"
ISSUERS = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
"""Who may issue an invoice; callers narrow it (a re-enrolment: registrar and admin)."""
MSG_FEE_NOT_SCHEDULED = N_("Le frais « {code} » n'est pas au barème de la session {term}.")
MSG_NO_LINES = N_("Une facture doit avoir au moins une ligne.")


@dataclass(frozen=True)
class ScheduledFee:
    """A fee of a term's schedule, described in the language asked for."""

    code: str
    kind: FeeKind
    description: str
    amount: Decimal
    is_voluntary: bool
    discipline_id: int | None


@dataclass(frozen=True)
class NewLine:
    """A line to put on a new invoice."""

    fee_code: str
    description: str
    amount: Decimal
    is_voluntary: bool = False

    @classmethod
    def of(cls, fee: ScheduledFee, suffix: str = "") -> NewLine:
        return cls(fee.code, (fee.description + suffix)[:200], fee.amount, fee.is_voluntary)


@dataclass(frozen=True)
class IssuedInvoice:
    invoice_id: int
    number: str
    family_id: int
    student_id: int | None
    total: Decimal
    due_on: date


def _fee_view(item: FeeScheduleItem, language: Language) -> ScheduledFee:
    description = item.description_en if language is Language.ENGLISH else item.description_fr
    return ScheduledFee(
        code=item.code,
        kind=FeeKind(item.kind),
        description=description,
        amount=item.amount,
        is_voluntary=item.is_voluntary,
        discipline_id=item.discipline_id,
    )


def term_schedule(
    uow: UnitOfWork, term_id: int, language: Language = Language.FRENCH
) -> list[ScheduledFee]:
    """Every fee of a term, by code."""
    items = uow.session.exec(
        select(FeeScheduleItem)
        .where(col(FeeScheduleItem.term_id) == term_id)
        .order_by(col(FeeScheduleItem.code))
    ).all()
    return [_fee_view(item, language) for item in items]


def schedule_fee(
    uow: UnitOfWork, term_id: int, code: str, language: Language = Language.FRENCH
) -> ScheduledFee:
    """The fee `code` of the term's schedule; NotFound when the schedule lacks it."""
    item = uow.session.exec(
        select(FeeScheduleItem).where(
            col(FeeScheduleItem.term_id) == term_id, col(FeeScheduleItem.code) == code
        )
    ).first()
    if item is None:
        term = uow.session.get(Term, term_id)
        raise NotFound(MSG_FEE_NOT_SCHEDULED, code=code, term=term.code if term else term_id)
    return _fee_view(item, language)


def schedule_fee_of_kind(
    uow: UnitOfWork, term_id: int, kind: FeeKind, language: Language = Language.FRENCH
) -> ScheduledFee:
    """The (first) fee of a kind in the term's schedule, e.g. the late-confirmation fee."""
    item = uow.session.exec(
        select(FeeScheduleItem)
        .where(col(FeeScheduleItem.term_id) == term_id, col(FeeScheduleItem.kind) == kind)
        .order_by(col(FeeScheduleItem.code))
    ).first()
    if item is None:
        term = uow.session.get(Term, term_id)
        raise NotFound(MSG_FEE_NOT_SCHEDULED, code=kind.value, term=term.code if term else term_id)
    return _fee_view(item, language)


def issue_invoice(
    uow: UnitOfWork,
    *,
    actor_id: int,
    family_id: int,
    description: str,
    lines: Sequence[NewLine],
    due_on: date,
    student_id: int | None = None,
    term_id: int | None = None,
    establishment_id: int | None = None,
    roles: Iterable[Role] = ISSUERS,
    audit_context: dict[str, object] | None = None,
) -> IssuedInvoice:
    """Write a numbered invoice with its lines, audited and searchable, in this transaction.

    The invoice is dated today (local) and due on `due_on` (never before today); it belongs
    to the family's establishment unless another is given. Refuses: PermissionDenied (role
    not in `roles`), NotFound (family), InvalidInput (no line, negative amount).
    """
    active_staff(uow, actor_id, list(roles))
    family = uow.session.get(Family, family_id)
    if family is None:
        raise NotFound(N_("Famille introuvable."))
    if not lines:
        raise InvalidInput(MSG_NO_LINES)
    if any(line.amount < 0 for line in lines):
        raise InvalidInput(N_("Un montant de facture ne peut pas être négatif."))
    issued_on = local_date(uow.now())
    number = f"FAC{next_number(uow, INVOICE_SEQUENCE):08d}"
    invoice = Invoice(
        number=number,
        family_id=family_id,
        student_id=student_id,
        term_id=term_id,
        establishment_id=establishment_id or family.establishment_id,
        description=description[:200],
        issued_on=issued_on,
        due_on=max(due_on, issued_on),
        created_at=uow.now(),
        created_by_id=actor_id,
    )
    uow.session.add(invoice)
    uow.session.flush()
    assert invoice.id is not None
    rows = [
        InvoiceLine(
            invoice_id=invoice.id,
            position=position,
            fee_code=line.fee_code,
            description=line.description[:200],
            amount=line.amount,
            is_voluntary=line.is_voluntary,
        )
        for position, line in enumerate(lines, start=1)
    ]
    uow.session.add_all(rows)
    uow.session.flush()
    link_records(uow, [invoice, *rows])
    total = sum((line.amount for line in lines), ZERO)
    record_event(
        uow,
        actor_id,
        AUDIT_ACTION,
        "invoice",
        invoice.id,
        {},
        {
            "number": number,
            "family_id": family_id,
            "student_id": student_id,
            "term_id": term_id,
            "total_cents": to_cents(total),  # the audit trail keeps cents
            "lines": [line.fee_code for line in lines],
            **(audit_context or {}),
        },
    )
    reindex_family(uow, family_id)
    return IssuedInvoice(
        invoice_id=invoice.id,
        number=number,
        family_id=family_id,
        student_id=student_id,
        total=total,
        due_on=invoice.due_on,
    )

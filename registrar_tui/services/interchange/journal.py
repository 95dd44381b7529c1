"""The accounting journal of a period: every money movement of the ledger as balanced
double entries, with the accounts of the chart (services/interchange/accounts.py).

Two balance-sheet accounts follow the families' money, exactly as the ledger computes it
(services/ledger/statement.py):

- **receivables** = what invoices still owe: kept lines − allocations − credit notes;
- **family credit** (customer deposits) = payments not voided − their allocations − refunds.

Each movement is one entry whose debits equal its credits (amounts > 0, two decimals):

- invoice issued (its issue day): Dr receivables (total) / Cr the revenue of each line's
  fee code;
- voluntary contribution declined (that day): Dr its revenue / Cr receivables; restored:
  the reverse;
- fee waived (a credit note for one line) and invoice cancelled (a credit note): Dr the
  revenue of the line(s) still billed / Cr receivables;
- payment received: Dr the method's account / Cr receivables (each invoice it paid) and
  family credit (what it left over);
- payment voided (the void's day): the same, reversed (Dr receivables for what it paid
  back, family credit for the rest / Cr the method's account);
- family credit applied to an invoice: Dr family credit / Cr receivables; paid money
  returned to the credit (an invoice cancelled, a fee waived): the reverse;
- credit refunded: Dr family credit / Cr the refund method's account.

A declined contribution is an entry of its own, on the day it was declined (not an
invoice that never held the line): a period already exported never changes afterwards,
and the balance « as at » a day (services/interchange/ageing.py) counts the decline
from that day on, as this journal does.

Days are the school's (services/core/clock.py). An entry belongs to one establishment:
the invoice's for invoice-side movements, the paying (or refunding) site's for money.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import (
    Allocation,
    ContributionChoice,
    CreditNote,
    Establishment,
    Family,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentVoid,
    Receipt,
    Refund,
)
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.core.clock import LOCAL_TIMEZONE, as_utc, local_date
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.interchange.accounts import ChartOfAccounts, chart_of_accounts
from registrar_tui.services.interchange.csv_out import CsvCell

SAME_POSTING = timedelta(seconds=60)
"""Allocations written with their payment (or void) carry its instant; a minute's leeway
(same day) keeps a payment posted by another program in one entry."""
CHUNK = 900
T = TypeVar("T")


class EntryKind(enum.StrEnum):
    INVOICE = "invoice"
    DECLINE = "decline"
    RESTORE = "restore"
    WAIVER = "waiver"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    VOID = "void"
    CREDIT_APPLIED = "credit_applied"
    CREDIT_RETURNED = "credit_returned"
    REFUND = "refund"


KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.INVOICE: N_("Facture"),
    EntryKind.DECLINE: N_("Cotisation refusée"),
    EntryKind.RESTORE: N_("Cotisation rétablie"),
    EntryKind.WAIVER: N_("Frais annulé"),
    EntryKind.CREDIT_NOTE: N_("Note de crédit"),
    EntryKind.PAYMENT: N_("Paiement"),
    EntryKind.VOID: N_("Paiement annulé"),
    EntryKind.CREDIT_APPLIED: N_("Crédit appliqué"),
    EntryKind.CREDIT_RETURNED: N_("Reporté au crédit"),
    EntryKind.REFUND: N_("Remboursement"),
}


class UnmappedFeeCodes(InvalidInput):
    message = N_(
        "Aucun compte pour les codes de frais : {codes}. Définissez-les avec "
        "« registrar-tui accounts set fee CODE COMPTE --as ADMIN » (un préfixe ACT-* ou * "
        "prend plusieurs codes)."
    )


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit: Decimal
    credit: Decimal
    detail: str
    """What the line is about, beyond the entry: a fee code, an invoice number, a method."""


@dataclass(frozen=True)
class JournalEntry:
    """One balanced entry: its lines' debits equal their credits."""

    reference: str
    """Stable and unique: the same movement has the same reference in every export."""
    on: date
    kind: EntryKind
    document: str
    """The paper it rests on: invoice, credit note or receipt number."""
    establishment: str
    family_number: str
    lines: tuple[JournalLine, ...]
    at: datetime = field(compare=False)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


@dataclass(frozen=True)
class Journal:
    start: date
    end: date
    establishment: str | None
    entries: tuple[JournalEntry, ...]
    total_debit: Decimal
    total_credit: Decimal


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of the first moment of `start` and of the day after `end`."""
    low = datetime.combine(start, time(0), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LOCAL_TIMEZONE)
    return low, high.astimezone(UTC)


def _chunks(items: Iterable[T]) -> Iterable[list[T]]:
    ordered = list(items)
    for index in range(0, len(ordered), CHUNK):
        yield ordered[index : index + CHUNK]


def same_posting(origin: datetime, instant: datetime) -> bool:
    """An allocation written with the payment (or void) made at `origin`."""
    gap = as_utc(instant) - as_utc(origin)
    return timedelta(0) <= gap <= SAME_POSTING and local_date(origin) == local_date(instant)


@dataclass(frozen=True)
class _Line:
    id: int
    invoice_id: int
    fee_code: str
    amount: Decimal


class _Builder:
    """Reads the period's records and turns them into entries."""

    def __init__(self, uow: UnitOfWork, chart: ChartOfAccounts, start: date, end: date) -> None:
        self.uow = uow
        self.chart = chart
        self.start, self.end = start, end
        self.low, self.high = local_bounds(start, end)
        self.entries: list[tuple[int, JournalEntry]] = []
        """(family id, entry): the family's number is filled in by `finish`."""
        self.establishments = {
            site.id: site.code for site in uow.session.exec(select(Establishment)).all()
        }
        self.invoices: dict[int, Invoice] = {}
        self.families: dict[int, str] = {}
        self.missing_codes: set[str] = set()

    # ------------------------------------------------------------------ reading

    def _load_invoices(self, ids: Iterable[int]) -> None:
        wanted = {i for i in ids if i not in self.invoices}
        for chunk in _chunks(wanted):
            for invoice in self.uow.session.exec(
                select(Invoice).where(col(Invoice.id).in_(chunk))
            ).all():
                assert invoice.id is not None
                self.invoices[invoice.id] = invoice

    def _load_families(self, ids: Iterable[int]) -> None:
        wanted = {i for i in ids if i not in self.families}
        for chunk in _chunks(wanted):
            for family_id, number in self.uow.session.exec(
                select(Family.id, Family.family_number).where(col(Family.id).in_(chunk))
            ).all():
                assert family_id is not None
                self.families[family_id] = number

    def _lines_of(self, invoice_ids: Iterable[int]) -> dict[int, list[_Line]]:
        # Plain rows, not ORM objects: a year holds hundreds of thousands of lines.
        found: dict[int, list[_Line]] = defaultdict(list)
        for chunk in _chunks(set(invoice_ids)):
            for row in self.uow.session.execute(
                sa_select(
                    col(InvoiceLine.id),
                    col(InvoiceLine.invoice_id),
                    col(InvoiceLine.fee_code),
                    col(InvoiceLine.amount),
                )
                .where(col(InvoiceLine.invoice_id).in_(chunk))
                .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.position))
            ):
                found[row[1]].append(_Line(row[0], row[1], row[2], row[3]))
        return found

    def _in_period(self, column: Any) -> Any:
        return (column >= self.low) & (column < self.high)

    def _fee(self, code: str) -> str:
        account = self.chart.fee_account(code)
        if account is None:
            self.missing_codes.add(code)
            return ""
        return account

    # ------------------------------------------------------------------ entries

    def _add(
        self,
        *,
        reference: str,
        at: datetime,
        on: date | None = None,
        kind: EntryKind,
        document: str,
        establishment_id: int,
        family_id: int,
        lines: Sequence[JournalLine],
    ) -> None:
        kept = tuple(line for line in lines if line.debit or line.credit)
        if not kept:
            return
        entry = JournalEntry(
            reference=reference,
            on=on or local_date(at),
            kind=kind,
            document=document,
            establishment=self.establishments.get(establishment_id, ""),
            family_number="",
            lines=kept,
            at=as_utc(at),
        )
        assert entry.debit == entry.credit, f"unbalanced entry {reference}"
        self.entries.append((family_id, entry))

    def _invoice_side(
        self,
        invoice: Invoice,
        reference: str,
        at: datetime,
        kind: EntryKind,
        document: str,
        revenue: Sequence[tuple[str, Decimal]],
        *,
        billing: bool,
    ) -> None:
        """Receivables against revenue: `billing` debits receivables (an invoice, a
        restore), otherwise credits them (notes, declines)."""
        total = sum((amount for _code, amount in revenue), ZERO)
        lines = [
            JournalLine(
                self._fee(code),
                ZERO if billing else amount,
                amount if billing else ZERO,
                code,
            )
            for code, amount in revenue
            if amount
        ]
        receivable = JournalLine(
            self.chart.receivable,
            total if billing else ZERO,
            ZERO if billing else total,
            invoice.number,
        )
        assert invoice.id is not None
        self._add(
            reference=reference,
            at=at,
            on=invoice.issued_on if kind is EntryKind.INVOICE else None,
            kind=kind,
            document=document,
            establishment_id=invoice.establishment_id,
            family_id=invoice.family_id,
            lines=[receivable, *lines] if billing else [*lines, receivable],
        )

    def invoices_issued(self) -> None:
        issued = self.uow.session.exec(
            select(Invoice).where(
                col(Invoice.issued_on) >= self.start, col(Invoice.issued_on) <= self.end
            )
        ).all()
        for invoice in issued:
            assert invoice.id is not None
            self.invoices[invoice.id] = invoice
        lines = self._lines_of(invoice.id for invoice in issued if invoice.id is not None)
        for invoice in issued:
            assert invoice.id is not None
            self._invoice_side(
                invoice,
                invoice.number,
                invoice.created_at,
                EntryKind.INVOICE,
                invoice.number,
                [(line.fee_code, line.amount) for line in lines[invoice.id]],
                billing=True,
            )

    def contribution_choices(self) -> None:
        chosen = self.uow.session.exec(
            select(ContributionChoice).where(self._in_period(col(ContributionChoice.chosen_at)))
        ).all()
        if not chosen:
            return
        line_ids = {choice.invoice_line_id for choice in chosen}
        lines: dict[int, InvoiceLine] = {}
        history: dict[int, list[ContributionChoice]] = defaultdict(list)
        for chunk in _chunks(line_ids):
            for line in self.uow.session.exec(
                select(InvoiceLine).where(col(InvoiceLine.id).in_(chunk))
            ).all():
                assert line.id is not None
                lines[line.id] = line
            for choice in self.uow.session.exec(
                select(ContributionChoice)
                .where(col(ContributionChoice.invoice_line_id).in_(chunk))
                .order_by(col(ContributionChoice.id))
            ).all():
                history[choice.invoice_line_id].append(choice)
        self._load_invoices(line.invoice_id for line in lines.values())
        wanted = {choice.id for choice in chosen}
        for line_id, choices in history.items():
            line = lines[line_id]
            if not line.is_voluntary:
                continue  # the ledger ignores a choice on a line that is not voluntary
            declined = False
            for choice in choices:
                changed = choice.declined != declined
                declined = choice.declined
                if not changed or choice.id not in wanted:
                    continue
                invoice = self.invoices[line.invoice_id]
                self._invoice_side(
                    invoice,
                    f"{invoice.number}-C{choice.id}",
                    choice.chosen_at,
                    EntryKind.DECLINE if choice.declined else EntryKind.RESTORE,
                    invoice.number,
                    [(line.fee_code, line.amount)],
                    billing=not choice.declined,
                )

    def credit_notes(self) -> None:
        notes = self.uow.session.exec(
            select(CreditNote).where(self._in_period(col(CreditNote.created_at)))
        ).all()
        if not notes:
            return
        self._load_invoices(note.invoice_id for note in notes)
        cancelled = {note.invoice_id for note in notes if note.invoice_line_id is None}
        lines = self._lines_of({note.invoice_id for note in notes})
        waived: dict[int, set[int]] = defaultdict(set)
        declined: set[int] = set()
        if cancelled:
            from registrar_tui.services.ledger.declines import declined_lines

            for chunk in _chunks(cancelled):
                for invoice_id, line_id in self.uow.session.exec(
                    select(CreditNote.invoice_id, CreditNote.invoice_line_id).where(
                        col(CreditNote.invoice_id).in_(chunk),
                        col(CreditNote.invoice_line_id).is_not(None),
                    )
                ).all():
                    assert line_id is not None
                    waived[invoice_id].add(line_id)
                declined |= declined_lines(self.uow, chunk)
        for note in notes:
            invoice = self.invoices[note.invoice_id]
            if note.invoice_line_id is not None:
                line = next(x for x in lines[note.invoice_id] if x.id == note.invoice_line_id)
                revenue = [(line.fee_code, note.amount)]
                kind = EntryKind.WAIVER
            else:
                # Cancelling reverses what the invoice still bills: its kept lines, less
                # the fees already waived (declines and waivers are refused afterwards).
                revenue = [
                    (line.fee_code, line.amount)
                    for line in lines[note.invoice_id]
                    if line.id not in declined and line.id not in waived[note.invoice_id]
                ]
                rest = note.amount - sum((amount for _code, amount in revenue), ZERO)
                if rest and lines[note.invoice_id]:
                    # Never seen from the services; a note that does not match its lines
                    # still reverses exactly its amount (the difference on the first fee).
                    revenue.append((lines[note.invoice_id][0].fee_code, rest))
                kind = EntryKind.CREDIT_NOTE
            positive = [(code, amount) for code, amount in revenue if amount > 0]
            negative = [(code, -amount) for code, amount in revenue if amount < 0]
            total = sum((a for _c, a in positive), ZERO) - sum((a for _c, a in negative), ZERO)
            lines_out = [
                *(JournalLine(self._fee(code), amount, ZERO, code) for code, amount in positive),
                *(JournalLine(self._fee(code), ZERO, amount, code) for code, amount in negative),
                JournalLine(self.chart.receivable, ZERO, total, invoice.number),
            ]
            self._add(
                reference=note.number,
                at=note.created_at,
                kind=kind,
                document=note.number,
                establishment_id=invoice.establishment_id,
                family_id=invoice.family_id,
                lines=lines_out,
            )

    def money(self) -> None:
        """Payments, voids, the allocations they carry, other allocations, refunds."""
        session = self.uow.session
        rows = session.exec(
            select(Allocation, Payment.received_at, PaymentVoid.voided_at)
            .join(Payment, col(Payment.id) == col(Allocation.payment_id))
            .outerjoin(PaymentVoid, col(PaymentVoid.payment_id) == col(Payment.id))
            .where(self._in_period(col(Allocation.created_at)))
            .order_by(col(Allocation.id))
        ).all()
        posted: dict[int, list[Allocation]] = defaultdict(list)
        reversed_: dict[int, list[Allocation]] = defaultdict(list)
        moved: dict[tuple[int, datetime], list[Allocation]] = defaultdict(list)
        for allocation, received_at, voided_at in rows:
            if (
                allocation.amount > 0
                and allocation.reallocates_id is None
                and same_posting(received_at, allocation.created_at)
            ):
                posted[allocation.payment_id].append(allocation)
            elif (
                allocation.amount < 0
                and voided_at is not None
                and same_posting(voided_at, allocation.created_at)
            ):
                reversed_[allocation.payment_id].append(allocation)
            else:
                moved[(allocation.invoice_id, as_utc(allocation.created_at))].append(allocation)
        self._load_invoices(allocation.invoice_id for allocation, _r, _v in rows)

        payments = session.exec(
            select(Payment, Receipt.number)
            .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
            .where(self._in_period(col(Payment.received_at)))
        ).all()
        for payment, number in payments:
            assert payment.id is not None
            self._payment(payment, number, posted.get(payment.id, []), voiding=False)

        voids = session.exec(
            select(PaymentVoid, Payment, Receipt.number)
            .join(Payment, col(Payment.id) == col(PaymentVoid.payment_id))
            .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
            .where(self._in_period(col(PaymentVoid.voided_at)))
        ).all()
        for void, payment, number in voids:
            assert payment.id is not None
            self._payment(
                payment, number, reversed_.get(payment.id, []), voiding=True, at=void.voided_at
            )

        for (invoice_id, at), allocations in moved.items():
            net = sum((allocation.amount for allocation in allocations), ZERO)
            if not net:
                continue
            invoice = self.invoices[invoice_id]
            first = min(allocation.id or 0 for allocation in allocations)
            applied = net > 0
            amount = abs(net)
            receivable = JournalLine(
                self.chart.receivable,
                ZERO if applied else amount,
                amount if applied else ZERO,
                invoice.number,
            )
            credit = JournalLine(
                self.chart.credit, amount if applied else ZERO, ZERO if applied else amount, ""
            )
            self._add(
                reference=f"{invoice.number}-A{first}",
                at=at,
                kind=EntryKind.CREDIT_APPLIED if applied else EntryKind.CREDIT_RETURNED,
                document=invoice.number,
                establishment_id=invoice.establishment_id,
                family_id=invoice.family_id,
                lines=[credit, receivable] if applied else [receivable, credit],
            )

        refunds = session.exec(
            select(Refund, Receipt.number)
            .join(Receipt, col(Receipt.refund_id) == col(Refund.id))
            .where(self._in_period(col(Refund.refunded_at)))
        ).all()
        for refund, number in refunds:
            account = self.chart.refunds[RefundMethod(refund.method)]
            self._add(
                reference=number,
                at=refund.refunded_at,
                kind=EntryKind.REFUND,
                document=number,
                establishment_id=refund.establishment_id,
                family_id=refund.family_id,
                lines=[
                    JournalLine(self.chart.credit, refund.amount, ZERO, ""),
                    JournalLine(account, ZERO, refund.amount, str(refund.method)),
                ],
            )

    def _payment(
        self,
        payment: Payment,
        number: str,
        allocations: list[Allocation],
        *,
        voiding: bool,
        at: datetime | None = None,
    ) -> None:
        """A payment (Dr its method, Cr what it paid and the credit it left), or its void
        (the same, reversed, on the void's day)."""
        method = PaymentMethod(payment.method)
        by_invoice: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for allocation in allocations:
            by_invoice[allocation.invoice_id] += abs(allocation.amount)
        paid = sum(by_invoice.values(), ZERO)
        rest = payment.amount - paid

        def line(account: str, amount: Decimal, detail: str, money_in: bool) -> JournalLine:
            # money_in: a debit when posting, a credit when voiding.
            debit = money_in != voiding
            return JournalLine(
                account, amount if debit else ZERO, ZERO if debit else amount, detail
            )

        lines = [line(self.chart.methods[method], payment.amount, method.value, True)]
        lines += [
            line(self.chart.receivable, amount, self.invoices[invoice_id].number, False)
            for invoice_id, amount in sorted(
                by_invoice.items(), key=lambda item: self.invoices[item[0]].number
            )
        ]
        if rest:
            lines.append(line(self.chart.credit, rest, "", False))
        if voiding:
            lines = lines[1:] + lines[:1]
        self._add(
            reference=f"{number}-ANN" if voiding else number,
            at=at if at is not None else payment.received_at,
            kind=EntryKind.VOID if voiding else EntryKind.PAYMENT,
            document=number,
            establishment_id=payment.establishment_id,
            family_id=payment.family_id,
            lines=lines,
        )

    def finish(self, establishment: str | None) -> list[JournalEntry]:
        if self.missing_codes:
            raise UnmappedFeeCodes(field="accounts", codes=", ".join(sorted(self.missing_codes)))
        self._load_families(family_id for family_id, _entry in self.entries)
        entries = [
            replace(entry, family_number=self.families.get(family_id, ""))
            for family_id, entry in self.entries
            if establishment is None or entry.establishment == establishment
        ]
        # Same instant: a credit note before the money it frees (EntryKind's order).
        order = {kind: index for index, kind in enumerate(EntryKind)}
        entries.sort(key=lambda entry: (entry.on, entry.at, order[entry.kind], entry.reference))
        return entries


def accounting_journal(
    uow: UnitOfWork, start: date, end: date, establishment: str | None = None
) -> Journal:
    """Every entry from `start` to `end` (both included, the school's days), of one
    establishment (its code) or all, in date order; debits equal credits per entry.

    Refuses: InvalidInput (`start` after `end`, field `start`), NotFound (unknown
    establishment code, field `establishment`), UnmappedFeeCodes (fee codes of the period
    that no account takes: all of them named, field `accounts`).
    """
    if start > end:
        raise InvalidInput(
            N_("La date de début ({start}) est après la date de fin ({end})."),
            field="start",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    if establishment is not None:
        known = uow.session.exec(
            select(Establishment.id).where(col(Establishment.code) == establishment)
        ).first()
        if known is None:
            raise NotFound(
                N_("Établissement inconnu « {code} »."), field="establishment", code=establishment
            )
    builder = _Builder(uow, chart_of_accounts(uow), start, end)
    builder.invoices_issued()
    builder.contribution_choices()
    builder.credit_notes()
    builder.money()
    entries = builder.finish(establishment)
    return Journal(
        start=start,
        end=end,
        establishment=establishment,
        entries=tuple(entries),
        total_debit=sum((entry.debit for entry in entries), ZERO),
        total_credit=sum((entry.credit for entry in entries), ZERO),
    )


JOURNAL_HEADER = (
    N_("date"),
    N_("écriture"),
    N_("type"),
    N_("pièce"),
    N_("compte"),
    N_("débit"),
    N_("crédit"),
    N_("établissement"),
    N_("description"),
)


def journal_rows(journal: Journal) -> tuple[list[str], list[list[CsvCell]]]:
    """The journal as a header (in the current language) and one row per entry line."""
    header = [_(name) for name in JOURNAL_HEADER]
    rows: list[list[CsvCell]] = []
    for entry in journal.entries:
        label = _(KIND_LABELS[entry.kind])
        for line in entry.lines:
            description = " · ".join(
                part for part in (label, entry.family_number, line.detail) if part
            )
            rows.append(
                [
                    entry.on,
                    entry.reference,
                    label,
                    entry.document,
                    line.account,
                    line.debit,
                    line.credit,
                    entry.establishment,
                    description,
                ]
            )
    return header, rows

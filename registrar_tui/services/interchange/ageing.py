"""The receivables ageing at a day: per family, what its invoices owed at the end of that
day, by days past due, and its family credit then.

« As at » is history, not today's balances: only what existed at the end of the day
counts — invoices issued by then, the declines and restores made by then (the latest
choice of each line by then), the allocations (payments, credit applied, voids' and
cancels' reversals) and credit notes written by then; payments received by then and not
voided by then, refunds made by then. So the totals equal the receivables and family
credit accounts of the journal (services/interchange/journal.py) summed from the first
day to that day.

Buckets, by days past the invoice's due date: the issue's four, 0–30 (due that day up to
30 days late), 31–60, 61–90 and over 90, plus « not yet due » (due after the day) in a
column of its own, so the four buckets hold exactly what is past due.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
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
    ReceivableByDueDate,
    Refund,
)
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.interchange.csv_out import CsvCell
from registrar_tui.services.interchange.journal import local_bounds


@dataclass(frozen=True)
class AgeingRow:
    """A family's receivables at the day, by bucket (the totals row has no family)."""

    family_number: str
    family_name: str
    establishment: str
    not_yet_due: Decimal
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    credit: Decimal
    """The family's credit at the day (money paid that no invoice held)."""

    @property
    def total(self) -> Decimal:
        """What the family's invoices owed (every bucket)."""
        return self.not_yet_due + self.days_0_30 + self.days_31_60 + self.days_61_90 + self.over_90

    @property
    def net(self) -> Decimal:
        """What the family owed once its credit is counted (negative: the school owes)."""
        return self.total - self.credit


@dataclass(frozen=True)
class Ageing:
    at: date
    establishment: str | None
    rows: tuple[AgeingRow, ...]
    totals: AgeingRow


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column), ZERO)


def _row(number: str, name: str, site: str, owed: list[Decimal], credit: Decimal) -> AgeingRow:
    return AgeingRow(
        family_number=number,
        family_name=name,
        establishment=site,
        not_yet_due=owed[0],
        days_0_30=owed[1],
        days_31_60=owed[2],
        days_61_90=owed[3],
        over_90=owed[4],
        credit=credit,
    )


def age_bucket(at: date, due_on: date) -> int:
    """The bucket of an invoice due on `due_on`, as at `at`: 0 not yet due, 1 0–30 days
    late, 2 31–60, 3 61–90, 4 over 90 (the order of `AgeingRow`'s figures). The one
    definition: the ageing's rows and its totals (`ageing_totals`) both bucket with it."""
    late = (at - due_on).days
    return 0 if late < 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4


def ageing_totals(uow: UnitOfWork, at: date) -> AgeingRow:
    """The totals row of `receivables_ageing(uow, at)` (every establishment), without its
    family rows: what the invoices owed at the end of `at` by bucket, summed per due date
    by the database (a few aggregate queries, for the office dashboard), then bucketed by
    `age_bucket`. The family credit is not summed (0,00 $ here).

    The same history rules as the rows: invoices issued by then, the latest choice of
    each voluntary line made by then, allocations and credit notes written by then.
    """
    session = uow.session
    _low, end = local_bounds(at, at)
    issued = col(Invoice.issued_on) <= at
    owed: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for due_on, amount in session.execute(
        sa_select(col(Invoice.due_on), _sum(InvoiceLine.amount))
        .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
        .where(issued)
        .group_by(col(Invoice.due_on))
    ).all():
        owed[due_on] += amount
    later = aliased(ContributionChoice)
    latest_by_then = (
        sa_select(col(ContributionChoice.invoice_line_id))
        .where(
            col(ContributionChoice.chosen_at) < end,
            col(ContributionChoice.declined),
            ~exists().where(
                col(later.invoice_line_id) == col(ContributionChoice.invoice_line_id),
                col(later.chosen_at) < end,
                col(later.id) > col(ContributionChoice.id),
            ),
        )
        .scalar_subquery()
    )
    less = (
        # Lines declined at the day, then allocations and credit notes written by then.
        sa_select(col(Invoice.due_on), _sum(InvoiceLine.amount))
        .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
        .where(issued, col(InvoiceLine.is_voluntary), col(InvoiceLine.id).in_(latest_by_then))
        .group_by(col(Invoice.due_on)),
        sa_select(col(Invoice.due_on), _sum(Allocation.amount))
        .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
        .where(issued, col(Allocation.created_at) < end)
        .group_by(col(Invoice.due_on)),
        sa_select(col(Invoice.due_on), _sum(CreditNote.amount))
        .join(Invoice, col(Invoice.id) == col(CreditNote.invoice_id))
        .where(issued, col(CreditNote.created_at) < end)
        .group_by(col(Invoice.due_on)),
    )
    for query in less:
        for due_on, amount in session.execute(query).all():
            owed[due_on] -= amount
    buckets = [ZERO] * 5
    for due_on, amount in owed.items():
        buckets[age_bucket(at, due_on)] += amount
    return _row("", "", "", buckets, ZERO)


def running_ageing_totals(uow: UnitOfWork, at: date) -> AgeingRow:
    """The totals of `ageing_totals(uow, at)` for `at` today or later, read from the
    running sums the database keeps by issue and due date (models/receivables.py): one
    query over a few thousand rows instead of every line, allocation and credit note.

    The same figures as `ageing_totals` as long as nothing was written after `at`'s end
    (the running sums hold every row written so far): for the office dashboard, as of now.
    """
    buckets = [ZERO] * 5
    for due_on, amount in uow.session.execute(
        sa_select(col(ReceivableByDueDate.due_on), _sum(ReceivableByDueDate.owed))
        .where(col(ReceivableByDueDate.issued_on) <= at)
        .group_by(col(ReceivableByDueDate.due_on))
    ).all():
        buckets[age_bucket(at, due_on)] += amount
    return _row("", "", "", buckets, ZERO)


def receivables_ageing(uow: UnitOfWork, at: date, establishment: str | None = None) -> Ageing:
    """Every family that owed something or held credit at the end of `at` (the school's
    day), of one establishment (the family's) or all, by family number.

    Refuses: NotFound (unknown establishment code, field `establishment`).
    """
    session = uow.session
    sites = {site.id: site.code for site in session.exec(select(Establishment)).all()}
    if establishment is not None and establishment not in sites.values():
        raise NotFound(
            N_("Établissement inconnu « {code} »."), field="establishment", code=establishment
        )
    _low, end = local_bounds(at, at)

    invoices = session.execute(
        sa_select(col(Invoice.id), col(Invoice.family_id), col(Invoice.due_on)).where(
            col(Invoice.issued_on) <= at
        )
    ).all()
    billed: dict[int, Decimal] = dict(
        session.execute(
            sa_select(col(InvoiceLine.invoice_id), _sum(InvoiceLine.amount))
            .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
            .where(col(Invoice.issued_on) <= at)
            .group_by(col(InvoiceLine.invoice_id))
        ).all()
    )
    # Declined at the day: the latest choice of each voluntary line made by then.
    latest: dict[int, bool] = {}
    for line_id, declined in session.exec(
        select(ContributionChoice.invoice_line_id, ContributionChoice.declined)
        .where(col(ContributionChoice.chosen_at) < end)
        .order_by(col(ContributionChoice.id))
    ).all():
        latest[line_id] = declined
    declined_ids = [line_id for line_id, declined in latest.items() if declined]
    less: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for start in range(0, len(declined_ids), 900):
        for invoice_id, amount in session.execute(
            sa_select(col(InvoiceLine.invoice_id), col(InvoiceLine.amount)).where(
                col(InvoiceLine.id).in_(declined_ids[start : start + 900]),
                col(InvoiceLine.is_voluntary),
            )
        ).all():
            less[invoice_id] += amount
    for invoice_id, amount in session.execute(
        sa_select(col(Allocation.invoice_id), _sum(Allocation.amount))
        .where(col(Allocation.created_at) < end)
        .group_by(col(Allocation.invoice_id))
    ).all():
        less[invoice_id] += amount
    for invoice_id, amount in session.execute(
        sa_select(col(CreditNote.invoice_id), _sum(CreditNote.amount))
        .where(col(CreditNote.created_at) < end)
        .group_by(col(CreditNote.invoice_id))
    ).all():
        less[invoice_id] += amount

    buckets: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * 5)
    for invoice_id, family_id, due_on in invoices:
        assert invoice_id is not None
        balance = billed.get(invoice_id, ZERO) - less[invoice_id]
        if not balance:
            continue
        buckets[family_id][age_bucket(at, due_on)] += balance

    credit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    voided_by_then = (
        select(PaymentVoid.payment_id).where(col(PaymentVoid.voided_at) < end).scalar_subquery()
    )
    for family_id, amount in session.execute(
        sa_select(col(Payment.family_id), _sum(Payment.amount))
        .where(col(Payment.received_at) < end, col(Payment.id).not_in(voided_by_then))
        .group_by(col(Payment.family_id))
    ).all():
        credit[family_id] += amount
    for family_id, amount in session.execute(
        sa_select(col(Payment.family_id), _sum(Allocation.amount))
        .join(Payment, col(Payment.id) == col(Allocation.payment_id))
        .where(col(Allocation.created_at) < end)
        .group_by(col(Payment.family_id))
    ).all():
        credit[family_id] -= amount
    for family_id, amount in session.execute(
        sa_select(col(Refund.family_id), _sum(Refund.amount))
        .where(col(Refund.refunded_at) < end)
        .group_by(col(Refund.family_id))
    ).all():
        credit[family_id] -= amount

    wanted = sorted(
        {family_id for family_id, owed in buckets.items() if any(owed)}
        | {family_id for family_id, amount in credit.items() if amount}
    )
    rows: list[AgeingRow] = []
    for start in range(0, len(wanted), 900):
        for family in session.exec(
            select(Family).where(col(Family.id).in_(wanted[start : start + 900]))
        ).all():
            code = sites.get(family.establishment_id, "")
            if establishment is not None and code != establishment:
                continue
            assert family.id is not None
            owed = buckets.get(family.id, [ZERO] * 5)
            rows.append(_row(family.family_number, family.name, code, owed, credit[family.id]))
    rows.sort(key=lambda row: row.family_number)

    def total(index: int) -> Decimal:
        return sum(
            (
                (row.not_yet_due, row.days_0_30, row.days_31_60, row.days_61_90, row.over_90)[index]
                for row in rows
            ),
            ZERO,
        )

    totals = _row(
        "",
        "",
        establishment or "",
        [total(index) for index in range(5)],
        sum((row.credit for row in rows), ZERO),
    )
    return Ageing(at=at, establishment=establishment, rows=tuple(rows), totals=totals)


AGEING_HEADER = (
    N_("famille"),
    N_("nom"),
    N_("établissement"),
    N_("non échu"),
    N_("0-30 jours"),
    N_("31-60 jours"),
    N_("61-90 jours"),
    N_("plus de 90 jours"),
    N_("total"),
    N_("crédit"),
    N_("solde net"),
)


def ageing_rows(ageing: Ageing) -> tuple[list[str], list[list[CsvCell]]]:
    """The ageing as a header (current language), one row per family and a totals row."""

    def cells(row: AgeingRow, number: str) -> list[CsvCell]:
        return [
            number,
            row.family_name,
            row.establishment,
            row.not_yet_due,
            row.days_0_30,
            row.days_31_60,
            row.days_61_90,
            row.over_90,
            row.total,
            row.credit,
            row.net,
        ]

    rows = [cells(row, row.family_number) for row in ageing.rows]
    rows.append(cells(ageing.totals, _("TOTAL")))
    return [_(name) for name in AGEING_HEADER], rows


def ageing_pdf(uow: UnitOfWork, ageing: Ageing, language: str) -> bytes:
    """The ageing as a PDF (reports/receivables.py) in `language` (`fr_CA` or `en`); the
    issuer is the establishment asked for, else the first one (the lowest id)."""
    from registrar_tui.reports.documents import ReceivablesDocument, ReceivablesRow
    from registrar_tui.reports.receivables import render_receivables
    from registrar_tui.services.documents.build import issuer_for
    from registrar_tui.services.ledger.posted_receipts import establishment_view

    query = select(Establishment.id).order_by(col(Establishment.id))
    if ageing.establishment is not None:
        query = query.where(col(Establishment.code) == ageing.establishment)
    site_id = uow.session.exec(query).first()
    if site_id is None:
        raise NotFound(N_("Aucun établissement."), field="establishment")

    def document_row(row: AgeingRow) -> ReceivablesRow:
        return ReceivablesRow(
            family_number=row.family_number,
            family_name=row.family_name,
            establishment_code=row.establishment,
            not_yet_due=row.not_yet_due,
            days_0_30=row.days_0_30,
            days_31_60=row.days_31_60,
            days_61_90=row.days_61_90,
            over_90=row.over_90,
            total=row.total,
            credit=row.credit,
            net=row.net,
        )

    document = ReceivablesDocument(
        issuer=issuer_for(uow, establishment_view(uow, site_id)),
        at=ageing.at,
        produced_at=uow.now(),
        rows=tuple(document_row(row) for row in ageing.rows),
        totals=document_row(ageing.totals),
        establishment_code=ageing.establishment,
        language="en" if language == "en" else "fr_CA",
    )
    return render_receivables(document)

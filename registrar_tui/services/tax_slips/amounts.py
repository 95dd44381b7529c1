"""The amounts of a calendar year's slips, per student, from what was paid and attended.

The rules (docs/tax-slips.md repeats them for the accountant):

- **Eligible fees** are the invoice lines whose fee code the admin marked eligible
  (`tax_fee_code`), never a voluntary line, never a line waived by a credit note, nothing
  of an invoice cancelled by a credit note. An invoice counts for the student it names
  (`Invoice.student_id`); a family-level invoice counts for nobody.
- **Paid in the year** is dated by the payment (`paid_at` for an online payment, else
  `received_at`), in the school's time zone. A payment counts with every allocation row it
  has today, later reversals included (a fee waived after it was paid gives that money
  back to the family's credit: it did not pay tuition). A voided payment counts for
  nothing, whatever the year of the void: the slip of its year is amended at the next
  build.
- **A payment across eligible and ineligible lines** of one invoice pays the ineligible
  lines first: per invoice, with I its charged ineligible total and E its charged eligible
  total, what was paid up to an instant P makes eligible `min(E, max(0, P - I))`, and the
  year's eligible amount is that figure at the end of the year less the same figure at
  its start. A slip so never certifies tuition as paid while a fee of the same invoice
  that is not tuition is still owed, and the amounts of all years add up to E.
- **Sessions** (RL-8 box A): terms begun and completed in the year in which the student
  has an enrolment (not dropped) in a discipline flagged post-secondary and full time.
- **Months** (T2202 boxes 24 and 25): the calendar months of the year touched by a term
  in which the student has an enrolment in a post-secondary discipline; a month counts
  once, full time when any such discipline is full time. The CRA's minimums (three
  consecutive weeks, twelve hours a month part time) are not checked: a school's terms
  all meet them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import and_, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    Allocation,
    ContributionChoice,
    Course,
    CreditNote,
    Discipline,
    Enrolment,
    EnrolmentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentVoid,
    Term,
)
from registrar_tui.services.core.clock import LOCAL_TIMEZONE
from registrar_tui.services.tax_slips.setup import eligible_fee_codes

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SessionPeriod:
    """One T2202 session period (boxes 19 to 23): a term the student attended or paid."""

    term_code: str
    starts: str
    """`YYYY-MM` (box 19)."""
    ends: str
    """`YYYY-MM` (box 20)."""
    months_part_time: int
    months_full_time: int
    eligible_tuition: Decimal

    def line(self) -> str:
        return (
            f"{self.term_code} {self.starts} {self.ends} {self.months_part_time} "
            f"{self.months_full_time} {self.eligible_tuition}"
        )


@dataclass(frozen=True)
class StudentAmounts:
    """What a student's slips of the year say."""

    student_id: int
    eligible_tuition: Decimal
    full_time_sessions: int
    months_part_time: int
    months_full_time: int
    periods: tuple[SessionPeriod, ...] = ()
    program_name: str = ""

    @property
    def needs_rl8(self) -> bool:
        return self.eligible_tuition > 0 or self.full_time_sessions > 0

    @property
    def needs_t2202(self) -> bool:
        return self.eligible_tuition > 0 or self.months_part_time + self.months_full_time > 0

    @property
    def periods_text(self) -> str:
        return "\n".join(period.line() for period in self.periods)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next one at the school, in UTC."""
    start = datetime(year, 1, 1, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    return start, end


def eligible_part(paid: Decimal, ineligible: Decimal, eligible: Decimal) -> Decimal:
    """What of `paid` on one invoice went to its eligible lines (ineligible lines first)."""
    return min(eligible, max(ZERO, paid - ineligible))


@dataclass
class _Charges:
    student_id: int
    term_id: int | None
    eligible: Decimal = ZERO
    ineligible: Decimal = ZERO


@dataclass
class _Attendance:
    part_months: set[int] = field(default_factory=set)
    full_months: set[int] = field(default_factory=set)
    full_sessions: set[int] = field(default_factory=set)
    terms: dict[int, tuple[int, int]] = field(default_factory=dict)
    """term id → (part months, full months) in the year."""
    programmes: set[str] = field(default_factory=set)


def _charges(uow: UnitOfWork, invoice_ids: Iterable[int]) -> dict[int, _Charges]:
    """Per invoice: the charged eligible and ineligible totals (see the module's rules)."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    codes = eligible_fee_codes(uow)
    charges: dict[int, _Charges] = {}
    cancelled: set[int] = set()
    waived: set[int] = set()
    for chunk_start in range(0, len(ids), 2000):
        chunk = ids[chunk_start : chunk_start + 2000]
        for invoice_id, student_id, term_id in uow.session.exec(
            select(Invoice.id, Invoice.student_id, Invoice.term_id).where(
                col(Invoice.id).in_(chunk)
            )
        ):
            if invoice_id is not None and student_id is not None:
                charges[invoice_id] = _Charges(student_id, term_id)
        for invoice_id, line_id in uow.session.exec(
            select(CreditNote.invoice_id, CreditNote.invoice_line_id).where(
                col(CreditNote.invoice_id).in_(chunk)
            )
        ):
            if line_id is None:
                cancelled.add(invoice_id)
            else:
                waived.add(line_id)
        # The latest choice of each voluntary line: declined lines are not owed.
        latest = (
            select(
                ContributionChoice.invoice_line_id,
                func.max(ContributionChoice.id).label("latest"),
            )
            .join(InvoiceLine, col(InvoiceLine.id) == col(ContributionChoice.invoice_line_id))
            .where(col(InvoiceLine.invoice_id).in_(chunk))
            .group_by(col(ContributionChoice.invoice_line_id))
            .subquery()
        )
        declined = set(
            uow.session.exec(
                select(ContributionChoice.invoice_line_id)
                .join(latest, col(ContributionChoice.id) == latest.c.latest)
                .where(col(ContributionChoice.declined))
            ).all()
        )
        for line_id, invoice_id, fee_code, amount, is_voluntary in uow.session.execute(
            sa_select(
                col(InvoiceLine.id),
                col(InvoiceLine.invoice_id),
                col(InvoiceLine.fee_code),
                col(InvoiceLine.amount),
                col(InvoiceLine.is_voluntary),
            ).where(col(InvoiceLine.invoice_id).in_(chunk))
        ):
            target = charges.get(invoice_id)
            if target is None or invoice_id in cancelled or line_id in waived:
                continue
            if is_voluntary:
                if line_id not in declined:
                    target.ineligible += amount
            elif fee_code.upper() in codes:
                target.eligible += amount
            else:
                target.ineligible += amount
    return charges


def _paid(uow: UnitOfWork, year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """Per invoice: (paid before the year, paid up to its end), voided payments left out."""
    start, end = year_bounds(year)
    paid_on = func.coalesce(col(Payment.paid_at), col(Payment.received_at))
    voided = exists().where(col(PaymentVoid.payment_id) == col(Payment.id))
    rows = uow.session.execute(
        sa_select(col(Allocation.invoice_id), col(Allocation.amount), paid_on)
        .join(Payment, col(Payment.id) == col(Allocation.payment_id))
        .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
        .where(~voided, paid_on < end, col(Invoice.student_id).is_not(None))
    )
    before: dict[int, Decimal] = defaultdict(lambda: ZERO)
    through: dict[int, Decimal] = defaultdict(lambda: ZERO)
    touched: set[int] = set()
    naive_start = start.replace(tzinfo=None)
    for invoice_id, amount, instant in rows:
        through[invoice_id] += amount
        moment = instant if isinstance(instant, datetime) else datetime.fromisoformat(instant)
        earlier = moment < start if moment.tzinfo is not None else moment < naive_start
        if earlier:
            before[invoice_id] += amount
        else:
            touched.add(invoice_id)
    return {invoice_id: (before[invoice_id], through[invoice_id]) for invoice_id in touched}


def _months(starts_on: date, ends_on: date, year: int) -> set[int]:
    first = max(starts_on, date(year, 1, 1))
    last = min(ends_on, date(year, 12, 31))
    if first > last:
        return set()
    return set(range(first.month, last.month + 1))


def _attendance(uow: UnitOfWork, year: int) -> tuple[dict[int, _Attendance], dict[int, Term]]:
    rows = uow.session.exec(
        select(
            Enrolment.student_id,
            Term,
            Discipline.is_full_time,
            Discipline.name_fr,
        )
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .join(Discipline, col(Discipline.id) == col(Course.discipline_id))
        .join(Term, col(Term.id) == col(Course.term_id))
        .where(
            col(Discipline.is_post_secondary),
            col(Enrolment.status) != EnrolmentStatus.DROPPED,
            and_(col(Term.starts_on) <= date(year, 12, 31), col(Term.ends_on) >= date(year, 1, 1)),
        )
    )
    found: dict[int, _Attendance] = defaultdict(_Attendance)
    terms: dict[int, Term] = {}
    for student_id, term, full_time, name in rows:
        assert term.id is not None
        terms[term.id] = term
        seen = found[student_id]
        months = _months(term.starts_on, term.ends_on, year)
        part, full = seen.terms.get(term.id, (0, 0))
        if full_time:
            seen.full_months |= months
            full = len(months)
            part = 0
            if term.starts_on.year == year and term.ends_on.year == year:
                seen.full_sessions.add(term.id)
        else:
            seen.part_months |= months
            if not full:
                part = len(months)
        seen.terms[term.id] = (part, full)
        seen.programmes.add(name)
    return found, terms


def year_amounts(uow: UnitOfWork, year: int) -> dict[int, StudentAmounts]:
    """Every student with something for `year`'s slips: student id → amounts."""
    paid = _paid(uow, year)
    charges = _charges(uow, paid)
    attendance, terms = _attendance(uow, year)
    tuition: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_term: dict[int, dict[int | None, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for invoice_id, (before, through) in paid.items():
        charge = charges.get(invoice_id)
        if charge is None:
            continue
        amount = eligible_part(through, charge.ineligible, charge.eligible) - eligible_part(
            before, charge.ineligible, charge.eligible
        )
        if amount:
            tuition[charge.student_id] += amount
            by_term[charge.student_id][charge.term_id] += amount
    missing_terms = {
        term_id
        for amounts in by_term.values()
        for term_id in amounts
        if term_id is not None and term_id not in terms
    }
    if missing_terms:
        for term in uow.session.exec(select(Term).where(col(Term.id).in_(missing_terms))):
            assert term.id is not None
            terms[term.id] = term
    result: dict[int, StudentAmounts] = {}
    for student_id in sorted(set(tuition) | set(attendance)):
        seen = attendance.get(student_id, _Attendance())
        periods: list[SessionPeriod] = []
        term_amounts = by_term.get(student_id, {})
        for term_id in sorted(
            set(seen.terms) | {t for t in term_amounts if t is not None},
            key=lambda t: (terms[t].starts_on, terms[t].code),
        ):
            term = terms[term_id]
            part, full = seen.terms.get(term_id, (0, 0))
            periods.append(
                SessionPeriod(
                    term_code=term.code,
                    starts=f"{term.starts_on:%Y-%m}",
                    ends=f"{term.ends_on:%Y-%m}",
                    months_part_time=part,
                    months_full_time=full,
                    eligible_tuition=term_amounts.get(term_id, ZERO),
                )
            )
        unattached = term_amounts.get(None, ZERO)
        if unattached:
            periods.append(SessionPeriod("", f"{year}-01", f"{year}-12", 0, 0, unattached))
        result[student_id] = StudentAmounts(
            student_id=student_id,
            eligible_tuition=tuition.get(student_id, ZERO),
            full_time_sessions=len(seen.full_sessions),
            months_part_time=len(seen.part_months - seen.full_months),
            months_full_time=len(seen.full_months),
            periods=tuple(periods),
            program_name=min(seen.programmes)[:30] if seen.programmes else "",
        )
    return result

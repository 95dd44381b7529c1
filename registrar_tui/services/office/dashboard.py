"""The office dashboard (issue #16 part 5): every figure in one read, a few aggregate queries.

- receipts per day, the last 30 days at the school (today included, a day without any
  receipt as zero): the payments received that day and not voided since (a voided payment
  was never money received; the day close shows the void itself);
- totals by payment method, today and this calendar month (the same payments);
- receivables by age bucket: the totals of the receivables ageing as at today
  (services/interchange/ageing.py, its buckets), from the running sums the database keeps
  by due date (`running_ageing_totals`: exact at every commit, no scan of the ledger);
- requests waiting for a decision (identity changes, re-enrolments) by age: under two
  days, two to seven, over seven;
- the drawers: open (payments received since its last close) or closed today;
- reminders sent this month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    ChangeRequest,
    DayClose,
    Establishment,
    Payment,
    PaymentVoid,
    ReenrolmentRequest,
    ReminderLetter,
    StaffUser,
)
from registrar_tui.models.base import PaymentMethod, RequestStatus, Role
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc, local_date, utc_now
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.interchange.ageing import AgeingRow, running_ageing_totals
from registrar_tui.services.interchange.journal import local_bounds

RECEIPT_DAYS = 30
"""The bar chart's days: today and the 29 before it."""


@dataclass(frozen=True)
class DayReceipts:
    """The payments received on one day at the school (not voided)."""

    day: date
    count: int
    amount: Decimal


@dataclass(frozen=True)
class MethodTotal:
    """One payment method's receipts today and this month."""

    method: PaymentMethod
    today_count: int
    today_amount: Decimal
    month_count: int
    month_amount: Decimal


@dataclass(frozen=True)
class PendingByAge:
    """Requests of one kind waiting for a decision, by how long they have waited."""

    kind: str
    """`change` (identity changes) or `reenrolment`."""
    under_2_days: int
    days_2_to_7: int
    over_7_days: int

    @property
    def total(self) -> int:
        return self.under_2_days + self.days_2_to_7 + self.over_7_days


@dataclass(frozen=True)
class DrawerState:
    """A clerk's drawer at an establishment (or the portal's « en ligne » one)."""

    clerk_name: str
    establishment_code: str
    is_online: bool
    is_open: bool
    """Payments received since its last close (a drawer closed today otherwise)."""
    payments_since_close: int
    last_closed_at: datetime | None


@dataclass(frozen=True)
class OfficeDashboard:
    """Everything the dashboard shows, read at `at` (today is `at`'s day at the school)."""

    at: datetime
    today: date
    receipts: tuple[DayReceipts, ...]
    """The last `RECEIPT_DAYS` days, oldest first, today last."""
    methods: tuple[MethodTotal, ...]
    """Every payment method, in the order of `PaymentMethod`."""
    today_total: Decimal
    month_total: Decimal
    receivables: AgeingRow
    """The receivables ageing's totals as at today (no family, no credit)."""
    pending: tuple[PendingByAge, ...]
    drawers: tuple[DrawerState, ...]
    """Open drawers first, then closed ones; by establishment code and clerk name."""
    reminders_this_month: int

    @property
    def busiest_day(self) -> Decimal:
        """The largest day's receipts of the chart (0,00 $ when none)."""
        return max((receipt.amount for receipt in self.receipts), default=ZERO)

    def bar_heights(self, steps: int) -> tuple[int, ...]:
        """Each day's bar, in `steps` steps of the busiest day's (rounded half up); a day
        with receipts gets one step at least, so that it never looks like a day without."""
        top = self.busiest_day
        if not top:
            return tuple(0 for _receipt in self.receipts)
        return tuple(
            max(1, int((receipt.amount * steps / top).to_integral_value(ROUND_HALF_UP)))
            if receipt.amount
            else 0
            for receipt in self.receipts
        )


def office_dashboard(uow: UnitOfWork, actor_id: int) -> OfficeDashboard:
    """Every figure of the office dashboard, as of now.

    Refuses PermissionDenied (not an active registrar or admin).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    now = utc_now(uow)
    today = local_date(now)
    month_start = today.replace(day=1)
    first_day = min(today - timedelta(days=RECEIPT_DAYS - 1), month_start)
    per_day, methods, today_total, month_total = _receipts(uow, first_day, today, month_start)
    return OfficeDashboard(
        at=now,
        today=today,
        receipts=per_day,
        methods=methods,
        today_total=today_total,
        month_total=month_total,
        receivables=running_ageing_totals(uow, today),
        pending=(
            _pending(uow, "change", ChangeRequest, now),
            _pending(uow, "reenrolment", ReenrolmentRequest, now),
        ),
        drawers=_drawers(uow, today),
        reminders_this_month=reminders_sent(uow, month_start, today),
    )


def _receipts(
    uow: UnitOfWork, first_day: date, today: date, month_start: date
) -> tuple[tuple[DayReceipts, ...], tuple[MethodTotal, ...], Decimal, Decimal]:
    """One query: the payments not voided from `first_day` to today, by day and method.

    A day's bounds are the school's midnights (a change of hour inside the window
    included), given to the database as instants: `received_at` holds UTC.
    """
    days = [first_day + timedelta(days=index) for index in range((today - first_day).days + 1)]
    bounds = [local_bounds(day, day)[1] for day in days]
    received = col(Payment.received_at)
    day_index: Any = case(
        *((received < bound, index) for index, bound in enumerate(bounds)),
        else_=len(bounds),
    )
    start = local_bounds(first_day, first_day)[0]
    voided = exists().where(col(PaymentVoid.payment_id) == col(Payment.id))
    rows = uow.session.execute(
        sa_select(
            day_index,
            col(Payment.method),
            func.count(),
            func.coalesce(func.sum(col(Payment.amount)), ZERO),
        )
        .where(received >= start, received < bounds[-1], ~voided)
        .group_by(day_index, col(Payment.method))
    ).all()
    count = [0] * len(days)
    amount = [ZERO] * len(days)
    by_method: dict[PaymentMethod, list[Any]] = {
        method: [0, ZERO, 0, ZERO] for method in PaymentMethod
    }
    for index, method, number, total in rows:
        count[index] += number
        amount[index] += total
        figures = by_method[PaymentMethod(method)]
        if days[index] >= month_start:
            figures[2] += number
            figures[3] += total
        if days[index] == today:
            figures[0] += number
            figures[1] += total
    shown = days[-RECEIPT_DAYS:]
    per_day = tuple(
        DayReceipts(day, count[index], amount[index])
        for index, day in enumerate(days)
        if day in shown
    )
    methods = tuple(MethodTotal(method, *figures) for method, figures in by_method.items())
    return (
        per_day,
        methods,
        sum((figure.today_amount for figure in methods), ZERO),
        sum((figure.month_amount for figure in methods), ZERO),
    )


def _pending(
    uow: UnitOfWork, kind: str, table: type[ChangeRequest] | type[ReenrolmentRequest], now: datetime
) -> PendingByAge:
    """One query: the pending requests of `table` by age (under 2 days, 2 to 7, over 7)."""
    submitted = col(table.submitted_at)
    two_days, seven_days = now - timedelta(days=2), now - timedelta(days=7)
    under_2, over_7 = submitted > two_days, submitted < seven_days
    row = uow.session.execute(
        sa_select(
            func.count(case((under_2, 1))),
            func.count(case((and_(~under_2, ~over_7), 1))),
            func.count(case((over_7, 1))),
        ).where(col(table.status) == RequestStatus.PENDING.value)
    ).one()
    return PendingByAge(kind, int(row[0]), int(row[1]), int(row[2]))


# Before any close: a drawer's period starts at the epoch.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _drawers(uow: UnitOfWork, today: date) -> tuple[DrawerState, ...]:
    """Each drawer's last close (one query over the closes), then, per staff member and
    establishment, its payments since (or since ever): a range of the index on
    payment(clerk_id, establishment_id, received_at) each, never a scan of the payments."""
    session = uow.session
    last_closes = (
        sa_select(
            col(DayClose.clerk_id).label("clerk_id"),
            col(DayClose.establishment_id).label("establishment_id"),
            func.max(col(DayClose.closed_at)).label("closed_at"),
        )
        .group_by(col(DayClose.clerk_id), col(DayClose.establishment_id))
        .subquery()
    )
    closed: dict[tuple[int, int], datetime] = {
        (clerk, site): as_utc(closed_at)
        for clerk, site, closed_at in session.execute(sa_select(last_closes))
    }
    staff_ids = [int(user_id) for (user_id,) in session.execute(sa_select(col(StaffUser.id)))]
    site_ids = [int(site) for (site,) in session.execute(sa_select(col(Establishment.id)))]
    open_drawers: dict[tuple[int, int], int] = {}
    for clerk in staff_ids:
        for site in site_ids:
            since = closed.get((clerk, site), _EPOCH)
            number = session.execute(
                sa_select(func.count()).where(
                    col(Payment.clerk_id) == clerk,
                    col(Payment.establishment_id) == site,
                    col(Payment.received_at) > since,
                )
            ).scalar_one()
            if number:
                open_drawers[clerk, site] = int(number)
    start_of_today = local_bounds(today, today)[0]
    wanted = set(open_drawers) | {key for key, at in closed.items() if at >= start_of_today}
    if not wanted:
        return ()
    clerks = {clerk for clerk, _site in wanted}
    names = {
        user_id: (name, role)
        for user_id, name, role in session.execute(
            sa_select(col(StaffUser.id), col(StaffUser.full_name), col(StaffUser.role)).where(
                col(StaffUser.id).in_(clerks)
            )
        )
    }
    codes: dict[int, str] = {
        site: code
        for site, code in session.execute(sa_select(col(Establishment.id), col(Establishment.code)))
    }
    drawers = [
        DrawerState(
            clerk_name=names[clerk][0],
            establishment_code=codes[site],
            is_online=Role(names[clerk][1]) is Role.PORTAL,
            is_open=(clerk, site) in open_drawers,
            payments_since_close=open_drawers.get((clerk, site), 0),
            last_closed_at=closed.get((clerk, site)),
        )
        for clerk, site in wanted
    ]
    drawers.sort(
        key=lambda drawer: (not drawer.is_open, drawer.establishment_code, drawer.clerk_name)
    )
    return tuple(drawers)


def reminders_sent(uow: UnitOfWork, first_day: date, last_day: date) -> int:
    """How many reminder letters families were sent from `first_day` to `last_day` (local
    days): one per family and sending, whatever the number of invoices it names."""
    low, high = local_bounds(first_day, last_day)
    sent = uow.session.execute(
        sa_select(func.count()).where(
            col(ReminderLetter.sent_at) >= low, col(ReminderLetter.sent_at) < high
        )
    ).scalar_one()
    return int(sent)

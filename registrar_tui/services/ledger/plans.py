"""Payment plans (échéancier, entente de paiement): a family's balance in instalments.

A registrar (or an admin) splits what the family owes (the statement's net balance:
open invoices less family credit) into instalments with strictly increasing due dates,
none in the past:

- **equal** instalments (`EqualSplit`: how many, the first due date, an interval): the
  balance in cents divided by the count; the odd cents go one each to the FIRST
  instalments, so every instalment is within one cent of the others, the earliest ones
  being the larger (10,00 $ in 3: 3,34 $ + 3,33 $ + 3,33 $); a balance of fewer cents than
  instalments is refused (an instalment would be zero);
- **chosen** amounts (`ChosenInstalment` per line): their sum must equal the balance.

A plan is never edited: `cancel_plan` (reason required) ends it, and a new one can be
made. A family has at most one active plan; one whose instalments are all paid is
marked completed when the next one is made.

Paying the instalments: every payment of the family posted after the plan was made
(`PaymentPlan.payments_after_id`), not voided, counts towards the plan, the earliest
instalment first; a void gives its amount back, reopening the instalment it had paid.
Invoices issued after the plan are not in it (they are billed as usual), but a payment
of one still counts towards the plan, as does any payment of the family: the plan
follows what the family paid since, not which invoice the clerk chose. A refund of
family credit does not reduce what the plan counts as paid.

For the reminders (issue #16 part 1), one set-based read over many families:

    plan_standing(session, family_ids, as_of) -> dict[int, PlanStanding]

gives, for each family of `family_ids` that has an active plan (the others are absent),
`PlanStanding(plan_id, in_good_standing, overdue)`: `in_good_standing` is True when
every instalment due before `as_of` (`due_on < as_of`) is fully paid; `overdue` lists
those that are not, oldest first, as `OverdueInstalment(instalment_id, sequence,
due_on, outstanding)`. It runs three queries per 500 families, whatever their plans.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Payment,
    PaymentPlan,
    PaymentPlanInstalment,
    PaymentVoid,
    PlanStatus,
    StaffUser,
)
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date, utc_now
from registrar_tui.services.core.errors import (
    DayParam,
    DomainError,
    FieldErrors,
    InvalidInput,
    MoneyParam,
    NotFound,
)
from registrar_tui.services.core.money import ZERO, from_cents, parse_money, to_cents
from registrar_tui.services.core.text import required_reason, safe_text
from registrar_tui.services.ledger.locks import lock_family

MAX_INSTALMENTS = 24
"""Two years of monthly instalments: more is not a plan the office would agree to."""

_CHUNK = 500
"""Families per query of `plan_standing` (well under every backend's parameter limit)."""


class PlanInterval(enum.StrEnum):
    """How far apart equal instalments fall."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


# --------------------------------------------------------------------------- refusals


class PlanAlreadyActive(DomainError):
    message = N_(
        "Cette famille a déjà un échéancier en cours : annulez-le avant d'en convenir un autre."
    )


class PlanNotActive(DomainError):
    message = N_("Cet échéancier n'est plus en cours (annulé ou terminé).")


class NothingToPlan(DomainError):
    message = N_("Cette famille ne doit rien : il n'y a pas d'échéancier à convenir.")


MSG_COUNT = N_("Entre 1 et {limit} échéances.")
MSG_TOO_MANY_FOR_BALANCE = N_("Trop d'échéances pour un solde de {balance} : {limit} au plus.")
MSG_DATE_REQUIRED = N_("Entrez une date (AAAA-MM-JJ).")
MSG_DATE_FORMAT = N_("Date invalide : écrivez-la AAAA-MM-JJ (2027-01-15).")
MSG_DATE_PAST = N_("Cette échéance est passée : le {day} au plus tôt.")
MSG_DATE_ORDER = N_("Chaque échéance doit suivre la précédente (après le {day}).")
MSG_AMOUNT_POSITIVE = N_("Le montant d'une échéance doit être supérieur à zéro.")
MSG_TOTAL = N_("Les échéances totalisent {total} ; le solde à couvrir est de {balance}.")
MSG_NO_LINE = N_("Entrez au moins une échéance.")


# --------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class EqualSplit:
    """The balance in `count` equal instalments, the first on `first_due_on`."""

    count: int
    first_due_on: date
    interval: PlanInterval = PlanInterval.MONTHLY


@dataclass(frozen=True)
class ChosenInstalment:
    """One instalment whose date and amount the registrar chose."""

    due_on: date
    amount: Decimal


PlanTerms = EqualSplit | tuple[ChosenInstalment, ...]
"""What the registrar asks for: equal instalments, or each one's date and amount."""


@dataclass(frozen=True)
class PlanForm:
    """The plan form as typed: for `EqualSplit` the count, first date and interval; for
    chosen amounts (`chosen`), one (due date, amount) pair of texts per line."""

    chosen: bool = False
    count: str = ""
    first_due_on: str = ""
    interval: PlanInterval = PlanInterval.MONTHLY
    lines: tuple[tuple[str, str], ...] = ()


def split_equally(balance: Decimal, count: int) -> tuple[Decimal, ...]:
    """`balance` in `count` instalments within one cent of each other, summing exactly to
    it; the odd cents go one each to the first instalments. ValueError when count < 1."""
    if count < 1:
        raise ValueError("at least one instalment")
    base, odd = divmod(to_cents(balance), count)
    return tuple(from_cents(base + (1 if rank < odd else 0)) for rank in range(count))


def due_dates(first: date, count: int, interval: PlanInterval) -> tuple[date, ...]:
    """`count` due dates from `first`: every 7 or 14 days, or monthly on the same day
    (the month's last day when it is shorter: 31 January, 28 February, 31 March)."""
    if interval is PlanInterval.MONTHLY:
        return tuple(_add_months(first, rank) for rank in range(count))
    step = timedelta(days=7 if interval is PlanInterval.WEEKLY else 14)
    return tuple(first + step * rank for rank in range(count))


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def apply_payments(amounts: Sequence[Decimal], paid: Decimal) -> tuple[Decimal, ...]:
    """What `paid` covers of each instalment, the earliest first (never more than due)."""
    left = max(paid, ZERO)
    covered: list[Decimal] = []
    for amount in amounts:
        part = min(amount, left)
        covered.append(part)
        left -= part
    return tuple(covered)


def _parse_day(text: str, field: str) -> date:
    cleaned = safe_text(text, field=field, max_length=20)
    if not cleaned:
        raise InvalidInput(MSG_DATE_REQUIRED, field=field)
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(MSG_DATE_FORMAT, field=field) from None


def read_plan_form(form: PlanForm, language: str) -> PlanTerms:
    """The terms a typed form asks for. Refuses with FieldErrors naming each field:
    `count`, `first_due_on`, and per line n (from 1) `due_on_n` and `amount_n`."""
    errors: list[DomainError] = []
    if not form.chosen:
        count = 0
        try:
            count = int(safe_text(form.count, field="count", max_length=4) or "0")
        except ValueError:
            pass
        except DomainError as error:
            errors.append(error)
        if not 1 <= count <= MAX_INSTALMENTS:
            errors.append(InvalidInput(MSG_COUNT, field="count", limit=MAX_INSTALMENTS))
        first: date | None = None
        try:
            first = _parse_day(form.first_due_on, "first_due_on")
        except DomainError as error:
            errors.append(error)
        if errors or first is None:
            raise FieldErrors(errors)
        return EqualSplit(count=count, first_due_on=first, interval=form.interval)
    lines: list[ChosenInstalment] = []
    typed = [(day, amount) for day, amount in form.lines if day.strip() or amount.strip()]
    for number, (day_text, amount_text) in enumerate(form.lines, start=1):
        if not (day_text.strip() or amount_text.strip()):
            continue  # a blank line of the form is no instalment
        day = amount = None
        try:
            day = _parse_day(day_text, f"due_on_{number}")
        except DomainError as error:
            errors.append(error)
        try:
            amount = parse_money(amount_text, language, field=f"amount_{number}")
        except DomainError as error:
            errors.append(error)
        if day is not None and amount is not None:
            lines.append(ChosenInstalment(due_on=day, amount=amount))
    if not typed:
        errors.append(InvalidInput(MSG_NO_LINE, field="due_on_1"))
    if len(typed) > MAX_INSTALMENTS:
        errors.append(InvalidInput(MSG_COUNT, field="count", limit=MAX_INSTALMENTS))
    if errors:
        raise FieldErrors(errors)
    return tuple(lines)


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class ProposedInstalment:
    sequence: int
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class PlanPreview:
    """A plan as it would be made now: its instalments, their total against the balance,
    and every rule it breaks (none: `make_plan` accepts it)."""

    family_id: int
    balance: Decimal
    instalments: tuple[ProposedInstalment, ...]
    total: Decimal
    difference: Decimal
    """The balance less the instalments' total (0 when they cover it exactly)."""
    problems: tuple[DomainError, ...]

    @property
    def acceptable(self) -> bool:
        return not self.problems


def _proposed(
    balance: Decimal, terms: PlanTerms, today: date
) -> tuple[tuple[ProposedInstalment, ...], list[DomainError]]:
    problems: list[DomainError] = []
    if isinstance(terms, EqualSplit):
        count = terms.count
        cents = to_cents(balance)
        if not 1 <= count <= MAX_INSTALMENTS:
            return (), [InvalidInput(MSG_COUNT, field="count", limit=MAX_INSTALMENTS)]
        if count > cents:
            limit = max(cents, 0)
            error = InvalidInput(
                MSG_TOO_MANY_FOR_BALANCE, field="count", balance=MoneyParam(balance), limit=limit
            )
            return (), [error]
        if terms.first_due_on < today:
            problems.append(InvalidInput(MSG_DATE_PAST, field="first_due_on", day=DayParam(today)))
        days = due_dates(terms.first_due_on, count, terms.interval)
        amounts = split_equally(balance, count)
        lines = tuple(
            ProposedInstalment(sequence=n, due_on=day, amount=amount)
            for n, (day, amount) in enumerate(zip(days, amounts, strict=True), start=1)
        )
        return lines, problems
    lines = tuple(
        ProposedInstalment(sequence=n, due_on=line.due_on, amount=line.amount)
        for n, line in enumerate(terms, start=1)
    )
    if not lines:
        problems.append(InvalidInput(MSG_NO_LINE, field="due_on_1"))
    if len(lines) > MAX_INSTALMENTS:
        problems.append(InvalidInput(MSG_COUNT, field="count", limit=MAX_INSTALMENTS))
    previous: date | None = None
    for line in lines:
        if line.amount <= 0:
            problems.append(InvalidInput(MSG_AMOUNT_POSITIVE, field=f"amount_{line.sequence}"))
        else:
            try:
                to_cents(line.amount, field=f"amount_{line.sequence}")
            except DomainError as error:
                problems.append(error)
        if line.due_on < today:
            problems.append(
                InvalidInput(MSG_DATE_PAST, field=f"due_on_{line.sequence}", day=DayParam(today))
            )
        elif previous is not None and line.due_on <= previous:
            problems.append(
                InvalidInput(
                    MSG_DATE_ORDER, field=f"due_on_{line.sequence}", day=DayParam(previous)
                )
            )
        previous = line.due_on
    total = sum((line.amount for line in lines), ZERO)
    if lines and total != balance:
        problems.append(
            InvalidInput(
                MSG_TOTAL, field="total", total=MoneyParam(total), balance=MoneyParam(balance)
            )
        )
    return lines, problems


def _family_balance(uow: UnitOfWork, family_id: int) -> Decimal:
    # Imported here: the statement shows the family's plan (statement → plans).
    from registrar_tui.services.ledger.statement import statement

    return statement(uow, family_id).net_balance


def preview_plan(uow: UnitOfWork, family_id: int, terms: PlanTerms) -> PlanPreview:
    """The plan `terms` would make for the family now, with the rules it breaks (the
    screen's live check; nothing is written). NotFound for an unknown family."""
    balance = _family_balance(uow, family_id)
    today = local_date(uow.now())
    lines, problems = _proposed(balance, terms, today)
    if balance <= 0:
        problems = [NothingToPlan(), *problems]
    total = sum((line.amount for line in lines), ZERO)
    return PlanPreview(
        family_id=family_id,
        balance=balance,
        instalments=lines,
        total=total,
        difference=balance - total,
        problems=tuple(problems),
    )


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class InstalmentView:
    instalment_id: int
    sequence: int
    due_on: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    is_overdue: bool
    """Due before today and not fully paid."""


@dataclass(frozen=True)
class PlanView:
    """A family's plan with what each instalment has been paid (earliest first)."""

    plan_id: int
    family_id: int
    status: PlanStatus
    """`completed` also when the plan is still active but every instalment is paid."""
    created_at: datetime
    made_on: date
    """The day the plan was agreed, at the school."""
    created_by: str
    balance: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: Decimal
    instalments: tuple[InstalmentView, ...]
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None


def _paid_query(plan_ids: Sequence[int]) -> Any:
    """(plan id, sum of the family's payments posted after the plan, not voided)."""
    return (
        sa_select(col(PaymentPlan.id), func.coalesce(func.sum(Payment.amount), ZERO))
        .join(
            Payment,
            (col(Payment.family_id) == col(PaymentPlan.family_id))
            & (col(Payment.id) > col(PaymentPlan.payments_after_id)),
        )
        .where(
            col(PaymentPlan.id).in_(plan_ids),
            ~exists().where(col(PaymentVoid.payment_id) == col(Payment.id)),
        )
        .group_by(col(PaymentPlan.id))
    )


def _paid_by_plan(session: Session, plan_ids: Sequence[int]) -> dict[int, Decimal]:
    if not plan_ids:
        return {}
    return {plan_id: paid for plan_id, paid in session.execute(_paid_query(plan_ids)).all()}


def _instalments_by_plan(
    session: Session, plan_ids: Sequence[int]
) -> dict[int, list[PaymentPlanInstalment]]:
    found: dict[int, list[PaymentPlanInstalment]] = {plan_id: [] for plan_id in plan_ids}
    if not plan_ids:
        return found
    rows = session.exec(
        select(PaymentPlanInstalment)
        .where(col(PaymentPlanInstalment.plan_id).in_(plan_ids))
        .order_by(col(PaymentPlanInstalment.plan_id), col(PaymentPlanInstalment.sequence))
    ).all()
    for row in rows:
        found[row.plan_id].append(row)
    return found


def _view(session: Session, plan: PaymentPlan, today: date) -> PlanView:
    plan_id = require_id(plan)
    rows = _instalments_by_plan(session, [plan_id])[plan_id]
    paid = _paid_by_plan(session, [plan_id]).get(plan_id, ZERO)
    covered = apply_payments([row.amount for row in rows], paid)
    instalments = tuple(
        InstalmentView(
            instalment_id=require_id(row),
            sequence=row.sequence,
            due_on=row.due_on,
            amount=row.amount,
            paid=part,
            outstanding=row.amount - part,
            is_overdue=row.due_on < today and part < row.amount,
        )
        for row, part in zip(rows, covered, strict=True)
    )
    outstanding = sum((line.outstanding for line in instalments), ZERO)
    status = plan.status
    if status is PlanStatus.ACTIVE and outstanding == 0:
        status = PlanStatus.COMPLETED
    names = _names(session, [plan.created_by_id, plan.cancelled_by_id])
    return PlanView(
        plan_id=plan_id,
        family_id=plan.family_id,
        status=status,
        created_at=plan.created_at,
        made_on=local_date(plan.created_at),
        created_by=names.get(plan.created_by_id, ""),
        balance=plan.balance,
        paid=sum((line.paid for line in instalments), ZERO),
        outstanding=outstanding,
        overdue=sum((line.outstanding for line in instalments if line.is_overdue), ZERO),
        instalments=instalments,
        cancelled_at=plan.cancelled_at,
        cancelled_by=names.get(plan.cancelled_by_id) if plan.cancelled_by_id else None,
        cancel_reason=plan.cancel_reason,
    )


def _names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.exec(
        select(StaffUser.id, StaffUser.full_name).where(col(StaffUser.id).in_(wanted))
    ).all()
    return {user_id: name for user_id, name in rows}


_ACTIVE_PLAN = select(PaymentPlan).where(
    col(PaymentPlan.family_id) == bindparam("family_id"),
    col(PaymentPlan.status) == PlanStatus.ACTIVE,
)
"""Built once (its cache key with it): every statement of account asks for it."""


def _active_plan(session: Session, family_id: int) -> PaymentPlan | None:
    return session.exec(_ACTIVE_PLAN, params={"family_id": family_id}).first()


def family_plan(uow: UnitOfWork, family_id: int) -> PlanView | None:
    """The family's active plan with each instalment's paid and outstanding amounts
    (None when it has none). Refuses nothing: an unknown family has no plan."""
    plan = _active_plan(uow.session, family_id)
    if plan is None:
        return None
    return _view(uow.session, plan, local_date(uow.now()))


# --------------------------------------------------------------------------- standing


@dataclass(frozen=True)
class OverdueInstalment:
    instalment_id: int
    sequence: int
    due_on: date
    outstanding: Decimal


@dataclass(frozen=True)
class PlanStanding:
    """Whether a family keeps to its active plan on a day (see the module docstring)."""

    plan_id: int
    in_good_standing: bool
    overdue: tuple[OverdueInstalment, ...]


def plan_standing(
    session: Session, family_ids: Iterable[int], as_of: date
) -> dict[int, PlanStanding]:
    """For each of `family_ids` with an active plan: is every instalment due before
    `as_of` fully paid, and which are not. Families without an active plan are absent.
    Reads only; refuses nothing."""
    wanted = sorted(set(family_ids))
    standing: dict[int, PlanStanding] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        plans = session.exec(
            select(PaymentPlan.id, PaymentPlan.family_id).where(
                col(PaymentPlan.family_id).in_(chunk),
                col(PaymentPlan.status) == PlanStatus.ACTIVE,
            )
        ).all()
        plan_ids = [plan_id for plan_id, _family in plans if plan_id is not None]
        instalments = _instalments_by_plan(session, plan_ids)
        paid = _paid_by_plan(session, plan_ids)
        for plan_id, family_id in plans:
            if plan_id is None:
                continue
            rows = instalments[plan_id]
            covered = apply_payments([row.amount for row in rows], paid.get(plan_id, ZERO))
            overdue = tuple(
                OverdueInstalment(
                    instalment_id=require_id(row),
                    sequence=row.sequence,
                    due_on=row.due_on,
                    outstanding=row.amount - part,
                )
                for row, part in zip(rows, covered, strict=True)
                if row.due_on < as_of and part < row.amount
            )
            standing[family_id] = PlanStanding(
                plan_id=plan_id, in_good_standing=not overdue, overdue=overdue
            )
    return standing


# --------------------------------------------------------------------------- writing


def make_plan(uow: UnitOfWork, family_id: int, terms: PlanTerms, actor_id: int) -> PlanView:
    """Agree a plan with the family on its whole balance, as `terms` split it.

    A previous active plan whose instalments are all paid is marked completed first.
    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound (no
    such family), PlanAlreadyActive, NothingToPlan (no balance), FieldErrors naming each
    field: `count`, `first_due_on` (equal instalments), `due_on_n` / `amount_n` (chosen
    ones: dates in the past or not after the previous one, amounts not above zero) and
    `total` (chosen amounts that do not sum to the balance).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    lock_family(uow, family_id)
    session = uow.session
    now = utc_now(uow)
    today = local_date(now)
    current = _active_plan(session, family_id)
    if current is not None:
        if _view(session, current, today).status is not PlanStatus.COMPLETED:
            raise PlanAlreadyActive()
        current.status = PlanStatus.COMPLETED
        current.completed_at = now
        session.add(current)
        record_event(
            uow,
            actor_id,
            "payment_plan.complete",
            "payment_plan",
            require_id(current),
            {"status": str(PlanStatus.ACTIVE)},
            {"status": str(PlanStatus.COMPLETED)},
        )
        session.flush()
    balance = _family_balance(uow, family_id)
    if balance <= 0:
        raise NothingToPlan()
    lines, problems = _proposed(balance, terms, today)
    if problems:
        raise FieldErrors(problems)
    last_payment = session.exec(
        select(func.max(Payment.id)).where(col(Payment.family_id) == family_id)
    ).one()
    plan = PaymentPlan(
        family_id=family_id,
        created_at=now,
        created_by_id=actor_id,
        balance=balance,
        payments_after_id=last_payment or 0,
        status=PlanStatus.ACTIVE,
    )
    session.add(plan)
    session.flush()
    plan_id = require_id(plan)
    session.add_all(
        [
            PaymentPlanInstalment(
                plan_id=plan_id, sequence=line.sequence, due_on=line.due_on, amount=line.amount
            )
            for line in lines
        ]
    )
    session.flush()
    record_event(
        uow,
        actor_id,
        "payment_plan.make",
        "payment_plan",
        plan_id,
        {},
        {
            "family_id": family_id,
            "balance_cents": to_cents(balance),  # the audit trail keeps cents
            "kind": "equal" if isinstance(terms, EqualSplit) else "chosen",
            "instalments": [
                {
                    "sequence": line.sequence,
                    "due_on": line.due_on.isoformat(),
                    "amount_cents": to_cents(line.amount),
                }
                for line in lines
            ],
        },
    )
    return _view(session, plan, today)


def cancel_plan(uow: UnitOfWork, plan_id: int, reason: str, actor_id: int) -> PlanView:
    """End an active plan (its rows stay, marked cancelled with who, when and why); the
    family may then agree a new one. Refuses, writing nothing: PermissionDenied (not a
    registrar or admin), ReasonRequired, CardNumberRefused (in the reason), NotFound,
    PlanNotActive (already cancelled or completed)."""
    active_staff(uow, actor_id, SUPERVISORS)
    clean_reason = required_reason(reason)
    session = uow.session
    plan = session.get(PaymentPlan, plan_id)
    if plan is None:
        raise NotFound(N_("Échéancier introuvable."))
    lock_family(uow, plan.family_id)
    session.refresh(plan)
    if plan.status is not PlanStatus.ACTIVE:
        raise PlanNotActive()
    now = utc_now(uow)
    plan.status = PlanStatus.CANCELLED
    plan.cancelled_at = now
    plan.cancelled_by_id = actor_id
    plan.cancel_reason = clean_reason
    session.add(plan)
    session.flush()
    record_event(
        uow,
        actor_id,
        "payment_plan.cancel",
        "payment_plan",
        plan_id,
        {"status": str(PlanStatus.ACTIVE)},
        {"status": str(PlanStatus.CANCELLED), "reason": clean_reason},
    )
    return _view(session, plan, local_date(now))

"""Overdue reminders (relances): which invoice gets which level, the preview, the levels'
settings and what a family received.

The rule (`select_due_reminders`), as of a day:

- an invoice is *overdue* when it is not cancelled, still owes something (balance > 0)
  and its due date is at least level 1's days before the day;
- its *next level* is one more than the highest level already sent for it (1 when none):
  levels go one at a time, never skipped, never twice (the unique constraint on
  `reminder(invoice_id, level)` backs the rule). An invoice 100 days late that never had a
  reminder gets level 1, not level 3: a family is never sent a final notice it was
  not warned of first;
- it gets that level when it is overdue by at least the level's days **and**, from level 2
  on, the previous level was sent at least the difference of the two levels' days before
  the day (level 1 at 30 days and level 2 at 60: 30 days between the two letters), so a
  family always has the time between two letters to pay;
- a family whose overdue total (of those invoices, less its credit) is under the policy's
  minimum balance is left out, and so is a family on a payment plan in good standing
  (every instalment due before the day paid: `plans.plan_standing`);
- a family *behind* on its plan is reminded of its overdue **instalments**, not of its
  invoices (issue #16 part 2: reminders follow the instalments' due dates): the same rule,
  with the instalment's due date and what it still owes (`plans.plan_standing`: the
  family's payments since the plan pay the earliest instalment first, so its credit is
  already counted there), each level once per instalment (the unique index on
  `reminder(instalment_id, level)`);
- a paid invoice (instalment) drops out; a voided payment that makes it owe again brings
  it back, at its next level.

One letter per family: its reminders' invoices or instalments, the highest of their levels
(whose text it prints, in the family's language) and their total. The sending (letters, e-mails) is
`services/outbox/reminder_letters.py`: it uses the documents and the outbox, which the
ledger's room does not reach.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, Invoice, Student, Term
from registrar_tui.models.base import Language, Role
from registrar_tui.models.reminders import (
    REMINDER_LEVELS,
    Reminder,
    ReminderLevel,
    ReminderPolicy,
)
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.core.identifiers import name_order
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.statement import family_credit, invoice_figures

ADMINS = frozenset({Role.ADMIN})
SEND_ACTION = "reminders.send"
LEVEL_ACTION = "reminders.level"
POLICY_ACTION = "reminders.policy"
_IN_CHUNK = 500
MAX_TEXT = 4000


class UnknownLevel(NotFound):
    message = N_("Le niveau de relance {level} n'existe pas (1, 2 ou 3).")


class LevelDaysOutOfOrder(InvalidInput):
    message = N_(
        "Les jours de retard doivent croître d'un niveau au suivant "
        "(niveau {level} : {days} jours)."
    )


class EmptyLevelText(InvalidInput):
    message = N_("Le texte de la lettre ne peut pas être vide.")


class LevelTextTooLong(InvalidInput):
    message = N_("Le texte de la lettre dépasse {limit} caractères.")


class NegativeThreshold(InvalidInput):
    message = N_("Le solde minimal ne peut pas être négatif.")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class LevelSettings:
    level: int
    days_overdue: int
    text_fr: str
    text_en: str

    def text(self, language: str) -> str:
        return self.text_en if language == Language.ENGLISH else self.text_fr


@dataclass(frozen=True)
class ReminderSettings:
    levels: tuple[LevelSettings, ...]
    """Level 1, 2 and 3, in that order."""
    min_balance: Decimal

    def of(self, level: int) -> LevelSettings:
        return self.levels[level - 1]


def reminder_settings(uow: UnitOfWork) -> ReminderSettings:
    """The three levels (days past due, texts) and the minimum balance."""
    rows = uow.session.exec(select(ReminderLevel).order_by(col(ReminderLevel.level))).all()
    policy = uow.session.get(ReminderPolicy, 1)
    return ReminderSettings(
        levels=tuple(
            LevelSettings(
                level=row.level,
                days_overdue=row.days_overdue,
                text_fr=row.text_fr,
                text_en=row.text_en,
            )
            for row in rows
        ),
        min_balance=policy.min_balance if policy is not None else ZERO,
    )


def _clean_text(value: str, field: str = "text") -> str:
    from registrar_tui.services.core.text import safe_text

    if len(value) > MAX_TEXT:
        raise LevelTextTooLong(field=field, limit=MAX_TEXT)
    text = "\n".join(safe_text(line, field=field) for line in value.split("\n")).strip()
    if not text:
        raise EmptyLevelText(field=field)
    return text


def set_reminder_level(
    uow: UnitOfWork,
    *,
    actor_id: int,
    level: int,
    days_overdue: int | None = None,
    text_fr: str | None = None,
    text_en: str | None = None,
) -> LevelSettings:
    """Change a level's days past due and/or its letter texts (None: unchanged); audited.

    Refuses, writing nothing: PermissionDenied (not an admin), UnknownLevel,
    LevelDaysOutOfOrder (level 1 < level 2 < level 3 days, all above 0), EmptyLevelText,
    LevelTextTooLong.
    """
    active_staff(uow, actor_id, ADMINS)
    if level not in REMINDER_LEVELS:
        raise UnknownLevel(field="level", level=level)
    row = uow.session.get_one(ReminderLevel, level)
    before = {"days_overdue": row.days_overdue, "text_fr": row.text_fr, "text_en": row.text_en}
    if days_overdue is not None:
        others = {
            other.level: other.days_overdue
            for other in uow.session.exec(select(ReminderLevel)).all()
        }
        others[level] = days_overdue
        ordered = [others[number] for number in REMINDER_LEVELS]
        if days_overdue <= 0 or ordered != sorted(set(ordered)):
            raise LevelDaysOutOfOrder(field="days", level=level, days=days_overdue)
        row.days_overdue = days_overdue
    if text_fr is not None:
        row.text_fr = _clean_text(text_fr, "text_fr")
    if text_en is not None:
        row.text_en = _clean_text(text_en, "text_en")
    row.updated_at = uow.now()
    row.updated_by_id = actor_id
    uow.session.add(row)
    uow.session.flush()
    after = {"days_overdue": row.days_overdue, "text_fr": row.text_fr, "text_en": row.text_en}
    record_event(
        uow,
        actor_id,
        LEVEL_ACTION,
        "reminder_level",
        level,
        {k: v for k, v in before.items() if after[k] != v},
        {k: v for k, v in after.items() if before[k] != v},
    )
    return LevelSettings(level, row.days_overdue, row.text_fr, row.text_en)


def set_reminder_threshold(uow: UnitOfWork, *, actor_id: int, min_balance: Decimal) -> Decimal:
    """Set the minimum overdue balance under which a family gets no letter; audited.

    Refuses: PermissionDenied (not an admin), NegativeThreshold.
    """
    active_staff(uow, actor_id, ADMINS)
    if min_balance < 0:
        raise NegativeThreshold(field="min_balance")
    amount = min_balance.quantize(Decimal("0.01"))
    policy = uow.session.get(ReminderPolicy, 1)
    before = policy.min_balance if policy is not None else None
    if policy is None:
        policy = ReminderPolicy(id=1, min_balance=amount)
    policy.min_balance = amount
    policy.updated_at = uow.now()
    policy.updated_by_id = actor_id
    uow.session.add(policy)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        POLICY_ACTION,
        "reminder_policy",
        1,
        {"min_balance": str(before)},
        {"min_balance": str(amount)},
    )
    return amount


class DaysNotANumber(InvalidInput):
    message = N_("Entrez un nombre de jours (1 à 365).")


def save_reminder_settings(
    uow: UnitOfWork,
    *,
    actor_id: int,
    level: int,
    days_overdue: str,
    text_fr: str,
    text_en: str,
    min_balance: str,
    language: str,
) -> ReminderSettings:
    """The admin's settings form, as typed: a level's days past due and its two texts,
    and the minimum balance (in `language`'s format); each change audited
    (`set_reminder_level`, `set_reminder_threshold` when it changed), in one transaction.

    Refuses, writing nothing, naming the field: PermissionDenied, UnknownLevel,
    DaysNotANumber (`days`), LevelDaysOutOfOrder (`days`), EmptyLevelText and
    LevelTextTooLong (`text_fr`, `text_en`), InvalidInput and NegativeThreshold
    (`min_balance`).
    """
    from registrar_tui.services.core.money import parse_money

    active_staff(uow, actor_id, ADMINS)
    typed_days = days_overdue.strip()
    if not typed_days.isdigit() or not 1 <= int(typed_days) <= 365:
        raise DaysNotANumber(field="days")
    amount = parse_money(min_balance, language, field="min_balance")
    set_reminder_level(
        uow,
        actor_id=actor_id,
        level=level,
        days_overdue=int(typed_days),
        text_fr=text_fr,
        text_en=text_en,
    )
    if amount != reminder_settings(uow).min_balance:
        set_reminder_threshold(uow, actor_id=actor_id, min_balance=amount)
    return reminder_settings(uow)


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class DueReminder:
    """An overdue invoice, or an overdue instalment of the family's payment plan
    (`instalment_id` set, `invoice_id` None), and the level it gets now."""

    invoice_id: int | None
    invoice_number: str
    """The invoice's number ("" for an instalment: `instalment_sequence` names it)."""
    description: str
    due_on: date
    days_overdue: int
    level: int
    balance: Decimal
    """What the invoice (instalment) still owes."""
    term_code: str | None = None
    student_name: str | None = None
    instalment_id: int | None = None
    instalment_sequence: int | None = None
    """The instalment's rank in its plan (1 for the first)."""


@dataclass(frozen=True)
class FamilyReminders:
    """One family's letter as it would go: its invoices, level and total."""

    family_id: int
    family_number: str
    family_name: str
    language: str
    establishment_id: int
    level: int
    """The highest level among its invoices: the letter's text."""
    invoices: tuple[DueReminder, ...]
    total_overdue: Decimal


@dataclass(frozen=True)
class LevelTotal:
    level: int
    families: int
    """Families whose letter is at this level."""
    invoices: int
    """Invoices getting this level."""
    amount: Decimal
    """What those invoices owe."""


@dataclass(frozen=True)
class ReminderPreview:
    as_of: date
    level: int | None
    families: tuple[FamilyReminders, ...]
    totals: tuple[LevelTotal, ...]
    """Level 1, 2 and 3 (zero rows included)."""
    total_overdue: Decimal
    under_threshold: int
    """Families left out: their overdue balance (less credit) under the minimum."""
    on_plan: int
    """Families left out: on a payment plan in good standing."""


def _families_with_old_instalments(
    session: Session, cutoff: date, family_ids: Sequence[int] | None
) -> set[int]:
    """The families whose active plan has an instalment due on `cutoff` or before (one
    query): those that may be behind on it by level 1's days."""
    from registrar_tui.models import PaymentPlan, PaymentPlanInstalment, PlanStatus

    query = (
        sa_select(col(PaymentPlan.family_id))
        .join(PaymentPlanInstalment, col(PaymentPlanInstalment.plan_id) == col(PaymentPlan.id))
        .where(
            col(PaymentPlan.status) == PlanStatus.ACTIVE,
            col(PaymentPlanInstalment.due_on) <= cutoff,
        )
        .distinct()
    )
    if family_ids is not None:
        query = query.where(col(PaymentPlan.family_id).in_(list(family_ids)))
    return {int(family_id) for (family_id,) in session.execute(query).all()}


@dataclass
class _Candidate:
    balance: Decimal
    invoice_id: int | None
    family_id: int
    number: str
    due_on: date
    days_overdue: int
    next_level: int | None
    instalment_id: int | None = None
    sequence: int | None = None


def _next_level(
    candidate: _Candidate, done: dict[int, datetime], settings: ReminderSettings, as_of: date
) -> int | None:
    """The level `candidate` gets on `as_of`, given the levels `done` already (and when)."""
    last = max(done, default=0)
    following = last + 1
    if following > len(settings.levels):
        return None
    wanted = settings.of(following)
    if candidate.days_overdue < wanted.days_overdue:
        return None
    if last:
        gap = wanted.days_overdue - settings.of(last).days_overdue
        if (as_of - local_date(done[last])).days < gap:
            return None
    return following


def _sent_levels(
    session: Session, column: Any, ids: Sequence[int]
) -> dict[int, dict[int, datetime]]:
    """For each invoice (instalment) of `ids`: the levels sent for it and when."""
    sent: dict[int, dict[int, datetime]] = defaultdict(dict)
    for chunk in _chunks(ids):
        for target_id, sent_level, sent_at in session.execute(
            sa_select(column, col(Reminder.level), col(Reminder.sent_at)).where(column.in_(chunk))
        ).all():
            sent[int(target_id)][int(sent_level)] = sent_at
    return sent


def _chunks(values: Sequence[int], size: int = _IN_CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def select_due_reminders(
    uow: UnitOfWork,
    as_of: date,
    *,
    level: int | None = None,
    family_ids: Sequence[int] | None = None,
) -> ReminderPreview:
    """The families and invoices the rule of this module's docstring picks on `as_of`
    (only `family_ids` when given; only the invoices getting `level` when given).

    Refuses: UnknownLevel.
    """
    if level is not None and level not in REMINDER_LEVELS:
        raise UnknownLevel(field="level", level=level)
    settings = reminder_settings(uow)
    session = uow.session
    first_days = settings.of(1).days_overdue
    cutoff = date.fromordinal(as_of.toordinal() - first_days)
    query = select(Invoice.id).where(col(Invoice.due_on) <= cutoff)
    if family_ids is not None:
        query = query.where(col(Invoice.family_id).in_(list(family_ids)))
    invoice_ids = [int(i) for i in session.exec(query).all() if i is not None]

    overdue: list[_Candidate] = []
    for ids in _chunks(invoice_ids):
        for figures in invoice_figures(uow, invoice_ids=tuple(ids)):
            if figures.is_cancelled or figures.balance <= 0:
                continue
            overdue.append(
                _Candidate(
                    balance=figures.balance,
                    invoice_id=figures.invoice_id,
                    family_id=figures.family_id,
                    number=figures.number,
                    due_on=figures.due_on,
                    days_overdue=(as_of - figures.due_on).days,
                    next_level=None,
                )
            )
    # A family on a plan: in good standing, left out; behind, its instalments replace its
    # invoices (the plan covers them).
    from registrar_tui.services.ledger.plans import plan_standing

    with_plan = {c.family_id for c in overdue} | _families_with_old_instalments(
        session, cutoff, family_ids
    )
    standing = plan_standing(session, with_plan, as_of)
    invoice_sent = _sent_levels(
        session, col(Reminder.invoice_id), [c.invoice_id for c in overdue if c.invoice_id]
    )
    for candidate in overdue:
        assert candidate.invoice_id is not None
        candidate.next_level = _next_level(
            candidate, invoice_sent.get(candidate.invoice_id, {}), settings, as_of
        )
    # Left out as on a plan in good standing: those an invoice would have picked.
    on_plan = {
        c.family_id
        for c in overdue
        if c.next_level is not None
        and c.family_id in standing
        and standing[c.family_id].in_good_standing
    }
    overdue = [c for c in overdue if c.family_id not in standing]
    instalments = [
        _Candidate(
            balance=late.outstanding,
            invoice_id=None,
            family_id=family_id,
            number="",
            due_on=late.due_on,
            days_overdue=(as_of - late.due_on).days,
            next_level=None,
            instalment_id=late.instalment_id,
            sequence=late.sequence,
        )
        for family_id, plan in standing.items()
        for late in plan.overdue
        if late.due_on <= cutoff
    ]
    instalment_sent = _sent_levels(
        session,
        col(Reminder.instalment_id),
        [c.instalment_id for c in instalments if c.instalment_id],
    )
    for candidate in instalments:
        assert candidate.instalment_id is not None
        candidate.next_level = _next_level(
            candidate, instalment_sent.get(candidate.instalment_id, {}), settings, as_of
        )
    behind = {c.family_id for c in instalments}

    # Families: overdue total (every invoice late by level 1's days) less credit; for a
    # family behind on its plan, its instalments late by level 1's days.
    by_family: dict[int, list[_Candidate]] = defaultdict(list)
    for candidate in [*overdue, *instalments]:
        by_family[candidate.family_id].append(candidate)
    picked_families = [
        family_id
        for family_id, found in by_family.items()
        if any(c.next_level is not None for c in found)
    ]
    under = 0
    kept: dict[int, list[_Candidate]] = {}
    for family_id in picked_families:
        owed = sum((c.balance for c in by_family[family_id]), ZERO)
        if family_id not in behind:
            owed -= family_credit(uow, family_id)
        if owed < settings.min_balance:
            under += 1
            continue
        chosen = [
            c
            for c in by_family[family_id]
            if c.next_level is not None and (level is None or c.next_level == level)
        ]
        if chosen:
            kept[family_id] = chosen

    details = _invoice_details(
        uow, [c.invoice_id for found in kept.values() for c in found if c.invoice_id is not None]
    )
    families_rows = {
        row.id: row
        for ids in _chunks(list(kept))
        for row in session.exec(select(Family).where(col(Family.id).in_(ids))).all()
    }
    result: list[FamilyReminders] = []
    for family_id, found in kept.items():
        family = families_rows[family_id]
        reminders = []
        for c in sorted(found, key=lambda c: (c.due_on, c.number, c.sequence or 0)):
            description, term_code, student_name = (
                details[c.invoice_id] if c.invoice_id is not None else ("", None, None)
            )
            assert c.next_level is not None
            reminders.append(
                DueReminder(
                    invoice_id=c.invoice_id,
                    invoice_number=c.number,
                    description=description,
                    due_on=c.due_on,
                    days_overdue=c.days_overdue,
                    level=c.next_level,
                    balance=c.balance,
                    term_code=term_code,
                    student_name=student_name,
                    instalment_id=c.instalment_id,
                    instalment_sequence=c.sequence,
                )
            )
        result.append(
            FamilyReminders(
                family_id=family_id,
                family_number=family.family_number,
                family_name=family.name,
                language=str(family.language),
                establishment_id=family.establishment_id,
                level=max(r.level for r in reminders),
                invoices=tuple(reminders),
                total_overdue=sum((r.balance for r in reminders), ZERO),
            )
        )
    result.sort(key=lambda f: (-f.level, name_order(f.family_name), f.family_number))
    totals = []
    for number in REMINDER_LEVELS:
        invoices = [r for f in result for r in f.invoices if r.level == number]
        totals.append(
            LevelTotal(
                level=number,
                families=sum(1 for f in result if f.level == number),
                invoices=len(invoices),
                amount=sum((r.balance for r in invoices), ZERO),
            )
        )
    return ReminderPreview(
        as_of=as_of,
        level=level,
        families=tuple(result),
        totals=tuple(totals),
        total_overdue=sum((f.total_overdue for f in result), ZERO),
        under_threshold=under,
        on_plan=len(on_plan),
    )


def _invoice_details(
    uow: UnitOfWork, invoice_ids: list[int]
) -> dict[int, tuple[str, str | None, str | None]]:
    """Description, term code and student name of each invoice."""
    found: dict[int, tuple[str, str | None, str | None]] = {}
    for ids in _chunks(invoice_ids):
        for invoice_id, description, term_code, first, last in uow.session.execute(
            sa_select(
                col(Invoice.id),
                col(Invoice.description),
                col(Term.code),
                col(Student.first_name),
                col(Student.last_name),
            )
            .outerjoin(Term, col(Term.id) == col(Invoice.term_id))
            .outerjoin(Student, col(Student.id) == col(Invoice.student_id))
            .where(col(Invoice.id).in_(ids))
        ).all():
            student = f"{first} {last}".strip() if first is not None else None
            found[int(invoice_id)] = (description, term_code, student)
    return found


def reminder_preview(
    uow: UnitOfWork, as_of: date | None = None, *, level: int | None = None
) -> ReminderPreview:
    """Who would get which level on `as_of` (default: today at the school), per family,
    with the totals per level, exactly as `send_reminders` would send them. Writes nothing.

    Refuses: UnknownLevel (a level other than 1, 2, 3).
    """
    return select_due_reminders(uow, as_of or local_date(uow.now()), level=level)


# --------------------------------------------------------------------------- family tab


@dataclass(frozen=True)
class SentReminderRow:
    """A reminder a family received, as its billing tab lists it."""

    reminder_id: int
    sent_at: datetime
    level: int
    invoice_number: str | None
    """None for an instalment of a payment plan (`instalment_sequence` names it)."""
    amount_overdue: Decimal
    emailed: bool
    instalment_sequence: int | None = None


def family_reminders(uow: UnitOfWork, family_id: int) -> tuple[SentReminderRow, ...]:
    """The reminders sent to a family (for its invoices or its plan's instalments), newest
    first (NotFound for an unknown family)."""
    if uow.session.get(Family, family_id) is None:
        raise NotFound(N_("Famille introuvable."))
    from registrar_tui.models import PaymentPlanInstalment

    rows = uow.session.execute(
        sa_select(
            col(Reminder.id),
            col(Reminder.sent_at),
            col(Reminder.level),
            col(Invoice.number),
            col(Reminder.amount_overdue),
            col(Reminder.outbox_message_id),
            col(PaymentPlanInstalment.sequence),
        )
        .outerjoin(Invoice, col(Invoice.id) == col(Reminder.invoice_id))
        .outerjoin(
            PaymentPlanInstalment,
            col(PaymentPlanInstalment.id) == col(Reminder.instalment_id),
        )
        .where(col(Reminder.family_id) == family_id)
        .order_by(
            col(Reminder.sent_at).desc(),
            col(Reminder.level).desc(),
            col(Invoice.number),
            col(PaymentPlanInstalment.sequence),
        )
    ).all()
    return tuple(
        SentReminderRow(
            reminder_id=int(row[0]),
            sent_at=row[1],
            level=int(row[2]),
            invoice_number=row[3],
            amount_overdue=row[4],
            emailed=row[5] is not None,
            instalment_sequence=int(row[6]) if row[6] is not None else None,
        )
        for row in rows
    )

"""Setting activities up: create and edit one, its items, close it, cancel it.

Registrars and admins set activities up; clerks only register students
(`registration.py`). Every write checks the role here, cleans the text typed
(`safe_text`: control characters removed, card numbers refused) and writes one audit
event, before and after, in the same transaction.

The form sends what was typed (dates `AAAA-MM-JJ`, prices as typed in the user's
language): the service reads it, so every refusal names its field.

A closed activity may be opened again (`reopen_activity`); a cancelled one stays so.

Decided for items already registered: their price cannot change (the invoices issued
hold the old one; `ItemPriceLocked`); their code, label, date and maximum may.

Cancelling credits every invoice of the activity's registrations by a credit note,
through `ledger.credit.cancel_invoice` (the one cancellation path: allocations
reversed, what was paid back to family credit, every money row in the ledger chain),
all in one transaction with the activity's own audit event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Activity,
    ActivityItem,
    ActivityLevel,
    ActivityRegistration,
    ActivityRegistrationItem,
    ActivitySchool,
    Establishment,
    Family,
    Student,
)
from registrar_tui.models.base import ActivityKind, require_id
from registrar_tui.services.activities.registration import (
    MAX_QUANTITY,
    ActivityState,
    activity_items,
    activity_levels,
    activity_or_not_found,
    activity_schools,
    activity_state,
    locked_activity,
)
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput, MoneyParam, NotFound
from registrar_tui.services.core.money import ZERO, parse_money, to_cents, valid_amount
from registrar_tui.services.core.text import required_reason, safe_text
from registrar_tui.services.ledger.credit import cancel_invoice
from registrar_tui.services.ledger.statement import invoice_figures

MAX_SCHOOLS = 10
MAX_LEVELS = 10
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,9}$")
_CODED_LABEL = re.compile(r"^([0-9][0-9A-Za-z-]{0,9})\s+-\s+(\S.*)$")
"""« 101 - Biscuits » typed as the label with no code: code 101, label Biscuits (a code
that starts with a digit: « Biscuits - au beurre » is a label)."""


class ActivityCancelledAlready(DomainError):
    message = N_("Cette activité est annulée : elle ne peut plus être modifiée.")


class ActivityClosedAlready(DomainError):
    message = N_("Cette activité est déjà fermée aux inscriptions.")


class ActivityOpenAlready(DomainError):
    message = N_("Cette activité est déjà ouverte aux inscriptions.")


class DuplicateItemCode(InvalidInput):
    message = N_("Le code {code} est déjà celui d'un autre article de cette activité.")


class ItemPriceLocked(InvalidInput):
    message = N_(
        "Des élèves sont déjà inscrits à cet article : son prix ({price}) ne peut plus "
        "changer. Créez un autre article."
    )


@dataclass(frozen=True)
class Choice:
    """An establishment the form offers (the activity may also be for all)."""

    establishment_id: int
    code: str
    name: str


@dataclass(frozen=True)
class ActivityInput:
    """What the activity form sends, as typed."""

    kind: str
    title: str
    description: str
    held_on: str
    """`AAAA-MM-JJ`."""
    registration_deadline: str
    establishment_id: int | None = None
    """None: every establishment."""
    schools: str = ""
    """Schools separated by « ; » (empty: every school)."""
    levels: str = ""
    """Levels separated by « ; » (empty: every level)."""


@dataclass(frozen=True)
class ItemInput:
    """What the item form sends, as typed (a label « 101 - Biscuits » with no code is
    read as code 101, label Biscuits)."""

    code: str
    label: str
    unit_price: str
    """As typed in `language` (`5,50`, `5.50`)."""
    held_on: str = ""
    """`AAAA-MM-JJ` or empty."""
    max_quantity: str = ""
    """Empty: no maximum of its own."""
    language: str = "fr"


@dataclass(frozen=True)
class ItemSetup:
    item_id: int
    code: str
    label: str
    held_on: date | None
    unit_price: Decimal
    max_quantity: int | None
    registered: bool
    """Students are registered to it (its price is locked)."""


@dataclass(frozen=True)
class ActivitySetup:
    """An activity as its form shows it (None values: a new one)."""

    activity_id: int | None
    kind: ActivityKind
    title: str
    description: str
    held_on: date | None
    registration_deadline: date | None
    establishment_id: int | None
    schools: tuple[str, ...]
    levels: tuple[str, ...]
    state: ActivityState
    items: tuple[ItemSetup, ...]
    establishments: tuple[Choice, ...]


@dataclass(frozen=True)
class CancelLine:
    """One invoice a cancellation credits."""

    invoice_id: int
    invoice_number: str
    student_name: str
    family_name: str
    credited: Decimal
    """What its credit note will cancel."""
    returned_to_credit: Decimal
    """What was paid on it, back to family credit."""


@dataclass(frozen=True)
class CancelPreview:
    activity_id: int
    title: str
    lines: tuple[CancelLine, ...]
    total_credited: Decimal
    total_returned: Decimal


@dataclass(frozen=True)
class ActivityCancelled:
    activity_id: int
    credit_notes: tuple[str, ...]
    total_credited: Decimal
    total_returned: Decimal


def _supervisor(uow: UnitOfWork, actor_id: int) -> None:
    active_staff(uow, actor_id, SUPERVISORS)


def _establishments(uow: UnitOfWork) -> tuple[Choice, ...]:
    return tuple(
        Choice(require_id(site), site.code, site.name)
        for site in uow.session.exec(select(Establishment).order_by(col(Establishment.code)))
    )


def _registered_item_ids(uow: UnitOfWork, activity_id: int) -> set[int]:
    return set(
        uow.session.exec(
            select(col(ActivityRegistrationItem.item_id))
            .join(ActivityItem, col(ActivityItem.id) == col(ActivityRegistrationItem.item_id))
            .where(col(ActivityItem.activity_id) == activity_id)
        ).all()
    )


def activity_setup(uow: UnitOfWork, activity_id: int | None, actor_id: int) -> ActivitySetup:
    """The activity as its form shows it, with its items; a blank one for None.

    Refuses: PermissionDenied (not a registrar or an admin), NotFound.
    """
    _supervisor(uow, actor_id)
    establishments = _establishments(uow)
    if activity_id is None:
        return ActivitySetup(
            activity_id=None,
            kind=ActivityKind.OUTING,
            title="",
            description="",
            held_on=None,
            registration_deadline=None,
            establishment_id=None,
            schools=(),
            levels=(),
            state=ActivityState.OPEN,
            items=(),
            establishments=establishments,
        )
    activity = activity_or_not_found(uow, activity_id)
    registered = _registered_item_ids(uow, activity_id)
    return ActivitySetup(
        activity_id=activity_id,
        kind=ActivityKind(activity.kind),
        title=activity.title,
        description=activity.description,
        held_on=activity.held_on,
        registration_deadline=activity.registration_deadline,
        establishment_id=activity.establishment_id,
        schools=activity_schools(uow, activity_id),
        levels=activity_levels(uow, activity_id),
        state=activity_state(activity),
        items=tuple(
            ItemSetup(
                item_id=require_id(item),
                code=item.code,
                label=item.label,
                held_on=item.held_on,
                unit_price=item.unit_price,
                max_quantity=item.max_quantity,
                registered=require_id(item) in registered,
            )
            for item in activity_items(uow, activity_id)
        ),
        establishments=establishments,
    )


def _day(text: str, field: str, *, required: bool) -> date | None:
    text = text.strip()
    if not text:
        if required:
            raise InvalidInput(N_("Entrez une date (AAAA-MM-JJ)."), field=field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            N_("Date invalide : AAAA-MM-JJ (par exemple 2026-12-01)."), field=field
        ) from None


def _names(text: str, field: str, max_length: int, most: int) -> tuple[str, ...]:
    """`a; b; a` → (`a`, `b`): cleaned, card-free, without repeats (first spelling kept)."""
    found: dict[str, str] = {}
    for part in safe_text(text, field=field).split(";"):
        name = " ".join(part.split())
        if not name:
            continue
        if len(name) > max_length:
            raise InvalidInput(
                N_("Nom trop long ({limit} caractères au plus)."), field=field, limit=max_length
            )
        found.setdefault(name.casefold(), name)
    if len(found) > most:
        raise InvalidInput(N_("{limit} noms au plus."), field=field, limit=most)
    return tuple(found.values())


@dataclass(frozen=True)
class _Activity:
    kind: ActivityKind
    title: str
    description: str
    held_on: date
    deadline: date
    establishment_id: int | None
    schools: tuple[str, ...]
    levels: tuple[str, ...]


def _read_activity(uow: UnitOfWork, typed: ActivityInput) -> _Activity:
    try:
        kind = ActivityKind(typed.kind)
    except ValueError:
        raise InvalidInput(N_("Choisissez un type d'activité."), field="kind") from None
    title = safe_text(typed.title, field="title", max_length=200)
    if not title:
        raise InvalidInput(N_("Entrez le titre de l'activité."), field="title")
    description = safe_text(typed.description, field="description", max_length=2000)
    held_on = _day(typed.held_on, "held_on", required=True)
    deadline = _day(typed.registration_deadline, "registration_deadline", required=True)
    assert held_on is not None and deadline is not None
    if deadline > held_on:
        raise InvalidInput(
            N_("La date limite d'inscription doit précéder la date de l'activité (ou l'égaler)."),
            field="registration_deadline",
        )
    if (
        typed.establishment_id is not None
        and uow.session.get(Establishment, typed.establishment_id) is None
    ):
        raise InvalidInput(N_("Établissement introuvable."), field="establishment")
    return _Activity(
        kind=kind,
        title=title,
        description=description,
        held_on=held_on,
        deadline=deadline,
        establishment_id=typed.establishment_id,
        schools=_names(typed.schools, "schools", 200, MAX_SCHOOLS),
        levels=_names(typed.levels, "levels", 40, MAX_LEVELS),
    )


def _audited(activity: Activity, schools: Sequence[str], levels: Sequence[str]) -> dict[str, Any]:
    return {
        "kind": str(activity.kind),
        "title": activity.title,
        "description": activity.description,
        "held_on": activity.held_on.isoformat(),
        "registration_deadline": activity.registration_deadline.isoformat(),
        "establishment_id": activity.establishment_id,
        "schools": list(schools),
        "levels": list(levels),
    }


def save_activity(
    uow: UnitOfWork, activity_id: int | None, typed: ActivityInput, actor_id: int
) -> int:
    """Create an activity (`activity_id` None, open) or correct one; returns its id.

    Refuses, writing nothing: PermissionDenied (not a registrar or an admin), NotFound,
    ActivityCancelledAlready, InvalidInput naming its field (`kind`, `title`,
    `description`, `held_on`, `registration_deadline` — not a date, or after the
    activity —, `establishment`, `schools`, `levels`), CardNumberRefused (in a text).
    """
    _supervisor(uow, actor_id)
    values = _read_activity(uow, typed)
    if activity_id is None:
        activity = Activity(
            kind=values.kind,
            title=values.title,
            description=values.description,
            held_on=values.held_on,
            registration_deadline=values.deadline,
            establishment_id=values.establishment_id,
            created_at=uow.now(),
        )
        uow.session.add(activity)
        uow.session.flush()
        before: dict[str, Any] = {}
        action = "activity.create"
    else:
        activity = locked_activity(uow, activity_id)
        if activity.cancelled_at is not None:
            raise ActivityCancelledAlready()
        before = _audited(
            activity, activity_schools(uow, activity_id), activity_levels(uow, activity_id)
        )
        activity.kind = values.kind
        activity.title = values.title
        activity.description = values.description
        activity.held_on = values.held_on
        activity.registration_deadline = values.deadline
        activity.establishment_id = values.establishment_id
        uow.session.add(activity)
        action = "activity.update"
    saved_id = require_id(activity)
    session = uow.session
    # The lists are replaced whole: what the form shows is what the activity is open to.
    session.execute(delete(ActivitySchool).where(col(ActivitySchool.activity_id) == saved_id))
    session.execute(delete(ActivityLevel).where(col(ActivityLevel.activity_id) == saved_id))
    session.add_all(ActivitySchool(activity_id=saved_id, school_name=s) for s in values.schools)
    session.add_all(ActivityLevel(activity_id=saved_id, level=level) for level in values.levels)
    session.flush()
    record_event(
        uow,
        actor_id,
        action,
        "activity",
        saved_id,
        before,
        _audited(activity, values.schools, values.levels),
    )
    return saved_id


def _read_item(typed: ItemInput) -> tuple[str, str, Decimal, date | None, int | None]:
    code = safe_text(typed.code, field="code", max_length=10)
    coded = _CODED_LABEL.match(safe_text(typed.label, field="label")) if not code else None
    if coded is not None:
        typed = ItemInput(**{**typed.__dict__, "code": coded[1], "label": coded[2]})
        code = coded[1]
    if not _CODE.match(code):
        raise InvalidInput(
            N_("Un code est fait de chiffres ou de lettres (10 au plus), par exemple 101."),
            field="code",
        )
    label = safe_text(typed.label, field="label", max_length=200)
    if not label:
        raise InvalidInput(N_("Entrez le libellé de l'article."), field="label")
    price = valid_amount(
        parse_money(typed.unit_price, typed.language, field="unit_price"),
        field="unit_price",
        allow_zero=True,
    )
    held_on = _day(typed.held_on, "item_held_on", required=False)
    most: int | None = None
    if typed.max_quantity.strip():
        text = typed.max_quantity.strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
            raise InvalidInput(
                N_("Le maximum est un nombre entier de 1 à {limit}, ou vide."),
                field="max_quantity",
                limit=MAX_QUANTITY,
            )
        most = int(text)
    return code, label, price, held_on, most


def _item_audited(item: ActivityItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "label": item.label,
        "held_on": item.held_on.isoformat() if item.held_on else None,
        "unit_price_cents": to_cents(item.unit_price),
        "max_quantity": item.max_quantity,
    }


def save_item(
    uow: UnitOfWork, activity_id: int, item_id: int | None, typed: ItemInput, actor_id: int
) -> int:
    """Add an item to the activity (`item_id` None) or correct one; returns its id.

    Refuses, writing nothing: PermissionDenied (not a registrar or an admin), NotFound
    (activity, or an item of another one), ActivityCancelledAlready, InvalidInput naming
    its field (`code`, `label`, `unit_price`, `item_held_on`, `max_quantity`),
    DuplicateItemCode, ItemPriceLocked (a new price for an item already registered),
    CardNumberRefused (in the label).
    """
    _supervisor(uow, actor_id)
    activity = locked_activity(uow, activity_id)
    if activity.cancelled_at is not None:
        raise ActivityCancelledAlready()
    code, label, price, held_on, most = _read_item(typed)
    clash = uow.session.exec(
        select(ActivityItem.id).where(
            col(ActivityItem.activity_id) == activity_id,
            col(ActivityItem.code) == code,
            col(ActivityItem.id) != (item_id or 0),
        )
    ).first()
    if clash is not None:
        raise DuplicateItemCode(field="code", code=code)
    if item_id is None:
        item = ActivityItem(activity_id=activity_id, code=code, label=label, unit_price=price)
        before: dict[str, Any] = {}
        action = "activity.item_add"
    else:
        found = uow.session.get(ActivityItem, item_id)
        if found is None or found.activity_id != activity_id:
            raise NotFound(N_("Article introuvable."))
        item = found
        before = _item_audited(item)
        registered = uow.session.exec(
            select(exists().where(col(ActivityRegistrationItem.item_id) == item_id))
        ).one()
        if registered and price != item.unit_price:
            raise ItemPriceLocked(field="unit_price", price=MoneyParam(item.unit_price))
        action = "activity.item_update"
    item.code, item.label, item.unit_price = code, label, price
    item.held_on, item.max_quantity = held_on, most
    uow.session.add(item)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        action,
        "activity_item",
        require_id(item),
        before,
        {**_item_audited(item), "activity_id": activity_id},
    )
    return require_id(item)


def close_activity(uow: UnitOfWork, activity_id: int, actor_id: int) -> None:
    """Close the activity to new registrations; those made stay, with their invoices.

    Refuses, writing nothing: PermissionDenied (not a registrar or an admin), NotFound,
    ActivityCancelledAlready, ActivityClosedAlready.
    """
    _supervisor(uow, actor_id)
    activity = locked_activity(uow, activity_id)
    if activity.cancelled_at is not None:
        raise ActivityCancelledAlready()
    if activity.closed_at is not None:
        raise ActivityClosedAlready()
    activity.closed_at = uow.now()
    uow.session.add(activity)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "activity.close",
        "activity",
        activity_id,
        {"state": str(ActivityState.OPEN)},
        {"state": str(ActivityState.CLOSED)},
    )


def reopen_activity(uow: UnitOfWork, activity_id: int, actor_id: int) -> None:
    """Open a closed activity to registrations again (its deadline still applies).

    Refuses, writing nothing: PermissionDenied (not a registrar or an admin), NotFound,
    ActivityCancelledAlready (a cancelled activity stays cancelled), ActivityOpenAlready.
    """
    _supervisor(uow, actor_id)
    activity = locked_activity(uow, activity_id)
    if activity.cancelled_at is not None:
        raise ActivityCancelledAlready()
    if activity.closed_at is None:
        raise ActivityOpenAlready()
    activity.closed_at = None
    uow.session.add(activity)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "activity.reopen",
        "activity",
        activity_id,
        {"state": str(ActivityState.CLOSED)},
        {"state": str(ActivityState.OPEN)},
    )


def cancel_preview(uow: UnitOfWork, activity_id: int, actor_id: int) -> CancelPreview:
    """What cancelling the activity will credit: each invoice of its registrations not
    cancelled yet, with the amount its credit note will cancel and what goes back to
    family credit. Writes nothing.

    Refuses: PermissionDenied (not a registrar or an admin), NotFound,
    ActivityCancelledAlready.
    """
    _supervisor(uow, actor_id)
    activity = activity_or_not_found(uow, activity_id)
    if activity.cancelled_at is not None:
        raise ActivityCancelledAlready()
    rows = uow.session.exec(
        select(ActivityRegistration, Student, Family)
        .join(Student, col(Student.id) == col(ActivityRegistration.student_id))
        .join(Family, col(Family.id) == col(ActivityRegistration.family_id))
        .where(
            col(ActivityRegistration.activity_id) == activity_id,
            col(ActivityRegistration.invoice_id).is_not(None),
        )
        .order_by(col(ActivityRegistration.id))
    ).all()
    invoice_ids = tuple(r.invoice_id for r, _s, _f in rows if r.invoice_id is not None)
    figures = {f.invoice_id: f for f in invoice_figures(uow, invoice_ids=invoice_ids)}
    lines = []
    for registration, student, family in rows:
        figure = figures.get(registration.invoice_id or 0)
        if figure is None or figure.is_cancelled:
            continue
        lines.append(
            CancelLine(
                invoice_id=figure.invoice_id,
                invoice_number=figure.number,
                student_name=f"{student.first_name} {student.last_name}".strip(),
                family_name=family.name,
                credited=figure.kept - figure.credited,
                returned_to_credit=figure.paid,
            )
        )
    return CancelPreview(
        activity_id=activity_id,
        title=activity.title,
        lines=tuple(lines),
        total_credited=sum((line.credited for line in lines), ZERO),
        total_returned=sum((line.returned_to_credit for line in lines), ZERO),
    )


def cancel_activity(
    uow: UnitOfWork, activity_id: int, reason: str, actor_id: int
) -> ActivityCancelled:
    """Cancel the activity: every invoice of its registrations cancelled by a credit
    note (`credit.cancel_invoice`: what was paid goes back to family credit), the
    activity closed and marked cancelled, all in this transaction, with the reason.

    Refuses, writing nothing: PermissionDenied (not a registrar or an admin), NotFound,
    ReasonRequired, CardNumberRefused (in the reason), ActivityCancelledAlready.
    """
    _supervisor(uow, actor_id)
    clean_reason = required_reason(reason)
    activity = locked_activity(uow, activity_id)
    preview = cancel_preview(uow, activity_id, actor_id)
    before_state = activity_state(activity)
    notes = []
    credited = returned = ZERO
    for line in preview.lines:
        done = cancel_invoice(uow, line.invoice_id, clean_reason, actor_id)
        notes.append(done.credit_note_number)
        credited += done.amount
        returned += done.returned_to_credit
    now = uow.now()
    activity.cancelled_at = now
    activity.closed_at = activity.closed_at or now
    uow.session.add(activity)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "activity.cancel",
        "activity",
        activity_id,
        {"state": str(before_state)},
        {
            "state": str(ActivityState.CANCELLED),
            "reason": clean_reason,
            "credit_notes": notes,
            "credited_cents": to_cents(credited),
            "returned_to_credit_cents": to_cents(returned),
        },
    )
    return ActivityCancelled(
        activity_id=activity_id,
        credit_notes=tuple(notes),
        total_credited=credited,
        total_returned=returned,
    )

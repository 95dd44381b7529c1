"""Activities (outings, fundraising campaigns, events): the list and one activity.

Registering a student (the invoice, the confirmation e-mail, the deadline rule) is
`registration.py` in this room, with its errors.

Activities are few (dozens a year), so the list is filtered in Python after the date
range: the keyword, place and level then match accent- and case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    Activity,
    ActivityLevel,
    ActivityRegistration,
    ActivityRegistrationItem,
    ActivitySchool,
    Establishment,
    Family,
    StaffUser,
    Student,
)
from registrar_tui.models.base import ActivityKind, require_id
from registrar_tui.services.activities.registration import (
    ActivityState,
    activity_items,
    activity_levels,
    activity_or_not_found,
    activity_schools,
    activity_state,
)
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.core.paging import Page
from registrar_tui.services.ledger.statement import invoice_figures
from registrar_tui.services.search.index import normalise

PAGE_SIZE = 12
"""Activities a page of the list shows (fits 80×24 under the filters)."""
REGISTRATIONS_PAGE_SIZE = 6
"""Registrations a page of the activity screen shows (under its items, at 80×24)."""


@dataclass(frozen=True)
class ActivityFilters:
    """What the list is narrowed to; empty values do not filter."""

    place: str = ""
    """An establishment's code or name, or a school: matches activities meant for it
    (and those open to every establishment and school)."""
    level: str = ""
    """A school level (`Primaire 3`): matches activities for it and those for any level."""
    keyword: str = ""
    """Words found in the title or the description."""
    held_from: date | None = None
    held_to: date | None = None


@dataclass(frozen=True)
class ActivityRow:
    activity_id: int
    kind: ActivityKind
    title: str
    establishment_code: str
    """Empty when the activity is open to every establishment."""
    schools: tuple[str, ...]
    """The schools it is open to (empty: every school)."""
    levels: tuple[str, ...]
    """The levels it is open to (empty: every level)."""
    held_on: date
    registration_deadline: date
    is_closed: bool
    """The deadline has passed (today, at the school)."""
    registration_count: int
    state: ActivityState = ActivityState.OPEN
    """Open, closed to new registrations, or cancelled (its invoices credited)."""


ActivityPage = Page[ActivityRow]
"""One page of ActivityRows (services/core/paging.Page)."""


@dataclass(frozen=True)
class ItemTotal:
    """An item of the activity with what its registrations add up to."""

    item_id: int
    code: str
    label: str
    held_on: date | None
    unit_price: Decimal
    quantity: int
    total: Decimal
    max_quantity: int | None = None
    """The most one registration may take (None: no limit of its own)."""


@dataclass(frozen=True)
class RegistrationRow:
    registration_id: int
    student_id: int
    student_name: str
    student_number: str
    family_id: int
    family_name: str
    registered_at: datetime
    registered_by: str
    invoice_number: str
    total: Decimal
    balance: Decimal
    """What is still due on the registration's invoice."""
    override_reason: str
    """Why a registrar registered after the deadline (empty otherwise)."""


@dataclass(frozen=True)
class ActivityDetail:
    activity_id: int
    kind: ActivityKind
    title: str
    description: str
    establishment_name: str
    schools: tuple[str, ...]
    levels: tuple[str, ...]
    held_on: date
    registration_deadline: date
    is_closed: bool
    """The deadline has passed (today, at the school)."""
    state: ActivityState
    items: tuple[ItemTotal, ...]
    registrations: Page[RegistrationRow]
    """One page, newest first (its total_count: every registration of the activity)."""
    total: Decimal
    """Every registration's invoiced amount."""


def _matches(wanted: str, *texts: str) -> bool:
    folded = normalise(wanted.strip())
    return not folded or any(folded in normalise(text) for text in texts if text)


def _for_level(wanted: str, levels: tuple[str, ...]) -> bool:
    if not wanted.strip() or not levels:
        return True
    wanted_folded = normalise(wanted.strip())
    return any(wanted_folded in level or level in wanted_folded for level in map(normalise, levels))


def _audiences(
    uow: UnitOfWork,
) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    """Every activity's schools and levels, by activity id (two queries for the list)."""
    schools: dict[int, tuple[str, ...]] = {}
    for activity_id, school in uow.session.exec(
        select(ActivitySchool.activity_id, ActivitySchool.school_name).order_by(
            col(ActivitySchool.school_name)
        )
    ):
        schools[activity_id] = (*schools.get(activity_id, ()), school)
    levels: dict[int, tuple[str, ...]] = {}
    for activity_id, level in uow.session.exec(
        select(ActivityLevel.activity_id, ActivityLevel.level).order_by(col(ActivityLevel.level))
    ):
        levels[activity_id] = (*levels.get(activity_id, ()), level)
    return schools, levels


def list_activities(
    uow: UnitOfWork, filters: ActivityFilters, *, offset: int = 0, limit: int = PAGE_SIZE
) -> ActivityPage:
    """One page of the activities matching `filters`, the latest held first. Refuses nothing."""
    query = select(Activity, Establishment).outerjoin(
        Establishment, col(Establishment.id) == col(Activity.establishment_id)
    )
    if filters.held_from is not None:
        query = query.where(col(Activity.held_on) >= filters.held_from)
    if filters.held_to is not None:
        query = query.where(col(Activity.held_on) <= filters.held_to)
    query = query.order_by(col(Activity.held_on).desc(), col(Activity.id).desc())
    all_schools, all_levels = _audiences(uow)
    found = []
    for activity, site in uow.session.exec(query):
        schools = all_schools.get(require_id(activity), ())
        levels = all_levels.get(require_id(activity), ())
        place_free = site is None and not schools
        if filters.place.strip() and not place_free:
            names = (site.code, site.name) if site is not None else ()
            if not _matches(filters.place, *names, *schools):
                continue
        if not _for_level(filters.level, levels):
            continue
        if not _matches(filters.keyword, activity.title, activity.description):
            continue
        found.append((activity, site, schools, levels))
    offset = max(0, min(offset, max(len(found) - 1, 0)))
    page = found[offset : offset + limit]
    ids = [activity.id for activity, *_rest in page]
    counts = dict(
        uow.session.exec(
            select(col(ActivityRegistration.activity_id), func.count())
            .where(col(ActivityRegistration.activity_id).in_(ids))
            .group_by(col(ActivityRegistration.activity_id))
        ).all()
    )
    today = local_date(uow.now())
    rows = tuple(
        ActivityRow(
            activity_id=require_id(activity),
            kind=ActivityKind(activity.kind),
            title=activity.title,
            establishment_code=site.code if site is not None else "",
            schools=schools,
            levels=levels,
            held_on=activity.held_on,
            registration_deadline=activity.registration_deadline,
            is_closed=today > activity.registration_deadline,
            registration_count=int(counts.get(require_id(activity), 0)),
            state=activity_state(activity),
        )
        for activity, site, schools, levels in page
    )
    return ActivityPage.counted(rows, offset, limit, len(found))


def activity_detail(
    uow: UnitOfWork, activity_id: int, *, offset: int = 0, limit: int = REGISTRATIONS_PAGE_SIZE
) -> ActivityDetail:
    """An activity, its items with the quantities registered, one page of registrations
    (newest first) and the overall total. Refuses an unknown activity with NotFound."""
    session = uow.session
    activity = activity_or_not_found(uow, activity_id)
    site = (
        session.get(Establishment, activity.establishment_id)
        if activity.establishment_id is not None
        else None
    )
    quantities = dict(
        session.exec(
            select(
                col(ActivityRegistrationItem.item_id), func.sum(ActivityRegistrationItem.quantity)
            )
            .join(
                ActivityRegistration,
                col(ActivityRegistration.id) == col(ActivityRegistrationItem.registration_id),
            )
            .where(col(ActivityRegistration.activity_id) == activity_id)
            .group_by(col(ActivityRegistrationItem.item_id))
        ).all()
    )
    items = tuple(
        ItemTotal(
            item_id=require_id(item),
            code=item.code,
            label=item.label,
            held_on=item.held_on,
            unit_price=item.unit_price,
            quantity=int(quantities.get(require_id(item), 0)),
            total=item.unit_price * int(quantities.get(require_id(item), 0)),
            max_quantity=item.max_quantity,
        )
        for item in activity_items(uow, activity_id)
    )
    count = session.exec(
        select(func.count()).where(col(ActivityRegistration.activity_id) == activity_id)
    ).one()
    offset = max(0, min(offset, max(int(count) - 1, 0)))
    rows = session.exec(
        select(ActivityRegistration, Student, Family, StaffUser)
        .join(Student, col(Student.id) == col(ActivityRegistration.student_id))
        .join(Family, col(Family.id) == col(ActivityRegistration.family_id))
        .join(StaffUser, col(StaffUser.id) == col(ActivityRegistration.registered_by_id))
        .where(col(ActivityRegistration.activity_id) == activity_id)
        .order_by(
            col(ActivityRegistration.registered_at).desc(), col(ActivityRegistration.id).desc()
        )
        .offset(offset)
        .limit(limit)
    ).all()
    invoice_ids = tuple(r.invoice_id for r, *_rest in rows if r.invoice_id is not None)
    figures = {f.invoice_id: f for f in invoice_figures(uow, invoice_ids=invoice_ids)}
    registrations = []
    for registration, student, family, staff in rows:
        figure = figures.get(registration.invoice_id or 0)
        registrations.append(
            RegistrationRow(
                registration_id=require_id(registration),
                student_id=require_id(student),
                student_name=f"{student.first_name} {student.last_name}".strip(),
                student_number=student.student_number,
                family_id=require_id(family),
                family_name=family.name,
                registered_at=registration.registered_at,
                registered_by=staff.full_name,
                invoice_number=figure.number if figure else "",
                total=figure.kept if figure else ZERO,
                balance=max(figure.balance, ZERO) if figure else ZERO,
                override_reason=registration.override_reason,
            )
        )
    return ActivityDetail(
        activity_id=activity_id,
        kind=ActivityKind(activity.kind),
        title=activity.title,
        description=activity.description,
        establishment_name=site.name if site is not None else "",
        schools=activity_schools(uow, activity_id),
        levels=activity_levels(uow, activity_id),
        held_on=activity.held_on,
        registration_deadline=activity.registration_deadline,
        is_closed=local_date(uow.now()) > activity.registration_deadline,
        state=activity_state(activity),
        items=items,
        registrations=Page.counted(tuple(registrations), offset, limit, int(count)),
        total=sum((item.total for item in items), Decimal("0.00")),
    )

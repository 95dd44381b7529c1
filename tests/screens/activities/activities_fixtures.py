"""Activities for the screen and snapshot tests, on top of `fixtures.seed` (2026-11-23).

The Gauthier family (payer with an e-mail, no invoice yet) has Zoé, who registers to the
fundraising lunches in scenario 10. The lunches (three dates at 5,50 $, open until
2026-11-27) already have two Bouchard registrations; the orchestra outing closed on
2026-11-20 and Léa Tremblay was registered late by the registrar, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    Activity,
    ActivityItem,
    ActivityKind,
    ActivityLevel,
    Family,
    NumberSequence,
    Student,
)
from registrar_tui.services.activities.registration import register_student
from registrar_tui.services.search.index import rebuild_index
from tests import builders
from tests.screens.fixtures import Seeded, seed

CREATED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
GAUTHIER_EMAIL = "nathalie.gauthier@example.ca"
LUNCHES = "Dîners-bénéfice de l'harmonie"
OUTING = "Sortie à l'orchestre — Casse-Noisette"
LATE_REASON = "Billet réservé par téléphone le 19"


@dataclass(frozen=True)
class ActivityWorld:
    seeded: Seeded
    gauthier_id: int
    zoe_id: int
    lunches_id: int
    outing_id: int


def _activity(
    uow: UnitOfWork,
    title: str,
    kind: ActivityKind,
    held_on: date,
    deadline: date,
    items: list[tuple[str, Decimal, date | None]],
    establishment_id: int | None,
    level: str = "",
) -> tuple[int, list[int]]:
    activity = Activity(
        establishment_id=establishment_id,
        kind=kind,
        title=title,
        held_on=held_on,
        registration_deadline=deadline,
        created_at=CREATED,
    )
    uow.session.add(activity)
    uow.session.flush()
    assert activity.id is not None
    if level:
        uow.session.add(ActivityLevel(activity_id=activity.id, level=level))
    ids = []
    for number, (label, price, day) in enumerate(items, start=101):
        item = ActivityItem(
            activity_id=activity.id, code=str(number), label=label, unit_price=price, held_on=day
        )
        uow.session.add(item)
        uow.session.flush()
        assert item.id is not None
        ids.append(item.id)
    return activity.id, ids


def seed_activities(db: Database) -> ActivityWorld:
    seeded = seed(db)
    with db.write() as uow:
        site_id = uow.session.exec(select(Family.establishment_id)).first()
        assert site_id is not None
        family = builders.family(
            uow,
            site_id,
            number="F0000500",
            name="Gauthier",
            payer="Nathalie",
            payer_email=GAUTHIER_EMAIL,
            created_at=CREATED,
        )
        zoe = builders.student(
            uow,
            family,
            site_id,
            number="201399001",
            first_name="Zoé",
            last_name="Gauthier",
            birth_date=date(2015, 6, 2),
            school_level="Primaire 4",
            created_at=CREATED,
        )
        lunches, lunch_items = _activity(
            uow, LUNCHES, ActivityKind.FUNDRAISING, date(2026, 12, 11), date(2026, 11, 27),
            [
                ("Dîner du 27 novembre", Decimal("5.50"), date(2026, 11, 27)),
                ("Dîner du 4 décembre", Decimal("5.50"), date(2026, 12, 4)),
                ("Dîner du 11 décembre", Decimal("5.50"), date(2026, 12, 11)),
            ],
            site_id,
        )  # fmt: skip
        outing, outing_items = _activity(
            uow, OUTING, ActivityKind.OUTING, date(2026, 12, 5), date(2026, 11, 20),
            [("Billet étudiant", Decimal("18.00"), None),
             ("Transport en autobus", Decimal("7.00"), None)], site_id,
        )  # fmt: skip
        _activity(
            uow, "Camp musical d'été 2027", ActivityKind.EVENT, date(2027, 7, 5),
            date(2027, 6, 1), [("Semaine de camp", Decimal("275.00"), None)], None, "Primaire",
        )  # fmt: skip
        _activity(
            uow, "Visite du Musée des beaux-arts", ActivityKind.OUTING, date(2026, 10, 24),
            date(2026, 10, 10), [("Entrée et visite guidée", Decimal("12.00"), None)], site_id,
        )  # fmt: skip
        bouchards = uow.session.exec(
            select(Student.id)
            .where(col(Student.last_name) == "Bouchard")
            .order_by(col(Student.student_number))
        ).all()
        lea = uow.session.exec(select(Student.id).where(col(Student.first_name) == "Léa")).one()
    with db.write() as uow:
        rebuild_index(uow)
        # `seed` wrote FAC00000001-2 itself: new invoices are numbered after them.
        uow.session.add(NumberSequence(key="invoice", last_value=100))
    for student_id, quantities in ((bouchards[0], (1, 1, 1)), (bouchards[1], (1, 0, 1))):
        with db.write() as uow:
            chosen = dict(zip(lunch_items, quantities, strict=True))
            register_student(uow, lunches, student_id or 0, chosen, seeded.clerk_id)
    with db.write() as uow:
        register_student(uow, outing, lea, {outing_items[0]: 1}, seeded.registrar_id, LATE_REASON)
    return ActivityWorld(
        seeded=seeded,
        gauthier_id=family,
        zoe_id=zoe,
        lunches_id=lunches,
        outing_id=outing,
    )

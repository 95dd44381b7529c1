"""Test data for activities: the school of `ledger_data`, two families, four activities.

The clock of the tests is 2026-11-23 (FIXED_NOW). The fundraising lunches (three dates at
5,50 $) close on 2026-11-27; the orchestra outing closed on 2026-11-20; the Quebec City
visit is for the QC establishment only; the summer camp is for primary school students.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import Activity, ActivityItem, ActivityLevel, ActivitySchool
from registrar_tui.models.base import ActivityKind, Language
from tests import builders
from tests.services.ledger_data import School, build_school

CREATED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
TREMBLAY_EMAIL = "helene.tremblay@example.ca"
SMITH_EMAIL = "john.smith@example.com"
LUNCH_PRICE = Decimal("5.50")
_numbers = itertools.count(1)


@dataclass(frozen=True)
class ActivityWorld:
    school: School
    tremblay_id: int
    lea_id: int
    """Léa Tremblay, Primaire 5 at École Saint-Louis (Montréal), French-speaking family."""
    smith_id: int
    emma_id: int
    """Emma Smith, Secondaire 2 (Montréal), English-speaking family."""
    quebec_student_id: int
    """A student of the Québec establishment (family without e-mail)."""
    lunches_id: int
    lunch_item_ids: tuple[int, int, int]
    outing_id: int
    outing_item_ids: tuple[int, int]
    quebec_visit_id: int
    camp_id: int


def _family(
    uow: UnitOfWork,
    school: School,
    name: str,
    *,
    establishment_id: int,
    language: Language = Language.FRENCH,
    payer: tuple[str, str, str | None],
) -> int:
    first, last, email = payer
    return builders.family(
        uow,
        establishment_id,
        number=f"FA{next(_numbers):06d}",
        name=name,
        language=language,
        payer=first,
        payer_last_name=last,
        payer_email=email,
        created_at=CREATED,
    )


def _student(
    uow: UnitOfWork, family_id: int, establishment_id: int, first: str, last: str, level: str
) -> int:
    return builders.student(
        uow,
        family_id,
        establishment_id,
        number=f"2099{next(_numbers):05d}",
        first_name=first,
        last_name=last,
        birth_date=date(2014, 5, 1),
        school_name="École Saint-Louis",
        school_level=level,
        created_at=CREATED,
    )


def add_activity(
    uow: UnitOfWork,
    *,
    title: str,
    held_on: date,
    deadline: date,
    items: list[tuple[str, Decimal, date | None]],
    kind: ActivityKind = ActivityKind.OUTING,
    establishment_id: int | None = None,
    description: str = "",
    school: str = "",
    level: str = "",
) -> tuple[int, tuple[int, ...]]:
    """An activity with its items `(label, unit price, date)`, coded 1, 2, … in that
    order; `school` and `level` open it to one school and one level. Returns the ids."""
    activity = Activity(
        establishment_id=establishment_id,
        kind=kind,
        title=title,
        description=description,
        held_on=held_on,
        registration_deadline=deadline,
        created_at=CREATED,
    )
    uow.session.add(activity)
    uow.session.flush()
    assert activity.id is not None
    if school:
        uow.session.add(ActivitySchool(activity_id=activity.id, school_name=school))
    if level:
        uow.session.add(ActivityLevel(activity_id=activity.id, level=level))
    item_ids = []
    for number, (label, price, day) in enumerate(items, start=1):
        item = ActivityItem(
            activity_id=activity.id, code=str(number), label=label, unit_price=price, held_on=day
        )
        uow.session.add(item)
        uow.session.flush()
        assert item.id is not None
        item_ids.append(item.id)
    return activity.id, tuple(item_ids)


def build_activities(db: Database) -> ActivityWorld:
    school = build_school(db)
    with db.write() as uow:
        mtl, qc = school.montreal_id, school.quebec_id
        tremblay = _family(
            uow, school, "Famille Tremblay", establishment_id=mtl,
            payer=("Hélène", "Tremblay", TREMBLAY_EMAIL),
        )  # fmt: skip
        lea = _student(uow, tremblay, mtl, "Léa", "Tremblay", "Primaire 5")
        smith = _family(
            uow, school, "Smith family", establishment_id=mtl, language=Language.ENGLISH,
            payer=("John", "Smith", SMITH_EMAIL),
        )  # fmt: skip
        emma = _student(uow, smith, mtl, "Emma", "Smith", "Secondaire 2")
        gagnon = _family(
            uow, school, "Famille Gagnon", establishment_id=qc, payer=("Luc", "Gagnon", None)
        )
        quebec_student = _student(uow, gagnon, qc, "Noé", "Gagnon", "Primaire 3")
        lunches, lunch_items = add_activity(
            uow,
            kind=ActivityKind.FUNDRAISING,
            title="Dîners-bénéfice de l'harmonie",
            description="Pizza et crudités, au profit du voyage de l'harmonie.",
            held_on=date(2026, 12, 11),
            deadline=date(2026, 11, 27),
            establishment_id=mtl,
            items=[
                ("Dîner du 27 novembre", LUNCH_PRICE, date(2026, 11, 27)),
                ("Dîner du 4 décembre", LUNCH_PRICE, date(2026, 12, 4)),
                ("Dîner du 11 décembre", LUNCH_PRICE, date(2026, 12, 11)),
            ],
        )
        outing, outing_items = add_activity(
            uow,
            title="Sortie à l'orchestre — Casse-Noisette",
            description="Représentation en matinée.",
            held_on=date(2026, 12, 5),
            deadline=date(2026, 11, 20),
            establishment_id=mtl,
            items=[
                ("Billet étudiant", Decimal("18.00"), None),
                ("Transport en autobus", Decimal("7.00"), None),
            ],
        )
        quebec_visit, _ = add_activity(
            uow,
            title="Visite du Musée national des beaux-arts du Québec",
            held_on=date(2026, 10, 24),
            deadline=date(2026, 10, 10),
            establishment_id=qc,
            items=[("Entrée et visite guidée", Decimal("12.00"), None)],
        )
        camp, _ = add_activity(
            uow,
            kind=ActivityKind.EVENT,
            title="Camp musical d'été 2027",
            held_on=date(2027, 7, 5),
            deadline=date(2027, 6, 1),
            level="Primaire",
            school="École Saint-Louis",
            items=[("Semaine de camp", Decimal("275.00"), None)],
        )
    assert len(lunch_items) == 3 and len(outing_items) == 2
    return ActivityWorld(
        school=school,
        tremblay_id=tremblay,
        lea_id=lea,
        smith_id=smith,
        emma_id=emma,
        quebec_student_id=quebec_student,
        lunches_id=lunches,
        lunch_item_ids=(lunch_items[0], lunch_items[1], lunch_items[2]),
        outing_id=outing,
        outing_item_ids=(outing_items[0], outing_items[1]),
        quebec_visit_id=quebec_visit,
        camp_id=camp,
    )

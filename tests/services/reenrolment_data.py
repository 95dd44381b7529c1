"""A school with two terms, courses and fee schedules, for re-enrolment and fee tests.

On top of `ledger_data.build_school` (AUT-2026, the current term on the fixed clock's
day, 2026-11-23): its confirmation deadline (2026-10-01), the next term HIV-2027 with its
re-enrolment window (2026-11-01 → 2026-12-05), piano, solfège and violin courses at
Montréal, the demo's fee schedule for both terms, and a family whose student Élodie takes
piano and solfège this autumn (attendance confirmed on time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    FeeScheduleItem,
    Guardian,
    Student,
    Term,
)
from registrar_tui.models.base import DisciplineKind, FeeKind, Language, Season
from tests import builders
from tests.services.ledger_data import School, add_family, build_school

WINDOW_OPENS = date(2026, 11, 1)
WINDOW_CLOSES = date(2026, 12, 5)
DEADLINE = date(2026, 10, 1)
D = Decimal
TUITION = {"PIA": D("200.00"), "SOL": D("90.00"), "VLN": D("200.00")}
FEES = (
    ("INS", FeeKind.REGISTRATION, "Frais d'inscription", "Registration fee", D("50.00")),
    ("FONDATION", FeeKind.VOLUNTARY, "Contribution volontaire — Fondation",
     "Voluntary contribution — Foundation", D("25.00")),
    ("CHG-HORAIRE", FeeKind.SCHEDULE_CHANGE, "Frais de changement d'horaire",
     "Schedule change fee", D("15.00")),
    ("CONF-TARD", FeeKind.LATE_CONFIRMATION, "Frais de confirmation tardive",
     "Late confirmation fee", D("25.00")),
    ("ATTESTATION", FeeKind.CERTIFICATE, "Attestation de fréquentation",
     "Attendance certificate", D("10.00")),
)  # fmt: skip


@dataclass(frozen=True)
class World:
    school: School
    autumn_id: int
    winter_id: int
    disciplines: dict[str, int]
    courses: dict[str, int]
    """"AUT-PIA", "AUT-SOL", "AUT-VLN", "HIV-PIA-01" (one seat, taken), "HIV-PIA-02",
    "HIV-SOL"."""
    family_id: int
    student_id: int


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def student_of(uow: UnitOfWork, family_id: int) -> int:
    student_id = uow.session.exec(
        select(Student.id).where(col(Student.family_id) == family_id)
    ).first()
    assert student_id is not None
    return student_id


def enrol(db: Database, student_id: int, course_id: int, confirmed: datetime | None = None) -> int:
    with db.write() as uow:
        enrolment = Enrolment(
            student_id=student_id,
            course_id=course_id,
            enrolled_at=at(date(2026, 8, 20)),
            attendance_confirmed_at=confirmed,
        )
        uow.session.add(enrolment)
        uow.session.flush()
        assert enrolment.id is not None
        return enrolment.id


def add_student_family(
    db: Database, world_school: School, name: str, *, email: str | None = None,
    language: Language = Language.FRENCH,
) -> tuple[int, int]:  # fmt: skip
    """A family (payer with `email`) and its student: (family id, student id)."""
    family_id = add_family(db, world_school, name)
    with db.write() as uow:
        payer = uow.session.exec(select(Guardian).where(col(Guardian.family_id) == family_id)).one()
        payer.email = email
        uow.session.add(payer)
        from registrar_tui.models import Family

        family = uow.session.get_one(Family, family_id)
        family.language = language
        uow.session.add(family)
        return family_id, student_of(uow, family_id)


def build_world(db: Database) -> World:
    school = build_school(db)
    with db.write() as uow:
        session = uow.session
        autumn = session.get_one(Term, school.term_id)
        autumn.confirmation_deadline = DEADLINE
        session.add(autumn)
        winter = builders.term(
            uow,
            code="HIV-2027",
            season=Season.WINTER,
            year=2027,
            starts_on=date(2027, 1, 11),
            ends_on=date(2027, 5, 1),
            payment_due_on=date(2027, 1, 31),
            reenrolment_opens_on=WINDOW_OPENS,
            reenrolment_closes_on=WINDOW_CLOSES,
        )
        disciplines = {}
        for code, fr, en, kind in (
            ("PIA", "Piano", "Piano", DisciplineKind.INSTRUMENT),
            ("SOL", "Solfège", "Music theory", DisciplineKind.THEORY),
            ("VLN", "Violon", "Violin", DisciplineKind.INSTRUMENT),
        ):
            discipline = Discipline(code=code, name_fr=fr, name_en=en, kind=kind)
            session.add(discipline)
            session.flush()
            assert discipline.id is not None
            disciplines[code] = discipline.id
        assert autumn.id is not None
        courses = {}
        for key, term_id, code, section, capacity in (
            ("AUT-PIA", autumn.id, "PIA", "01", 20),
            ("AUT-SOL", autumn.id, "SOL", "01", 20),
            ("AUT-VLN", autumn.id, "VLN", "01", 1),
            ("HIV-PIA-01", winter, "PIA", "01", 1),
            ("HIV-PIA-02", winter, "PIA", "02", 12),
            ("HIV-SOL", winter, "SOL", "01", 20),
        ):
            course = Course(
                term_id=term_id,
                establishment_id=school.montreal_id,
                discipline_id=disciplines[code],
                section=section,
                capacity=capacity,
            )
            session.add(course)
            session.flush()
            assert course.id is not None
            courses[key] = course.id
        for term_id in (autumn.id, winter):
            for code, amount in TUITION.items():
                session.add(
                    FeeScheduleItem(
                        term_id=term_id,
                        code=f"SCO-{code}",
                        kind=FeeKind.TUITION,
                        description_fr=f"Droits de scolarité — {code}",
                        description_en=f"Tuition — {code}",
                        amount=amount,
                        discipline_id=disciplines[code],
                    )
                )
            for code, kind, fr, en, amount in FEES:
                session.add(
                    FeeScheduleItem(
                        term_id=term_id,
                        code=code,
                        kind=kind,
                        description_fr=fr,
                        description_en=en,
                        amount=amount,
                        is_voluntary=kind is FeeKind.VOLUNTARY,
                    )
                )
    family_id, student_id = add_student_family(db, school, "Tremblay", email="helene@example.ca")
    for key in ("AUT-PIA", "AUT-SOL"):
        enrol(db, student_id, courses[key], confirmed=at(date(2026, 9, 10)))
    # Someone else holds the one seat of winter piano section 01.
    _other_family, other = add_student_family(db, school, "Gagnon")
    enrol(db, other, courses["HIV-PIA-01"])
    return World(
        school=school,
        autumn_id=autumn.id,
        winter_id=winter,
        disciplines=disciplines,
        courses=courses,
        family_id=family_id,
        student_id=student_id,
    )


def set_today(db: Database, day: date, hour: int = 15) -> None:
    """Move the database's clock (the school's local day is `day` at 15:00 UTC)."""
    instant = at(day, hour)
    db.clock = lambda: instant

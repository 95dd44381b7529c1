"""The school-year screens' world: the counter's (tests/screens/fixtures.py: Montréal, a
clerk, a registrar, an admin, the Tremblays) plus autumn 2026 with two piano groups (01
with Léa and Hugo enrolled, 02 closed), winter 2027 without groups, two teachers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    Course,
    Discipline,
    DisciplineKind,
    Enrolment,
    Establishment,
    Season,
    Student,
    Teacher,
)
from tests import builders
from tests.screens.fixtures import seed


@dataclass(frozen=True)
class YearScreens:
    autumn_id: int
    winter_id: int
    piano01_id: int
    piano02_id: int
    tremblay_id: int
    gagnon_id: int


def seed_school_year(db: Database) -> YearScreens:
    seed(db)
    with db.write() as uow:
        site = uow.session.exec(select(Establishment.id)).first()
        assert site is not None
        autumn = builders.term(uow)
        winter = builders.term(
            uow,
            code="HIV-2027",
            season=Season.WINTER,
            year=2027,
            starts_on=date(2027, 1, 11),
            ends_on=date(2027, 4, 30),
            payment_due_on=date(2027, 2, 1),
        )
        piano = Discipline(
            code="PIA", name_fr="Piano", name_en="Piano", kind=DisciplineKind.INSTRUMENT
        )
        violin = Discipline(
            code="VIO", name_fr="Violon", name_en="Violin", kind=DisciplineKind.INSTRUMENT
        )
        tremblay = Teacher(first_name="Marie", last_name="Tremblay")
        gagnon = Teacher(first_name="Luc", last_name="Gagnon")
        uow.session.add_all([piano, violin, tremblay, gagnon])
        uow.session.flush()
        assert piano.id and tremblay.id and gagnon.id
        piano01 = Course(
            term_id=autumn,
            establishment_id=site,
            discipline_id=piano.id,
            teacher_id=tremblay.id,
            section="01",
            capacity=8,
            weekday=2,
            starts_at=time(16, 0),
            ends_at=time(17, 0),
            room="B-201",
            level="Débutant",
        )
        piano02 = Course(
            term_id=autumn,
            establishment_id=site,
            discipline_id=piano.id,
            teacher_id=gagnon.id,
            section="02",
            capacity=6,
            weekday=4,
            starts_at=time(18, 0),
            ends_at=time(19, 0),
            room="B-105",
            closed_at=datetime(2026, 10, 1, 12, tzinfo=UTC),
        )
        uow.session.add_all([piano01, piano02])
        uow.session.flush()
        assert piano01.id and piano02.id
        for student_id in uow.session.exec(
            select(Student.id).where(col(Student.first_name).in_(["Léa", "Hugo"]))
        ):
            uow.session.add(
                Enrolment(
                    student_id=student_id,
                    course_id=piano01.id,
                    enrolled_at=datetime(2026, 8, 20, 12, tzinfo=UTC),
                )
            )
        return YearScreens(autumn, winter, piano01.id, piano02.id, tremblay.id, gagnon.id)

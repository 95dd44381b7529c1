"""The school-year tests' world: Montréal and Québec, autumn 2026 and winter 2027, piano
and violin, two teachers, a clerk, a registrar and an admin, and two piano groups of the
autumn (01 with two students enrolled and one who dropped, 02 closed).

The fixed clock is 23 November 2026 (tests/conftest.py): the autumn term is under way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    Course,
    Discipline,
    DisciplineKind,
    Enrolment,
    EnrolmentStatus,
    Role,
    Season,
    Teacher,
)
from tests import builders

ENROLLED = datetime(2026, 8, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class YearWorld:
    db: Database
    montreal_id: int
    quebec_id: int
    autumn_id: int
    winter_id: int
    piano_id: int
    violin_id: int
    tremblay_id: int
    """Teacher Marie Tremblay (piano 01)."""
    gagnon_id: int
    """Teacher Luc Gagnon (piano 02)."""
    clerk_id: int
    registrar_id: int
    admin_id: int
    piano01_id: int
    piano02_id: int


def build_year(db: Database) -> YearWorld:
    with db.write() as uow:
        montreal = builders.establishment(uow)
        quebec = builders.establishment(
            uow, code="QC", name="Conservatoire de musique de Québec", city="Québec"
        )
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
        disciplines = []
        for code, fr, en in (("PIA", "Piano", "Piano"), ("VIO", "Violon", "Violin")):
            row = Discipline(code=code, name_fr=fr, name_en=en, kind=DisciplineKind.INSTRUMENT)
            uow.session.add(row)
            disciplines.append(row)
        tremblay = Teacher(first_name="Marie", last_name="Tremblay", email="marie@example.org")
        gagnon = Teacher(first_name="Luc", last_name="Gagnon")
        uow.session.add_all([tremblay, gagnon])
        uow.session.flush()
        users = [
            builders.staff(uow, montreal, username=name, full_name=name.title(), role=role)
            for name, role in (
                ("commis", Role.CLERK),
                ("registraire", Role.REGISTRAR),
                ("admin", Role.ADMIN),
            )
        ]
        piano01 = Course(
            term_id=autumn,
            establishment_id=montreal,
            discipline_id=disciplines[0].id,
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
            establishment_id=montreal,
            discipline_id=disciplines[0].id,
            teacher_id=gagnon.id,
            section="02",
            capacity=6,
            closed_at=ENROLLED,
        )
        uow.session.add_all([piano01, piano02])
        uow.session.flush()
        family = builders.family(uow, montreal, number="F1", name="Roy", payer="Hélène")
        for number, first, status in (
            ("201300001", "Léa", EnrolmentStatus.ACTIVE),
            ("201300002", "Noé", EnrolmentStatus.ACTIVE),
            ("201300003", "Zoé", EnrolmentStatus.DROPPED),
        ):
            student = builders.student(
                uow, family, montreal, number=number, first_name=first, last_name="Roy"
            )
            uow.session.add(
                Enrolment(
                    student_id=student,
                    course_id=piano01.id,
                    status=status,
                    enrolled_at=ENROLLED,
                )
            )
        uow.session.flush()
        assert piano01.id and piano02.id and tremblay.id and gagnon.id
        assert disciplines[0].id and disciplines[1].id
        return YearWorld(
            db=db,
            montreal_id=montreal,
            quebec_id=quebec,
            autumn_id=autumn,
            winter_id=winter,
            piano_id=disciplines[0].id,
            violin_id=disciplines[1].id,
            tremblay_id=tremblay.id,
            gagnon_id=gagnon.id,
            clerk_id=users[0],
            registrar_id=users[1],
            admin_id=users[2],
            piano01_id=piano01.id,
            piano02_id=piano02.id,
        )


def audit(db: Database, action: str) -> list[tuple[dict[str, object], dict[str, object]]]:
    """The (before, after) of every audit event with this action, oldest first."""
    with db.read() as uow:
        events = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == action).order_by(col(AuditEvent.id))
        ).all()
        return [(json.loads(e.before_json), json.loads(e.after_json)) for e in events]


def audit_count(db: Database) -> int:
    with db.read() as uow:
        return int(uow.session.exec(select(func.count()).select_from(AuditEvent)).one())


def course_count(db: Database, term_id: int) -> int:
    with db.read() as uow:
        return int(
            uow.session.exec(
                select(func.count(col(Course.id))).where(col(Course.term_id) == term_id)
            ).one()
        )

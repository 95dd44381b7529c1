"""The student world (`student_fixtures`) made billable, for scenario 7 and the fee screens.

Adds winter 2027 piano and solfège sections, an autumn 2026 voice course with room, the
demo's fee schedule for both terms (tuition per discipline, registration, two voluntary
contributions, schedule change 15 $, late confirmation 25 $, certificate 10 $), the
autumn confirmation deadline (2026-10-01: Léa confirmed on time, her brother Hugo takes
voice without confirming), and invoice numbers past the seeded ones. Léa's pending
request (piano and solfège, with her family's note) is the one scenario 7 validates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    FeeKind,
    FeeScheduleItem,
    NumberSequence,
    ReenrolmentRequest,
    RequestStatus,
    Teacher,
    Term,
)
from tests.screens.student.student_fixtures import StudentWorld, seed_students

D = Decimal
TUITION = {"PIA": D("200.00"), "SOL": D("90.00"), "CHA": D("180.00"), "MRK": D("150.00")}
FEES = (
    ("INS", FeeKind.REGISTRATION, "Frais d'inscription", "Registration fee", D("50.00")),
    ("FONDATION", FeeKind.VOLUNTARY, "Contribution volontaire — Fondation du Conservatoire",
     "Voluntary contribution — Conservatoire Foundation", D("25.00")),
    ("ASSO-ETU", FeeKind.VOLUNTARY, "Cotisation volontaire — Association étudiante",
     "Voluntary contribution — Student association", D("10.00")),
    ("CHG-HORAIRE", FeeKind.SCHEDULE_CHANGE, "Frais de changement d'horaire",
     "Schedule change fee", D("15.00")),
    ("CONF-TARD", FeeKind.LATE_CONFIRMATION, "Frais de confirmation tardive",
     "Late confirmation fee", D("25.00")),
    ("ATTESTATION", FeeKind.CERTIFICATE, "Attestation de fréquentation",
     "Attendance certificate", D("10.00")),
)  # fmt: skip
REENROLMENT_TOTAL = "375,00"
"""Piano 200 + solfège 90 + registration 50 + contributions 25 and 10."""


@dataclass(frozen=True)
class ReenrolmentWorld:
    students: StudentWorld
    request_id: int
    """Léa's pending request for HIV-2027: piano and solfège."""
    winter_courses: dict[str, int]
    voice_course_id: int
    """AUT-2026 voice, section 01: room for a course added at the counter."""
    other_piano: dict[str, int]
    """Winter piano sections "02" (full: Hugo has its one seat) and "03" (room)."""


def seed_reenrolment(db: Database) -> ReenrolmentWorld:
    students = seed_students(db)
    with db.write() as uow:
        session = uow.session
        terms = {t.code: t for t in session.exec(select(Term))}
        autumn, winter = terms["AUT-2026"], terms["HIV-2027"]
        autumn.confirmation_deadline = date(2026, 10, 1)
        session.add(autumn)
        disciplines = {d.code: d for d in session.exec(select(Discipline))}
        teachers = {t.last_name: t.id for t in session.exec(select(Teacher))}
        site = session.exec(select(Course.establishment_id)).first()
        assert site is not None and winter.id is not None and autumn.id is not None
        courses = {}
        # Winter piano: 01 (Léa's, proposed), 02 full (Hugo holds its one seat), 03 with room.
        for key, term_id, code, teacher, section, capacity, schedule in (
            ("PIA", winter.id, "PIA", "Bélanger", "01", 16, (3, time(17, 30), "Studio 3")),
            ("PIA-02", winter.id, "PIA", "Côté", "02", 1, (2, time(16), "Studio 1")),
            ("PIA-03", winter.id, "PIA", "Côté", "03", 8, (4, time(18), "Studio 5")),
            ("SOL", winter.id, "SOL", "Côté", "01", 16, (6, time(9), "Salle 12")),
            ("AUT-CHA", autumn.id, "CHA", "Bélanger", "02", 16, None),
        ):
            course = Course(
                term_id=term_id,
                establishment_id=site,
                discipline_id=disciplines[code].id or 0,
                teacher_id=teachers[teacher],
                section=section,
                capacity=capacity,
            )
            if schedule is not None:
                course.weekday, course.starts_at, course.room = schedule
                course.ends_at = time(course.starts_at.hour + 1, course.starts_at.minute)
            session.add(course)
            session.flush()
            courses[key] = course.id or 0
        for term_id in (autumn.id, winter.id):
            for code, amount in TUITION.items():
                session.add(
                    FeeScheduleItem(
                        term_id=term_id,
                        code=f"SCO-{code}",
                        kind=FeeKind.TUITION,
                        description_fr=f"Droits de scolarité — {disciplines[code].name_fr}",
                        description_en=f"Tuition — {disciplines[code].name_en}",
                        amount=amount,
                        discipline_id=disciplines[code].id,
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
        session.add(NumberSequence(key="invoice", last_value=500))
        for enrolment in session.exec(
            select(Enrolment).where(col(Enrolment.student_id) == students.lea_id)
        ):
            enrolment.attendance_confirmed_at = datetime(2026, 9, 15, 14, tzinfo=UTC)
            session.add(enrolment)
        for course_key, confirmed in (
            ("AUT-CHA", None),
            # Winter's, taken early, is confirmed: only the autumn's is late.
            ("PIA-02", datetime(2026, 11, 2, 15, tzinfo=UTC)),
        ):
            session.add(
                Enrolment(
                    student_id=students.hugo_id,
                    course_id=courses[course_key],
                    enrolled_at=datetime(2026, 8, 20, 14, tzinfo=UTC),
                    attendance_confirmed_at=confirmed,
                )
            )
        request_id = session.exec(
            select(ReenrolmentRequest.id).where(
                col(ReenrolmentRequest.student_id) == students.lea_id,
                col(ReenrolmentRequest.status) == RequestStatus.PENDING,
            )
        ).one()
        assert request_id is not None
    return ReenrolmentWorld(
        students=students,
        request_id=request_id,
        winter_courses={"PIA": courses["PIA"], "SOL": courses["SOL"]},
        other_piano={"02": courses["PIA-02"], "03": courses["PIA-03"]},
        voice_course_id=courses["AUT-CHA"],
    )

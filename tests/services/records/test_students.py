"""The student record and a course's detail, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from registrar_tui.db import Database
from registrar_tui.models import (
    Course,
    Discipline,
    DisciplineKind,
    Enrolment,
    ReenrolmentKind,
    RepertoireEventKind,
    RequestStatus,
    Role,
    Season,
)
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.records.courses import course_detail
from registrar_tui.services.records.students import student_record
from tests import builders
from tests.screens.student.student_fixtures import (
    ESCAPE_NOTE,
    HISTORY_ROWS,
    MARKUP_FIRST,
    PENDING_NOTE,
    PIANO_TEACHER,
    REGISTRAR_NAME,
    REJECTION_REASON,
    SOLFEGE_TEACHER,
    WORKS,
    StudentWorld,
    seed_students,
)


@pytest.fixture
def world(database: Database) -> StudentWorld:
    return seed_students(database)


def test_identity_and_family(database: Database, world: StudentWorld) -> None:
    with database.read() as uow:
        record = student_record(uow, world.lea_id, world.registrar_id)
    who = record.identity
    assert (who.full_name, who.student_number, who.code_permanent) == (
        "Léa Tremblay",
        "201337007",
        "TREL54030912",
    )
    assert who.birth_date == date(2014, 3, 9)
    assert (who.school_level, who.group_name) == ("Primaire 6", "601")
    assert (who.family_name, who.family_number) == ("Tremblay", "F0000001")
    assert who.family_id == world.seeded.tremblay_id
    assert who.establishment_code == "MTL"
    assert record.today == date(2026, 11, 23)


def test_current_courses_count_evaluations_and_absences(
    database: Database, world: StudentWorld
) -> None:
    with database.read() as uow:
        record = student_record(uow, world.lea_id, world.registrar_id)
    assert record.term_code == "AUT-2026"
    assert [(c.discipline.name_fr, c.teacher) for c in record.courses] == [
        ("Piano", PIANO_TEACHER),
        ("Solfège", SOLFEGE_TEACHER),
    ]
    piano, solfege = record.courses
    assert piano.enrolment_id == world.piano_enrolment_id
    assert (piano.evaluation_count, piano.absence_count, piano.unjustified_absence_count) == (
        3,
        2,
        1,
    )
    assert piano.mean_mark == Decimal("85.0")  # (82 + 88) / 2: the unmarked one is left out
    assert (solfege.evaluation_count, solfege.absence_count, solfege.mean_mark) == (
        1,
        0,
        Decimal("75.0"),
    )
    assert solfege.discipline.in_language("en") == "Music theory"


def test_history_is_past_terms_newest_first_without_next_terms(
    database: Database, world: StudentWorld
) -> None:
    with database.read() as uow:
        record = student_record(uow, world.lea_id, world.registrar_id)
    history = record.history
    assert len(history) == HISTORY_ROWS
    assert [h.term_code for h in history[:2]] == ["HIV-2026", "HIV-2026"]
    assert history[-1].term_code == "AUT-2023"
    starts = [h.term_starts_on for h in history]
    assert starts == sorted(starts, reverse=True)
    assert all(h.term_code not in ("AUT-2026", "HIV-2027") for h in history)
    piano = next(h for h in history if h.discipline.code == "PIA" and h.term_code == "HIV-2026")
    assert (piano.final_mark, piano.teacher) == (85, PIANO_TEACHER)
    assert piano.teacher_comment == "Piano HIV-2026 : progrès constants."
    solfege = next(h for h in history if h.discipline.code == "SOL" and h.term_code == "HIV-2026")
    assert solfege.final_mark is None
    assert solfege.mean_mark == Decimal("75.5")  # (70 + 81) / 2, half up at one decimal


def test_repertoire_newest_event_first_with_its_works(
    database: Database, world: StudentWorld
) -> None:
    with database.read() as uow:
        record = student_record(uow, world.lea_id, world.registrar_id)
    events = record.repertoire
    assert [e.held_on for e in events] == sorted((e.held_on for e in events), reverse=True)
    assert sum(len(e.works) for e in events) == WORKS
    recital = events[0]
    assert (recital.kind, recital.title, recital.venue) == (
        RepertoireEventKind.RECITAL,
        "Récital d'automne",
        "Grande salle du Conservatoire",
    )
    assert [(w.composer, w.title) for w in recital.works] == [
        ("Frédéric Chopin", "Nocturne op. 9 no 2"),
        ("Claude Debussy", "Clair de lune"),
    ]


def test_reenrolment_requests_for_the_next_term_only(
    database: Database, world: StudentWorld
) -> None:
    with database.read() as uow:
        record = student_record(uow, world.lea_id, world.registrar_id)
    assert record.next_term is not None and record.next_term.code == "HIV-2027"
    assert record.next_term.reenrolment_open_on(record.today)
    assert not record.next_term.reenrolment_open_on(date(2026, 12, 6))
    pending, rejected = record.reenrolments
    assert (pending.status, pending.kind, pending.note) == (
        RequestStatus.PENDING,
        ReenrolmentKind.DISCIPLINES,
        PENDING_NOTE,
    )
    assert [d.name_fr for d in pending.disciplines] == ["Piano", "Solfège"]
    assert pending.decided_at is None and pending.decided_by is None
    assert (rejected.status, rejected.kind, rejected.disciplines) == (
        RequestStatus.REJECTED,
        ReenrolmentKind.ADMINISTRATIVE,
        (),
    )
    assert (rejected.decided_by, rejected.decision_reason) == (REGISTRAR_NAME, REJECTION_REASON)
    assert rejected.decided_at is not None
    assert rejected.decided_at.replace(tzinfo=UTC) == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


def test_a_student_with_nothing_yet(database: Database, world: StudentWorld) -> None:
    with database.read() as uow:
        record = student_record(uow, world.hugo_id, world.registrar_id)
    assert record.identity.full_name == "Hugo Tremblay"
    assert (record.courses, record.history, record.repertoire, record.reenrolments) == (
        (),
        (),
        (),
        (),
    )
    assert record.term_code == "AUT-2026"


def test_user_text_comes_back_as_stored(database: Database, world: StudentWorld) -> None:
    """Cleaning is the screen's job: the service hands back exactly what was typed."""
    with database.read() as uow:
        record = student_record(uow, world.markup_id, world.registrar_id)
    assert record.identity.first_name == MARKUP_FIRST
    assert record.identity.medical_conditions == ESCAPE_NOTE


def test_course_detail_lists_evaluations_and_absences_by_date(
    database: Database, world: StudentWorld
) -> None:
    with database.read() as uow:
        detail = course_detail(uow, world.piano_enrolment_id)
    assert (detail.discipline.name_fr, detail.teacher, detail.term_code) == (
        "Piano",
        PIANO_TEACHER,
        "AUT-2026",
    )
    assert (detail.student_name, detail.student_id) == ("Léa Tremblay", world.lea_id)
    assert [(e.title, e.mark) for e in detail.evaluations] == [
        ("Gammes et arpèges", 82),
        ("Étude imposée", 88),
        ("Audition de mi-session", None),
    ]
    assert detail.evaluations[1].comment == "Très musical."
    assert [(a.absent_on, a.is_justified, a.reason) for a in detail.absences] == [
        (date(2026, 10, 6), True, "Rendez-vous médical"),
        (date(2026, 11, 3), False, ""),
    ]
    assert detail.mean_mark == Decimal("85.0")


def test_unknown_ids_are_refused(database: Database, world: StudentWorld) -> None:
    with database.read() as uow, pytest.raises(NotFound) as refused:
        student_record(uow, 999_999, world.registrar_id)
    assert refused.value.field == "student"
    with database.read() as uow, pytest.raises(NotFound) as refused:
        course_detail(uow, 999_999)
    assert refused.value.field == "enrolment"


def _bare_student(database: Database) -> tuple[int, int]:
    """A student, a piano course in AUT-2025 (ended) and one in ETE-2027 (not started),
    and a clerk reading the record (its id second)."""
    created = datetime(2025, 1, 1, tzinfo=UTC)
    with database.write() as uow:
        site = builders.establishment(
            uow,
            code="QC",
            name="Québec",
            address_line="",
            city="Québec",
            postal_code="G1R 1A1",
            phone="418-000-0000",
        )
        family = builders.family(uow, site, number="F9", name="Roy", created_at=created)
        student = builders.student(
            uow,
            family,
            site,
            number="1234567",
            first_name="Zoé",
            last_name="Roy",
            birth_date=date(2015, 1, 1),
            created_at=created,
        )
        piano = Discipline(
            code="PIA", name_fr="Piano", name_en="Piano", kind=DisciplineKind.INSTRUMENT
        )
        uow.session.add(piano)
        for code, season, year, starts, ends in (
            ("AUT-2025", Season.AUTUMN, 2025, date(2025, 9, 2), date(2025, 12, 20)),
            ("ETE-2027", Season.SUMMER, 2027, date(2027, 6, 28), date(2027, 8, 6)),
        ):
            term = builders.term(
                uow,
                code=code,
                season=season,
                year=year,
                starts_on=starts,
                ends_on=ends,
                payment_due_on=starts,
            )
            course = Course(term_id=term, establishment_id=site, discipline_id=piano.id)  # type: ignore[arg-type]
            uow.session.add(course)
            uow.session.flush()
            uow.session.add(
                Enrolment(
                    student_id=student,
                    course_id=course.id,  # type: ignore[arg-type]
                    enrolled_at=created,
                )
            )
        clerk = builders.staff(
            uow,
            None,
            username="commis",
            full_name="Commis",
            role=Role.CLERK,
            password_hash="not-used",
            created_at=created,
        )
        return student, clerk


def test_between_terms_the_latest_started_term_is_current(database: Database) -> None:
    student_id, clerk_id = _bare_student(database)
    with database.read() as uow:
        record = student_record(uow, student_id, clerk_id)
    # 2026-11-23 falls in no term: AUT-2025 (latest started) is current, ETE-2027 is next.
    assert record.term_code == "AUT-2025"
    assert [c.discipline.code for c in record.courses] == ["PIA"]
    assert record.history == ()
    assert record.next_term is not None and record.next_term.code == "ETE-2027"
    assert not record.next_term.reenrolment_open_on(record.today)
    assert record.reenrolments == ()
    assert record.courses[0].teacher is None

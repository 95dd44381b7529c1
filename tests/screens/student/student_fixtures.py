"""The student record's world, on top of the shared counter world (`fixtures.seed`).

Today is 2026-11-23 (the fixed clock): AUT-2026 is the current term, HIV-2027 the next
one (re-enrolment open). Léa Tremblay has two courses this term (piano: three
evaluations, two absences; solfège), twelve past enrolments (more than a page), eleven
works performed at five events, and two re-enrolment requests for HIV-2027 (one
rejected, one pending). Hugo Tremblay has nothing yet. A student of the markup family
has names and notes that look like markup or carry terminal escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    Absence,
    Course,
    Discipline,
    DisciplineKind,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    ReenrolmentKind,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    RepertoireEvent,
    RepertoireEventKind,
    RepertoireWork,
    RequestStatus,
    Role,
    Season,
    Student,
    Teacher,
)
from tests import builders
from tests.screens.fixtures import MARKUP_FAMILY, Seeded, seed

CREATED = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
MARKUP_FIRST = "[b]x[/b]"
MARKUP_LAST = "[@click=app.quit]"
ESCAPE_NOTE = "\x1b[31mAsthme sévère"
PIANO_TEACHER = "Marie-Claude Bélanger"
SOLFEGE_TEACHER = "Jean-François Côté"
REGISTRAR_NAME = "Nadia Boucher"
PENDING_NOTE = "Souhaite garder la même enseignante."
REJECTION_REASON = "Demande en double"
HISTORY_ROWS = 12
WORKS = 11

# (code, season, year, starts, ends)
_TERMS = (
    ("AUT-2023", Season.AUTUMN, 2023, date(2023, 9, 5), date(2023, 12, 16)),
    ("HIV-2024", Season.WINTER, 2024, date(2024, 1, 15), date(2024, 5, 10)),
    ("AUT-2024", Season.AUTUMN, 2024, date(2024, 9, 3), date(2024, 12, 14)),
    ("HIV-2025", Season.WINTER, 2025, date(2025, 1, 13), date(2025, 5, 9)),
    ("AUT-2025", Season.AUTUMN, 2025, date(2025, 9, 2), date(2025, 12, 20)),
    ("HIV-2026", Season.WINTER, 2026, date(2026, 1, 12), date(2026, 5, 8)),
    ("AUT-2026", Season.AUTUMN, 2026, date(2026, 9, 1), date(2026, 12, 19)),
    ("HIV-2027", Season.WINTER, 2027, date(2027, 1, 11), date(2027, 5, 7)),
)
# Composer, title per event (newest event first once shown).
_EVENTS = (
    (
        RepertoireEventKind.RECITAL,
        "Récital d'automne",
        date(2026, 11, 8),
        "Grande salle du Conservatoire",
        (("Frédéric Chopin", "Nocturne op. 9 no 2"), ("Claude Debussy", "Clair de lune")),
    ),
    (
        RepertoireEventKind.EXAM,
        "Examens de fin de session — hiver",
        date(2026, 5, 2),
        "Studio 3",
        (("Jean-Sébastien Bach", "Invention no 8 en fa majeur"), ("Béla Bartók", "Mikrokosmos 97")),
    ),
    (
        RepertoireEventKind.MASTERCLASS,
        "Classe de maître — interprétation",
        date(2026, 3, 14),
        "Chapelle du Bon-Pasteur",
        (("Robert Schumann", "Rêverie, op. 15 no 7"),),
    ),
    (
        RepertoireEventKind.CONCERT,
        "Concert de Noël",
        date(2025, 12, 13),
        "Grande salle du Conservatoire",
        (
            ("Piotr Ilitch Tchaïkovski", "Valse des fleurs (arr.)"),
            ("Wolfgang Amadeus Mozart", "Sonate K. 545, 1er mouvement"),
            ("Franz Schubert", "Impromptu op. 90 no 2"),
        ),
    ),
    (
        RepertoireEventKind.COMPETITION,
        "Concours des jeunes interprètes",
        date(2025, 4, 11),
        "Studio 3",
        (
            ("Joseph Haydn", "Sonate Hob. XVI:35"),
            ("Felix Mendelssohn", "Romance sans paroles op. 19 no 1"),
            ("Erik Satie", "Gymnopédie no 1"),
        ),
    ),
)


@dataclass(frozen=True)
class StudentWorld:
    seeded: Seeded
    lea_id: int
    hugo_id: int
    markup_id: int
    piano_enrolment_id: int
    registrar_id: int


def _add(uow: UnitOfWork, row: object) -> object:
    uow.session.add(row)
    uow.session.flush()
    return row


def _enrol(
    uow: UnitOfWork,
    student_id: int,
    course: Course,
    *,
    final_mark: int | None = None,
    comment: str = "",
    status: EnrolmentStatus = EnrolmentStatus.ACTIVE,
) -> int:
    assert course.id is not None
    enrolment = Enrolment(
        student_id=student_id,
        course_id=course.id,
        status=status,
        enrolled_at=CREATED,
        final_mark=final_mark,
        teacher_comment=comment,
    )
    _add(uow, enrolment)
    assert enrolment.id is not None
    return enrolment.id


def seed_students(db: Database) -> StudentWorld:
    """`fixtures.seed` plus the student record's data (terms, courses, marks, events)."""
    from registrar_tui.services.search.index import rebuild_index

    seeded = seed(db)
    with db.write() as uow:
        lea = uow.session.get(Student, _student_id(uow, "201337007"))
        hugo_id = _student_id(uow, "201337015")
        assert lea is not None and lea.id is not None
        site_id = lea.establishment_id
        registrar = builders.staff(
            uow,
            site_id,
            username="registraire",
            full_name=REGISTRAR_NAME,
            role=Role.REGISTRAR,
            password_hash="not-used",
            created_at=CREATED,
        )
        terms = {}
        for code, season, year, starts, ends in _TERMS:
            terms[code] = builders.term(
                uow,
                code=code,
                season=season,
                year=year,
                starts_on=starts,
                ends_on=ends,
                payment_due_on=starts,
                reenrolment_opens_on=date(2026, 11, 1) if code == "HIV-2027" else None,
                reenrolment_closes_on=date(2026, 12, 5) if code == "HIV-2027" else None,
            )
        disciplines = {}
        for code, fr, en, kind in (
            ("PIA", "Piano", "Piano", DisciplineKind.INSTRUMENT),
            ("SOL", "Solfège", "Music theory", DisciplineKind.THEORY),
            ("CHA", "Chant", "Voice", DisciplineKind.VOICE),
            ("MRK", "[i]Théâtre[/i]", "[i]Drama[/i]", DisciplineKind.DRAMA),
        ):
            disciplines[code] = _add(uow, Discipline(code=code, name_fr=fr, name_en=en, kind=kind))
        teachers = {}
        for key, first, last in (
            ("piano", "Marie-Claude", "Bélanger"),
            ("solfege", "Jean-François", "Côté"),
            ("markup", "[b]Prof[/b]", "\x1b[2JRoy"),
        ):
            teachers[key] = _add(uow, Teacher(first_name=first, last_name=last))

        def course(term: str, discipline: str, teacher: str) -> Course:
            made = Course(
                term_id=terms[term],
                establishment_id=site_id,
                discipline_id=disciplines[discipline].id,
                teacher_id=teachers[teacher].id,
            )
            _add(uow, made)
            return made

        # Current term: piano with evaluations and absences, solfège with one mark.
        piano = _enrol(uow, lea.id, course("AUT-2026", "PIA", "piano"))
        for held_on, title, mark, comment in (
            (date(2026, 9, 29), "Gammes et arpèges", 82, "Bonne régularité."),
            (date(2026, 10, 27), "Étude imposée", 88, "Très musical."),
            (date(2026, 11, 17), "Audition de mi-session", None, ""),
        ):
            _add(
                uow,
                Evaluation(
                    enrolment_id=piano, held_on=held_on, title=title, mark=mark, comment=comment
                ),
            )
        _add(
            uow,
            Absence(
                enrolment_id=piano,
                absent_on=date(2026, 10, 6),
                is_justified=True,
                reason="Rendez-vous médical",
            ),
        )
        _add(uow, Absence(enrolment_id=piano, absent_on=date(2026, 11, 3), is_justified=False))
        solfege = _enrol(uow, lea.id, course("AUT-2026", "SOL", "solfege"))
        _add(
            uow,
            Evaluation(enrolment_id=solfege, held_on=date(2026, 10, 20), title="Dictée", mark=75),
        )
        # History: two courses a term over six terms; solfège HIV-2026 has no final mark.
        for index, (code, *_rest) in enumerate(_TERMS[:6]):
            mark = 70 + 3 * index
            _enrol(
                uow,
                lea.id,
                course(code, "PIA", "piano"),
                final_mark=mark,
                comment=f"Piano {code} : progrès constants.",
                status=EnrolmentStatus.COMPLETED,
            )
            if code == "HIV-2026":
                solfege_past = _enrol(
                    uow, lea.id, course(code, "SOL", "solfege"), status=EnrolmentStatus.COMPLETED
                )
                for held_on, mark in ((date(2026, 2, 10), 70), (date(2026, 4, 14), 81)):
                    _add(
                        uow,
                        Evaluation(
                            enrolment_id=solfege_past, held_on=held_on, title="Examen", mark=mark
                        ),
                    )
            else:
                _enrol(
                    uow,
                    lea.id,
                    course(code, "SOL", "solfege"),
                    final_mark=mark + 5,
                    comment="Lecture à vue solide.",
                    status=EnrolmentStatus.COMPLETED,
                )
        # Already validated for next term: neither a current course nor history.
        _enrol(uow, lea.id, course("HIV-2027", "CHA", "piano"))
        for kind, title, held_on, venue, works in _EVENTS:
            event = _add(
                uow,
                RepertoireEvent(
                    kind=kind, title=title, held_on=held_on, venue=venue, establishment_id=site_id
                ),
            )
            for composer, work in works:
                _add(
                    uow,
                    RepertoireWork(
                        event_id=event.id, student_id=lea.id, composer=composer, title=work
                    ),
                )
        rejected = ReenrolmentRequest(
            family_id=lea.family_id,
            student_id=lea.id,
            term_id=terms["HIV-2027"],
            kind=ReenrolmentKind.ADMINISTRATIVE,
            status=RequestStatus.REJECTED,
            submitted_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
            decided_at=datetime(2026, 11, 10, 16, 0, tzinfo=UTC),
            decided_by_id=registrar,
            decision_reason=REJECTION_REASON,
        )
        pending = ReenrolmentRequest(
            family_id=lea.family_id,
            student_id=lea.id,
            term_id=terms["HIV-2027"],
            kind=ReenrolmentKind.DISCIPLINES,
            note=PENDING_NOTE,
            submitted_at=datetime(2026, 11, 12, 18, 30, tzinfo=UTC),
        )
        past = ReenrolmentRequest(
            family_id=lea.family_id,
            student_id=lea.id,
            term_id=terms["AUT-2026"],
            kind=ReenrolmentKind.ADMINISTRATIVE,
            note="Ancienne demande",
            status=RequestStatus.APPROVED,
            submitted_at=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
            decided_at=datetime(2026, 6, 5, 12, 0, tzinfo=UTC),
            decided_by_id=registrar,
        )
        for request in (rejected, pending, past):
            _add(uow, request)
        for code in ("PIA", "SOL"):
            _add(
                uow,
                ReenrolmentRequestDiscipline(
                    request_id=pending.id, discipline_id=disciplines[code].id
                ),
            )
        markup = Student(
            family_id=seeded.markup_id,
            establishment_id=site_id,
            student_number="201337023",
            first_name=MARKUP_FIRST,
            last_name=MARKUP_LAST,
            birth_date=date(2013, 5, 17),
            school_name="[link=http://x]École[/link]",
            allergies="[red]arachides[/red]",
            medical_conditions=ESCAPE_NOTE,
            emergency_contact_name="[b]x[/b] Urgence",
            created_at=CREATED,
        )
        _add(uow, markup)
        assert markup.id is not None
        markup_course = _enrol(uow, markup.id, course("AUT-2026", "MRK", "markup"))
        _add(
            uow,
            Absence(
                enrolment_id=markup_course,
                absent_on=date(2026, 11, 4),
                reason="[@click=app.quit]motif",
            ),
        )
        world = StudentWorld(
            seeded=seeded,
            lea_id=lea.id,
            hugo_id=hugo_id,
            markup_id=markup.id,
            piano_enrolment_id=piano,
            registrar_id=registrar,
        )
    with db.write() as uow:
        rebuild_index(uow)
    return world


def _student_id(uow: UnitOfWork, number: str) -> int:
    from sqlmodel import col, select

    student_id = uow.session.exec(
        select(Student.id).where(col(Student.student_number) == number)
    ).one()
    assert student_id is not None
    return student_id


__all__ = ["MARKUP_FAMILY", "StudentWorld", "seed_students"]

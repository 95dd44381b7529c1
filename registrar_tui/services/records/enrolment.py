"""Course changes at the counter: add or drop a course, confirm attendance.

Once a term has started, adding or dropping one of its courses is a schedule change:
the family is invoiced the term's schedule-change fee (15 $ in the demo schedule),
through the same invoicing service as tuition, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, translations_for
from registrar_tui.models import Course, Discipline, Enrolment, Family, Student, Term
from registrar_tui.models.base import EnrolmentStatus, FeeKind, Language, Role, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date, utc_now
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice, schedule_fee_of_kind
from registrar_tui.services.records.courses import DisciplineName, teacher_name
from registrar_tui.services.records.enrolment_plan import discipline_name, seats_taken
from registrar_tui.services.records.students import current_term

STAFF = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)


class CourseFull(DomainError):
    message = N_("Ce groupe est complet.")


class AlreadyEnrolled(DomainError):
    message = N_("L'élève est déjà inscrit à ce cours.")


class EnrolmentNotActive(DomainError):
    message = N_("Cette inscription n'est pas active.")


class TermOver(DomainError):
    message = N_("La session {term} est terminée : son horaire ne change plus.")


@dataclass(frozen=True)
class CourseChoice:
    """A course of the current term at the student's establishment, with room."""

    course_id: int
    term_code: str
    discipline: DisciplineName
    section: str
    teacher: str | None
    seats_left: int


@dataclass(frozen=True)
class CourseChange:
    enrolment_id: int
    status: EnrolmentStatus
    invoice_number: str | None
    """The schedule-change fee's invoice, when the term had started."""
    fee: Decimal | None


@dataclass(frozen=True)
class AttendanceConfirmed:
    student_id: int
    term_code: str
    confirmed: int
    """Enrolments newly confirmed (0 when all were already)."""


def course_choices(uow: UnitOfWork, student_id: int) -> tuple[CourseChoice, ...]:
    """Courses the student could be added to: the current term, the student's
    establishment, a section with room, a discipline the student is not already taking."""
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    term = current_term(uow, local_date(uow.now()))
    if term is None:
        return ()
    rows = list(
        uow.session.exec(
            select(Course, Discipline)
            .join(Discipline, col(Discipline.id) == col(Course.discipline_id))
            .where(
                col(Course.term_id) == term.id,
                col(Course.establishment_id) == student.establishment_id,
            )
            .order_by(col(Discipline.name_fr), col(Course.section))
        )
    )
    taken = seats_taken(uow, (require_id(course) for course, _d in rows))
    taking = {
        int(discipline_id)
        for discipline_id in uow.session.exec(
            select(col(Course.discipline_id))
            .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id) == term.id,
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
        )
    }
    from registrar_tui.models import Teacher

    teachers = {t.id: t for t in uow.session.exec(select(Teacher))}
    choices = []
    for course, discipline in rows:
        room = course.capacity - taken.get(require_id(course), 0)
        if room <= 0 or course.discipline_id in taking:
            continue
        choices.append(
            CourseChoice(
                course_id=require_id(course),
                term_code=term.code,
                discipline=discipline_name(discipline),
                section=course.section,
                teacher=teacher_name(teachers.get(course.teacher_id)),
                seats_left=room,
            )
        )
    return tuple(choices)


def _schedule_change_fee(
    uow: UnitOfWork, actor_id: int, student: Student, term: Term, what: str
) -> tuple[str, Decimal] | None:
    """Invoice the schedule-change fee when the term has started; None before it starts."""
    if local_date(uow.now()) < term.starts_on:
        return None
    family = uow.session.get_one(Family, student.family_id)
    language = Language(family.language)
    fee = schedule_fee_of_kind(uow, require_id(term), FeeKind.SCHEDULE_CHANGE, language)
    gettext = translations_for(str(language)).gettext
    invoice = issue_invoice(
        uow,
        actor_id=actor_id,
        family_id=student.family_id,
        description=gettext(N_("Changement d'horaire — session {term}")).format(term=term.code),
        lines=[NewLine.of(fee, f" ({what})")],
        due_on=max(term.payment_due_on, local_date(uow.now())),
        student_id=student.id,
        term_id=term.id,
        establishment_id=student.establishment_id,
        roles=SUPERVISORS,
    )
    return invoice.number, invoice.total


def _term_not_over(uow: UnitOfWork, term: Term) -> None:
    if local_date(uow.now()) > term.ends_on:
        raise TermOver(term=term.code)


def add_course(uow: UnitOfWork, *, actor_id: int, student_id: int, course_id: int) -> CourseChange:
    """Enrol the student in a course; after the term started, invoice the schedule-change fee.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound,
    TermOver, AlreadyEnrolled (active in this course), CourseFull, NotFound from the fee
    schedule (no schedule-change fee for a started term).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    student = uow.session.get(Student, student_id)
    course = uow.session.exec(
        select(Course).where(col(Course.id) == course_id).with_for_update()
    ).first()
    if student is None or course is None:
        raise NotFound(N_("Cours ou élève introuvable."))
    term = uow.session.get_one(Term, course.term_id)
    _term_not_over(uow, term)
    enrolment = uow.session.exec(
        select(Enrolment).where(
            col(Enrolment.student_id) == student_id, col(Enrolment.course_id) == course_id
        )
    ).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        raise AlreadyEnrolled()
    if seats_taken(uow, [course_id]).get(course_id, 0) >= course.capacity:
        raise CourseFull()
    if enrolment is None:
        enrolment = Enrolment(student_id=student_id, course_id=course_id, enrolled_at=utc_now(uow))
    else:
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.dropped_at = None
        enrolment.enrolled_at = utc_now(uow)
    uow.session.add(enrolment)
    uow.session.flush()
    assert enrolment.id is not None
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    charged = _schedule_change_fee(uow, actor_id, student, term, f"+ {discipline.code}")
    record_event(
        uow,
        actor_id,
        "enrolment.add",
        "enrolment",
        enrolment.id,
        {},
        {
            "student_id": student_id,
            "course_id": course_id,
            "term": term.code,
            "fee_invoice": charged[0] if charged else None,
        },
    )
    return CourseChange(
        enrolment.id,
        EnrolmentStatus.ACTIVE,
        charged[0] if charged else None,
        charged[1] if charged else None,
    )


def drop_course(uow: UnitOfWork, *, actor_id: int, enrolment_id: int) -> CourseChange:
    """Drop an active enrolment; after the term started, invoice the schedule-change fee.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound,
    TermOver, EnrolmentNotActive (already dropped or completed).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    enrolment = uow.session.exec(
        select(Enrolment).where(col(Enrolment.id) == enrolment_id).with_for_update()
    ).first()
    if enrolment is None:
        raise NotFound(N_("Inscription introuvable."), field="enrolment")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise EnrolmentNotActive()
    course = uow.session.get_one(Course, enrolment.course_id)
    term = uow.session.get_one(Term, course.term_id)
    _term_not_over(uow, term)
    student = uow.session.get_one(Student, enrolment.student_id)
    enrolment.status = EnrolmentStatus.DROPPED
    enrolment.dropped_at = utc_now(uow)
    uow.session.add(enrolment)
    uow.session.flush()
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    charged = _schedule_change_fee(uow, actor_id, student, term, f"− {discipline.code}")
    record_event(
        uow,
        actor_id,
        "enrolment.drop",
        "enrolment",
        enrolment_id,
        {"status": str(EnrolmentStatus.ACTIVE)},
        {
            "status": str(EnrolmentStatus.DROPPED),
            "term": term.code,
            "fee_invoice": charged[0] if charged else None,
        },
    )
    return CourseChange(
        enrolment_id,
        EnrolmentStatus.DROPPED,
        charged[0] if charged else None,
        charged[1] if charged else None,
    )


def confirm_attendance(
    uow: UnitOfWork, *, actor_id: int, student_id: int, term_code: str
) -> AttendanceConfirmed:
    """Record that the family confirmed the student's attendance for the term (every active
    enrolment not yet confirmed). Refuses: PermissionDenied, NotFound (term)."""
    active_staff(uow, actor_id, STAFF)
    term = uow.session.exec(select(Term).where(col(Term.code) == term_code)).first()
    if term is None:
        raise NotFound(N_("Session introuvable : {term}."), field="term", term=term_code)
    enrolments = list(
        uow.session.exec(
            select(Enrolment)
            .join(Course, col(Course.id) == col(Enrolment.course_id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id) == term.id,
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
                col(Enrolment.attendance_confirmed_at).is_(None),
            )
        )
    )
    now = utc_now(uow)
    for enrolment in enrolments:
        enrolment.attendance_confirmed_at = now
        uow.session.add(enrolment)
    uow.session.flush()
    if enrolments:
        record_event(
            uow,
            actor_id,
            "enrolment.confirm_attendance",
            "student",
            student_id,
            {"confirmed": False},
            {"confirmed": True, "term": term.code, "enrolment_ids": [e.id for e in enrolments]},
        )
    return AttendanceConfirmed(student_id, term.code, len(enrolments))

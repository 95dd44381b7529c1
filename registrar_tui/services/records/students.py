"""The read-only student record: identity, courses, history, repertoire, re-enrolment.

The current term is the one containing today's date at the school, or, between two
terms, the latest one already started. The next term (re-enrolment) is the first one
starting after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, Family, Sex, Student, StudentStatus, Term
from registrar_tui.models.base import require_id
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.records.courses import (
    CurrentCourse,
    HistoryEntry,
    student_enrolments,
)
from registrar_tui.services.records.need_to_know import may_see_medical
from registrar_tui.services.records.student_activities import (
    NextTerm,
    ReenrolmentSummary,
    RepertoireEntry,
    next_term,
    reenrolment_requests,
    repertoire,
)


@dataclass(frozen=True)
class StudentIdentity:
    """Who the student is, where they live and study, whom to call."""

    id: int
    first_name: str
    last_name: str
    student_number: str
    code_permanent: str | None
    birth_date: date
    sex: Sex | None
    address: str
    """One line: street, city, province and postal code (empty parts left out)."""
    establishment_code: str
    establishment_name: str
    school_name: str
    school_level: str
    group_name: str
    allergies: str | None
    """None when the viewer's role may not see medical fields (services/records/need_to_know.py)."""
    medical_conditions: str | None
    """None when the viewer's role may not see medical fields."""
    emergency_contact_name: str
    emergency_contact_phone: str
    status: StudentStatus
    family_id: int
    family_name: str
    family_number: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class StudentRecord:
    """Everything the student screen shows, read in one unit of work."""

    identity: StudentIdentity
    today: date
    """The school's calendar day the record was read on."""
    term_code: str | None
    """The current term, None before the first term starts."""
    courses: tuple[CurrentCourse, ...]
    """The current term's enrolments, by discipline."""
    history: tuple[HistoryEntry, ...]
    """Past terms' enrolments, newest term first."""
    repertoire: tuple[RepertoireEntry, ...]
    """Events performed at, newest first."""
    next_term: NextTerm | None
    reenrolments: tuple[ReenrolmentSummary, ...]
    """Requests for the next term, newest submitted first (empty without a next term)."""


def _address(*parts: str | None) -> str:
    return ", ".join(part.strip() for part in parts if part and part.strip())


def current_term(uow: UnitOfWork, today: date) -> Term | None:
    """The term containing `today`, else the latest one started before it, else None."""
    containing = uow.session.exec(
        select(Term)
        .where(col(Term.starts_on) <= today, col(Term.ends_on) >= today)
        .order_by(col(Term.starts_on).desc(), col(Term.id).desc())
        .limit(1)
    ).first()
    if containing is not None:
        return containing
    return uow.session.exec(
        select(Term)
        .where(col(Term.starts_on) <= today)
        .order_by(col(Term.starts_on).desc(), col(Term.id).desc())
        .limit(1)
    ).first()


def _identity(uow: UnitOfWork, student_id: int, *, medical: bool) -> StudentIdentity:
    row = uow.session.exec(
        select(Student, Family, Establishment)
        .join(Family, col(Family.id) == col(Student.family_id))
        .join(Establishment, col(Establishment.id) == col(Student.establishment_id))
        .where(col(Student.id) == student_id)
    ).first()
    if row is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    student, family, establishment = row
    return StudentIdentity(
        id=student_id,
        first_name=student.first_name,
        last_name=student.last_name,
        student_number=student.student_number,
        code_permanent=student.code_permanent,
        birth_date=student.birth_date,
        sex=Sex(student.sex) if student.sex else None,
        address=_address(
            student.address_line,
            student.city,
            student.province if student.city else "",
            student.postal_code,
        ),
        establishment_code=establishment.code,
        establishment_name=establishment.name,
        school_name=student.school_name,
        school_level=student.school_level,
        group_name=student.group_name,
        allergies=student.allergies if medical else None,
        medical_conditions=student.medical_conditions if medical else None,
        emergency_contact_name=student.emergency_contact_name,
        emergency_contact_phone=student.emergency_contact_phone,
        status=StudentStatus(student.status),
        family_id=require_id(family),
        family_name=family.name,
        family_number=family.family_number,
    )


def student_record(uow: UnitOfWork, student_id: int, actor_id: int) -> StudentRecord:
    """The student's identity, current courses, history, repertoire and re-enrolment.

    `actor_id` is the staff user reading it: allergies and medical conditions are None
    unless their role is one of the `medical_roles` setting (need-to-know).
    Raises `NotFound` when no student has this id, `PermissionDenied` when the viewer is
    unknown or inactive.
    """
    identity = _identity(uow, student_id, medical=may_see_medical(uow, actor_id))
    today = local_date(uow.now())
    term = current_term(uow, today)
    courses, history = student_enrolments(uow, student_id, term)
    upcoming = next_term(uow, term, today)
    return StudentRecord(
        identity=identity,
        today=today,
        term_code=term.code if term is not None else None,
        courses=courses,
        history=history,
        repertoire=repertoire(uow, student_id),
        next_term=upcoming,
        reenrolments=(
            reenrolment_requests(uow, student_id, upcoming.code) if upcoming is not None else ()
        ),
    )

"""A family as the portal shows it, to ask for changes and re-enrolments.

The guardians and students with their ids (what a change request or a re-enrolment names)
and the current value of each field the portal may ask to change, in the text a request
carries (changes/fields.py `as_text`): the portal shows these and sends them back as the
values the family saw. And the terms whose re-enrolment window is open today, with the
disciplines taught then at the family's students' establishments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    Course,
    Discipline,
    Guardian,
    ReenrolmentRequest,
    Student,
    Term,
)
from registrar_tui.models.base import ChangeTarget, RequestStatus, require_id
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.records.courses import DisciplineName
from registrar_tui.services.records.enrolment_plan import discipline_name
from registrar_tui.services.requests.changes.fields import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    Record,
    current_text,
)
from registrar_tui.services.requests.portal import PORTAL_ROLES, find_family
from registrar_tui.services.requests.reenrolment.submit import window_refusal

FieldValues = tuple[tuple[str, str], ...]
"""(field name, current value as text) for each field the portal may ask to change."""


@dataclass(frozen=True)
class PortalGuardian:
    guardian_id: int
    first_name: str
    last_name: str
    is_payer: bool
    values: FieldValues


@dataclass(frozen=True)
class PortalStudent:
    student_id: int
    student_number: str
    first_name: str
    last_name: str
    status: str
    """active, withdrawn or graduated."""
    values: FieldValues
    pending_terms: tuple[str, ...]
    """Terms with a re-enrolment request of this student waiting for the registrar (a
    second one for the same term is refused)."""


@dataclass(frozen=True)
class PortalTerm:
    """A term whose re-enrolment window is open today."""

    code: str
    starts_on: date
    reenrolment_opens_on: date
    reenrolment_closes_on: date | None
    disciplines: tuple[DisciplineName, ...]
    """Taught that term at the establishment of one of the family's students, by code."""


@dataclass(frozen=True)
class PortalFamily:
    family_portal_id: str
    family_number: str
    name: str
    language: str
    guardians: tuple[PortalGuardian, ...]
    """The family's guardians (not those removed), the payer first."""
    students: tuple[PortalStudent, ...]
    reenrolment_terms: tuple[PortalTerm, ...]


def _values(record: Record, target: ChangeTarget) -> FieldValues:
    # The counter's order of the fields (FIELD_LABELS), not a set's.
    return tuple(
        (name, current_text(record, name))
        for name in FIELD_LABELS
        if name in EDITABLE_FIELDS[target]
    )


def portal_family(uow: UnitOfWork, family_portal_id: str, *, actor_id: int) -> PortalFamily:
    """The family of `family_portal_id` as the portal shows it (see the module).

    Refuses: PermissionDenied (not an active portal account), NotFound (no family has
    this portal id; field « family_portal_id »).
    """
    active_staff(uow, actor_id, PORTAL_ROLES)
    family = find_family(uow, family_portal_id)
    family_id = require_id(family)
    session = uow.session
    guardians = session.exec(
        select(Guardian)
        .where(col(Guardian.family_id) == family_id, col(Guardian.removed_at).is_(None))
        .order_by(col(Guardian.is_payer).desc(), col(Guardian.id))
    ).all()
    students = session.exec(
        select(Student).where(col(Student.family_id) == family_id).order_by(col(Student.id))
    ).all()
    pending: dict[int, list[str]] = {}
    for student_id, code in session.exec(
        select(col(ReenrolmentRequest.student_id), col(Term.code))
        .join(Term, col(Term.id) == col(ReenrolmentRequest.term_id))
        .where(
            col(ReenrolmentRequest.family_id) == family_id,
            col(ReenrolmentRequest.status) == RequestStatus.PENDING,
        )
        .order_by(col(Term.starts_on))
    ):
        pending.setdefault(student_id, []).append(code)
    return PortalFamily(
        family_portal_id=family_portal_id,
        family_number=family.family_number,
        name=family.name,
        language=str(family.language),
        guardians=tuple(
            PortalGuardian(
                require_id(g),
                g.first_name,
                g.last_name,
                g.is_payer,
                _values(g, ChangeTarget.GUARDIAN),
            )
            for g in guardians
        ),
        students=tuple(
            PortalStudent(
                student_id=require_id(s),
                student_number=s.student_number,
                first_name=s.first_name,
                last_name=s.last_name,
                status=str(s.status),
                values=_values(s, ChangeTarget.STUDENT),
                pending_terms=tuple(pending.get(require_id(s), ())),
            )
            for s in students
        ),
        reenrolment_terms=_open_terms(uow, {s.establishment_id for s in students}),
    )


def _open_terms(uow: UnitOfWork, establishment_ids: set[int]) -> tuple[PortalTerm, ...]:
    today = local_date(uow.now())
    terms = uow.session.exec(
        select(Term)
        .where(col(Term.reenrolment_opens_on).is_not(None), col(Term.reenrolment_opens_on) <= today)
        .order_by(col(Term.starts_on))
    ).all()
    result = []
    for term in terms:
        if window_refusal(term, today) is not None or term.reenrolment_opens_on is None:
            continue
        offered = (
            uow.session.exec(
                select(Discipline)
                .join(Course, col(Course.discipline_id) == col(Discipline.id))
                .where(
                    col(Course.term_id) == term.id,
                    col(Course.establishment_id).in_(establishment_ids),
                )
                .distinct()
            ).all()
            if establishment_ids
            else []
        )
        result.append(
            PortalTerm(
                code=term.code,
                starts_on=term.starts_on,
                reenrolment_opens_on=term.reenrolment_opens_on,
                reenrolment_closes_on=term.reenrolment_closes_on,
                disciplines=tuple(
                    discipline_name(d) for d in sorted(offered, key=lambda d: d.code)
                ),
            )
        )
    return tuple(result)

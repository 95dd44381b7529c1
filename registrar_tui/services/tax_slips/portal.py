"""What the portal sends for the slips: a student's social insurance number."""

from __future__ import annotations

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Student
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.interchange.portal_documents import portal_family_id
from registrar_tui.services.records.sin import store_student_sin
from registrar_tui.services.requests.portal import PORTAL_ROLES


def portal_set_student_sin(
    uow: UnitOfWork, actor_id: int, portal_id: str, student_number: str, text: str
) -> str:
    """Store the SIN a family typed on the portal for one of its students; returns it masked.

    Audited as at the counter (`student.sin_set`, masked numbers only), the portal's
    account as the actor. Refuses: `PermissionDenied` (not an active portal account),
    `NotFound` (no such family, or a student who is not this family's: field
    "student_number"), `InvalidSin`.
    """
    active_staff(uow, actor_id, PORTAL_ROLES)
    family_id = portal_family_id(uow, portal_id)
    student = uow.session.exec(
        select(Student).where(
            col(Student.family_id) == family_id, col(Student.student_number) == student_number
        )
    ).first()
    if student is None:
        raise NotFound(N_("Élève introuvable."), field="student_number")
    return store_student_sin(uow, actor_id, student, text)

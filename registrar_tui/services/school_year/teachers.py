"""Teachers: listed for the group form's picker, added from the form or `groups teacher-add`.

A teacher has a first and a last name and, optionally, an e-mail address. Two teachers
with the same name (ignoring accents and case) are refused: the picker could not tell them
apart. Registrar and admin add (PermissionDenied for a clerk); anyone reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Teacher
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.core.identifiers import parse_email
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.school_year.terms import SCHOOL_YEAR_EDITORS
from registrar_tui.services.search.index import normalise

TEACHER_FIELDS = ("first_name", "last_name", "email")
MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_TEACHER_EXISTS = N_("{name} est déjà dans la liste des professeurs.")
MSG_TEACHER_UNKNOWN = N_("Professeur introuvable : {name}.")
MSG_TEACHER_AMBIGUOUS = N_("Plusieurs professeurs s'appellent {name} : donnez son numéro.")


@dataclass(frozen=True)
class TeacherRow:
    teacher_id: int
    first_name: str
    last_name: str
    email: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _row(teacher: Teacher) -> TeacherRow:
    return TeacherRow(require_id(teacher), teacher.first_name, teacher.last_name, teacher.email)


def list_teachers(uow: UnitOfWork) -> tuple[TeacherRow, ...]:
    """Every teacher, by last then first name."""
    teachers = uow.session.exec(
        select(Teacher).order_by(col(Teacher.last_name), col(Teacher.first_name))
    )
    return tuple(_row(teacher) for teacher in teachers)


def find_teacher(uow: UnitOfWork, text: str, *, field: str = "teacher") -> int:
    """A teacher's id from its number or its full name (accents and case ignored).

    Refuses: NotFound (no such teacher), InvalidInput (several share the name).
    """
    value = text.strip()
    if value.isdigit():
        if uow.session.get(Teacher, int(value)) is None:
            raise NotFound(MSG_TEACHER_UNKNOWN, field=field, name=value)
        return int(value)
    wanted = normalise(value)
    found = [row for row in list_teachers(uow) if normalise(row.full_name) == wanted]
    if not found:
        raise NotFound(MSG_TEACHER_UNKNOWN, field=field, name=value)
    if len(found) > 1:
        raise InvalidInput(MSG_TEACHER_AMBIGUOUS, field=field, name=value)
    return found[0].teacher_id


def add_teacher(
    uow: UnitOfWork, *, actor_id: int, first_name: str, last_name: str, email: str = ""
) -> TeacherRow:
    """Add a teacher (names required; e-mail optional).

    Refuses (with the field): a missing or too long name, a malformed e-mail, a card
    number in any field (CardNumberRefused), a teacher of the same name already listed.
    Also PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    first = safe_text(first_name, field="first_name", max_length=100)
    if not first:
        raise InvalidInput(MSG_REQUIRED, field="first_name")
    last = safe_text(last_name, field="last_name", max_length=100)
    if not last:
        raise InvalidInput(MSG_REQUIRED, field="last_name")
    cleaned = safe_text(email, field="email", max_length=200)
    address = parse_email(cleaned, field="email") if cleaned else None
    full = f"{first} {last}"
    if any(normalise(row.full_name) == normalise(full) for row in list_teachers(uow)):
        raise InvalidInput(MSG_TEACHER_EXISTS, field="last_name", name=full)
    teacher = Teacher(first_name=first, last_name=last, email=address)
    uow.session.add(teacher)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "teacher.add",
        "teacher",
        teacher.id,
        {},
        {"first_name": first, "last_name": last, "email": address},
    )
    return _row(teacher)

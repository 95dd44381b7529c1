"""A guardian's social insurance number (NAS): stored for tax slips, shown masked.

The number is nine digits passing the Luhn check. Everywhere it is shown, printed,
audited or logged it goes through `mask_sin` (`*** *** 286`); the one exception is
`reveal_sin`, which a registrar or an admin calls from the guardian edit form, and which
writes an audit event `guardian.sin_view` for every look. The search index never holds it
(services/search/index.py indexes names, phones and e-mails only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Guardian, Student
from registrar_tui.models.base import Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound
from registrar_tui.text import clean_text, luhn_valid

SIN_FIELD = "social_insurance_number"
SIN_ROLES = (Role.REGISTRAR, Role.ADMIN)
"""Who may store, change or reveal a number (clerks see it masked)."""
VIEW_ACTION = "guardian.sin_view"
_SEPARATORS = str.maketrans("", "", " -.")
# No individual's number starts with 0 (reserved for fictitious numbers) or 8 (business
# numbers): refusing them catches "000 000 000" and a business number typed by mistake.
_UNASSIGNED_FIRST_DIGITS = frozenset("08")


class InvalidSin(InvalidInput):
    message = N_("Numéro d'assurance sociale invalide : 9 chiffres, vérifiez la saisie.")


class NoSinStored(DomainError):
    message = N_("Aucun numéro d'assurance sociale enregistré pour ce responsable.")


def parse_sin(text: str) -> str | None:
    """The nine digits of a typed number (spaces, dashes and dots allowed); None if blank.

    Refuses with `InvalidSin` (field "social_insurance_number"): not nine ASCII digits,
    a first digit 0 or 8, or a failed Luhn check. The message never repeats the input.
    """
    compact = clean_text(text).strip().translate(_SEPARATORS)
    if not compact:
        return None
    if (
        len(compact) != 9
        or not compact.isascii()
        or not compact.isdigit()
        or compact[0] in _UNASSIGNED_FIRST_DIGITS
        or not luhn_valid(compact)
    ):
        raise InvalidSin(field=SIN_FIELD)
    return compact


def mask_sin(number: str | None) -> str:
    """`*** *** 286` for a stored number, "" for none: the only form shown outside a reveal.

    Only the last three digits survive, whatever the input looks like.
    """
    if not number:
        return ""
    digits = "".join(char for char in number if char.isdigit())
    return f"*** *** {digits[-3:]}"


def format_sin(number: str) -> str:
    """`130 692 544`: the full number grouped by three, for the one reveal."""
    return f"{number[:3]} {number[3:6]} {number[6:]}"


@dataclass(frozen=True)
class RevealedSin:
    """A guardian's full number, as handed to the one screen allowed to show it."""

    guardian_id: int
    full_name: str
    number: str = field(repr=False)
    """Nine digits; kept out of `repr` so that a logged value shows no number."""

    @property
    def formatted(self) -> str:
        return format_sin(self.number)

    @property
    def masked(self) -> str:
        return mask_sin(self.number)


def reveal_sin(uow: UnitOfWork, actor_id: int, guardian_id: int) -> RevealedSin:
    """A guardian's full social insurance number, for a registrar or an admin.

    Every reveal writes an audit event `guardian.sin_view` (the number masked in it).
    Refuses: `PermissionDenied` (inactive user, or a clerk), `NotFound` (no such guardian),
    `NoSinStored` (the guardian has none). Needs a write unit of work (the audit event).
    """
    active_staff(uow, actor_id, roles=SIN_ROLES)
    guardian = uow.session.get(Guardian, guardian_id)
    if guardian is None:
        raise NotFound(N_("Responsable introuvable."), field="guardian")
    number = guardian.social_insurance_number
    if not number:
        raise NoSinStored(field=SIN_FIELD)
    record_event(
        uow, actor_id, VIEW_ACTION, "guardian", guardian_id, {}, {SIN_FIELD: mask_sin(number)}
    )
    return RevealedSin(
        guardian_id=guardian_id,
        full_name=f"{guardian.first_name} {guardian.last_name}".strip(),
        number=number,
    )


# --- the student's number (tax slips): the same parsing, masking and audited reveal ------
STUDENT_VIEW_ACTION = "student.sin_view"
STUDENT_SET_ACTION = "student.sin_set"


class NoStudentSinStored(DomainError):
    message = N_("Aucun numéro d'assurance sociale enregistré pour cet élève.")


@dataclass(frozen=True)
class RevealedStudentSin:
    """A student's full number, as handed to the one screen allowed to show it."""

    student_id: int
    full_name: str
    number: str = field(repr=False)

    @property
    def formatted(self) -> str:
        return format_sin(self.number)

    @property
    def masked(self) -> str:
        return mask_sin(self.number)


def _student(uow: UnitOfWork, student_id: int) -> Student:
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Élève introuvable."), field="student")
    return student


def set_student_sin(uow: UnitOfWork, actor_id: int, student_id: int, text: str) -> str:
    """Store (or clear, with a blank text) a student's SIN; returns it masked.

    Any staff member may type it at the counter (the family dictates it; it is shown
    masked after the save); the audit event holds the masked numbers only. Refuses:
    `PermissionDenied` (inactive user), `NotFound`, `InvalidSin`.
    """
    active_staff(uow, actor_id)
    return store_student_sin(uow, actor_id, _student(uow, student_id), text)


def store_student_sin(uow: UnitOfWork, actor_id: int, student: Student, text: str) -> str:
    """Parse, store and audit a student's number for an acting user its caller checked
    (the counter's `set_student_sin`, the portal's `portal_set_student_sin`)."""
    assert student.id is not None
    number = parse_sin(text)
    before = mask_sin(student.social_insurance_number)
    if number == student.social_insurance_number:
        return mask_sin(number)
    student.social_insurance_number = number
    uow.session.add(student)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        STUDENT_SET_ACTION,
        "student",
        student.id,
        {SIN_FIELD: before},
        {SIN_FIELD: mask_sin(number)},
    )
    return mask_sin(number)


def student_sin_masked(uow: UnitOfWork, student_id: int) -> str:
    """The student's number masked (`*** *** 286`), "" when none (NotFound: no student)."""
    return mask_sin(_student(uow, student_id).social_insurance_number)


def reveal_student_sin(uow: UnitOfWork, actor_id: int, student_id: int) -> RevealedStudentSin:
    """A student's full SIN, for a registrar or an admin, audited (`student.sin_view`).

    Refuses: `PermissionDenied` (inactive user, or a clerk), `NotFound`,
    `NoStudentSinStored`. Needs a write unit of work (the audit event).
    """
    active_staff(uow, actor_id, roles=SIN_ROLES)
    student = _student(uow, student_id)
    number = student.social_insurance_number
    if not number:
        raise NoStudentSinStored(field=SIN_FIELD)
    record_event(
        uow, actor_id, STUDENT_VIEW_ACTION, "student", student_id, {}, {SIN_FIELD: mask_sin(number)}
    )
    return RevealedStudentSin(
        student_id=student_id,
        full_name=f"{student.first_name} {student.last_name}".strip(),
        number=number,
    )

"""The student record: read (identity, courses, history, repertoire, re-enrolment) and
kept at the counter (admission, identity, health and emergency contact, status).

Who may write what:
- admit a student: clerk, registrar, admin; allergies and medical notes only by a role
  of the `medical_roles` setting (need-to-know);
- identity (names, sex, birth date, code permanent, school, level, group,
  establishment) and status: registrar or admin;
- health (allergies, medical notes): the `medical_roles`; emergency contact: clerk,
  registrar, admin, like a guardian's contact details (services/records/contacts.py).

Every write is one transaction with one audit event (before/after of the fields that
changed) and the family's search entries rewritten, so the student is found at once.
A code permanent of the wrong form is refused; one that disagrees with the name, birth
date or sex is a warning the user must accept (`CodePermanentWarnings`). A student who
may already exist (same code permanent, or same name and birth date, accents and case
ignored) is shown before saving (`PossibleDuplicate`); a code permanent is unique, so
only a name and birth date match may be created anyway.

The current term is the one containing today's date at the school, or, between two
terms, the latest one already started. The next term (re-enrolment) is the first one
starting after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Establishment,
    Family,
    Guardian,
    Sex,
    Student,
    StudentStatus,
    Term,
)
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.core.identifiers import (
    code_permanent_warnings,
    parse_code_permanent,
    parse_optional,
    parse_phone,
)
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.records.contacts import CONTACT_EDITORS, NothingChanged
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
    status_changed_on: date | None = None
    """Since when the status holds (withdrawal, graduation); None if always active."""
    status_reason: str = ""
    """Why the student was withdrawn."""

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
    may_edit_health: bool = False
    """Whether the reader's role is one of the `medical_roles` (sees and edits health)."""


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
        status_changed_on=student.status_changed_on,
        status_reason=student.status_reason,
    )


def student_record(uow: UnitOfWork, student_id: int, actor_id: int) -> StudentRecord:
    """The student's identity, current courses, history, repertoire and re-enrolment.

    `actor_id` is the staff user reading it: allergies and medical conditions are None
    unless their role is one of the `medical_roles` setting (need-to-know).
    Raises `NotFound` when no student has this id, `PermissionDenied` when the viewer is
    unknown or inactive.
    """
    medical = may_see_medical(uow, actor_id)
    identity = _identity(uow, student_id, medical=medical)
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
        may_edit_health=medical,
    )


# --- keeping the record: admission, identity, health, status -------------------------

ADMITTERS = CONTACT_EDITORS
"""Who admits a student: the clerk at the counter, the registrar, the admin."""
IDENTITY_EDITORS = SUPERVISORS
"""Who corrects a student's identity and changes the status."""

MSG_STUDENT_NOT_FOUND = N_("Dossier d'élève introuvable.")
MSG_FAMILY_NOT_FOUND = N_("Famille introuvable.")
MSG_FIRST_NAME = N_("Entrez le prénom.")
MSG_LAST_NAME = N_("Entrez le nom de famille.")
MSG_BIRTH_EMPTY = N_("Entrez la date de naissance (AAAA-MM-JJ).")
MSG_BIRTH_FORMAT = N_("Date de naissance illisible : tapez AAAA-MM-JJ, par exemple 2014-03-09.")
MSG_BIRTH_FUTURE = N_("La date de naissance ne peut pas être dans le futur.")
MSG_BIRTH_OLD = N_("Date de naissance trop ancienne (avant 1900).")
MSG_SEX = N_("Sexe : F, M ou vide.")
MSG_ESTABLISHMENT = N_("Établissement inconnu : {code}.")
MSG_STATUS_DATE = N_("Date illisible : tapez AAAA-MM-JJ.")
MSG_STATUS_DATE_FUTURE = N_("La date ne peut pas être dans le futur.")
MSG_STATUS_UNKNOWN = N_("Statut inconnu.")
MSG_CP_TAKEN = N_("Ce code permanent est déjà celui d'un autre élève ({name}, {number}).")
MSG_HEALTH_HIDDEN = N_(
    "Votre rôle ne permet pas de voir ni de modifier les renseignements de santé."
)

NAME_MAX = 100
SCHOOL_MAX = 200
LEVEL_MAX = 40
HEALTH_MAX = 2000
EMERGENCY_NAME_MAX = 200
REASON_MAX = 500

STATUS_CHOICES = (StudentStatus.ACTIVE, StudentStatus.WITHDRAWN, StudentStatus.GRADUATED)
"""The statuses staff set by hand (`inactive` is the old system's, kept for imports)."""


@dataclass(frozen=True)
class StudentIdentityChange:
    """The identity fields as typed (raw text). Blank code permanent or sex = none."""

    first_name: str
    last_name: str
    sex: str
    birth_date: str
    """AAAA-MM-JJ (JJ/MM/AAAA accepted too)."""
    code_permanent: str
    school_name: str = ""
    school_level: str = ""
    group_name: str = ""
    establishment_code: str = ""
    """Blank: the family's establishment (admission) or unchanged (correction)."""


@dataclass(frozen=True)
class StudentHealthChange:
    """Health and whom to call. A health field left None is not changed (the form hides
    it from a role that may not see it)."""

    emergency_contact_name: str
    emergency_contact_phone: str
    allergies: str | None = None
    medical_conditions: str | None = None


@dataclass(frozen=True)
class DuplicateStudent:
    """A student already on file who may be the one being admitted."""

    student_id: int
    family_id: int
    full_name: str
    student_number: str
    birth_date: date
    code_permanent: str | None
    family_name: str
    same_code_permanent: bool
    """True: the very same code permanent (the new record cannot be created)."""


IDENTITY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StudentIdentityChange))
HEALTH_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StudentHealthChange))
FORM_FIELDS: tuple[str, ...] = (*IDENTITY_FIELDS, *HEALTH_FIELDS)
"""Every field of the student form, in form order (the `field` names errors carry)."""


class InvalidStudent(InvalidInput):
    """One or more fields were refused; `problems` maps each field to its error (the
    message and `field` are the first one's, in form order)."""

    def __init__(self, problems: dict[str, DomainError]) -> None:
        first_field = next(name for name in FORM_FIELDS if name in problems)
        first = problems[first_field]
        super().__init__(first.source_message, field=first_field, **first.params)
        self.problems = problems


class CodePermanentWarnings(DomainError):
    """The code permanent disagrees with the name, birth date or sex: save only once the
    user has seen `warnings` (translated sentences) and accepted them."""

    message = N_("Le code permanent ne correspond pas à l'identité : vérifiez avant d'enregistrer.")

    def __init__(self, warnings: tuple[str, ...]) -> None:
        super().__init__(field="code_permanent")
        self.warnings = warnings


class PossibleDuplicate(DomainError):
    """Students on file with the same code permanent, or the same name and birth date."""

    message = N_("Cet élève est peut-être déjà inscrit.")

    def __init__(self, duplicates: tuple[DuplicateStudent, ...]) -> None:
        super().__init__(field="duplicates")
        self.duplicates = duplicates

    @property
    def may_create_anyway(self) -> bool:
        """False when one has the same code permanent (unique: it cannot be created)."""
        return not any(d.same_code_permanent for d in self.duplicates)


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_birth_date(text: str, today: date, *, field: str = "birth_date") -> date:
    """`2014-03-09` or `09/03/2014` → a date in the past, not before 1900."""
    value = safe_text(text, field=field)
    if not value:
        raise InvalidInput(MSG_BIRTH_EMPTY, field=field)
    try:
        match = _DMY.match(value)
        if match:
            day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        else:
            day = date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(MSG_BIRTH_FORMAT, field=field) from error
    if day > today:
        raise InvalidInput(MSG_BIRTH_FUTURE, field=field)
    if day.year < 1900:
        raise InvalidInput(MSG_BIRTH_OLD, field=field)
    return day


def _parse_sex(text: str) -> Sex | None:
    value = safe_text(text, field="sex").upper()
    if not value:
        return None
    if value not in {s.value for s in Sex}:
        raise InvalidInput(MSG_SEX, field="sex")
    return Sex(value)


def _required_name(text: str, name: str, message: str) -> str:
    value = safe_text(text, field=name, max_length=NAME_MAX)
    if not value:
        raise InvalidInput(message, field=name)
    return value


def _validate(
    parsers: dict[str, Callable[[], Any]], problems: dict[str, DomainError]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except DomainError as error:
            error.field = name
            problems[name] = error
    return values


def _identity_values(
    uow: UnitOfWork, change: StudentIdentityChange, problems: dict[str, DomainError]
) -> dict[str, Any]:
    """The stored form of the identity fields; refused ones go to `problems`."""
    today = local_date(uow.now())
    return _validate(
        {
            "first_name": lambda: _required_name(change.first_name, "first_name", MSG_FIRST_NAME),
            "last_name": lambda: _required_name(change.last_name, "last_name", MSG_LAST_NAME),
            "sex": lambda: _parse_sex(change.sex),
            "birth_date": lambda: parse_birth_date(change.birth_date, today),
            "code_permanent": lambda: parse_optional(
                parse_code_permanent, safe_text(change.code_permanent, field="code_permanent")
            ),
            "school_name": lambda: safe_text(
                change.school_name, field="school_name", max_length=SCHOOL_MAX
            ),
            "school_level": lambda: safe_text(
                change.school_level, field="school_level", max_length=LEVEL_MAX
            ),
            "group_name": lambda: safe_text(
                change.group_name, field="group_name", max_length=LEVEL_MAX
            ),
            "establishment_code": lambda: safe_text(
                change.establishment_code, field="establishment_code", max_length=8
            ).upper(),
        },
        problems,
    )


def _health_values(change: StudentHealthChange, problems: dict[str, DomainError]) -> dict[str, Any]:
    parsers: dict[str, Callable[[], Any]] = {
        "emergency_contact_name": lambda: safe_text(
            change.emergency_contact_name,
            field="emergency_contact_name",
            max_length=EMERGENCY_NAME_MAX,
        ),
        "emergency_contact_phone": lambda: (
            parse_optional(
                parse_phone,
                safe_text(change.emergency_contact_phone, field="emergency_contact_phone"),
            )
            or ""
        ),
    }
    if change.allergies is not None:
        allergies = change.allergies
        parsers["allergies"] = lambda: safe_text(
            allergies, field="allergies", max_length=HEALTH_MAX
        )
    if change.medical_conditions is not None:
        conditions = change.medical_conditions
        parsers["medical_conditions"] = lambda: safe_text(
            conditions, field="medical_conditions", max_length=HEALTH_MAX
        )
    return _validate(parsers, problems)


def _establishment_id(uow: UnitOfWork, code: str, default: int) -> int:
    if not code:
        return default
    found = uow.session.exec(select(Establishment).where(col(Establishment.code) == code)).first()
    if found is None:
        raise InvalidStudent({"establishment_code": InvalidInput(MSG_ESTABLISHMENT, code=code)})
    return require_id(found)


def _folded(text: str) -> str:
    from registrar_tui.services.search.index import name_parts

    return "".join(name_parts(text))


def find_duplicates(
    uow: UnitOfWork,
    first_name: str,
    last_name: str,
    birth_date: date,
    code_permanent: str | None,
    *,
    exclude_student_id: int | None = None,
) -> tuple[DuplicateStudent, ...]:
    """Students with this code permanent, or with this name and birth date (accents,
    case, spaces and hyphens ignored), other than `exclude_student_id`."""
    conditions = [col(Student.birth_date) == birth_date]
    if code_permanent:
        conditions.append(col(Student.code_permanent) == code_permanent)
    rows = uow.session.exec(
        select(Student, Family)
        .join(Family, col(Family.id) == col(Student.family_id))
        .where(or_(*conditions))
        .order_by(col(Student.id))
    ).all()
    wanted = (_folded(first_name), _folded(last_name))
    found: list[DuplicateStudent] = []
    for student, family in rows:
        if student.id == exclude_student_id:
            continue
        same_code = bool(code_permanent) and student.code_permanent == code_permanent
        same_name = (
            student.birth_date == birth_date
            and (_folded(student.first_name), _folded(student.last_name)) == wanted
        )
        if same_code or same_name:
            found.append(
                DuplicateStudent(
                    student_id=require_id(student),
                    family_id=student.family_id,
                    full_name=f"{student.first_name} {student.last_name}".strip(),
                    student_number=student.student_number,
                    birth_date=student.birth_date,
                    code_permanent=student.code_permanent,
                    family_name=family.name,
                    same_code_permanent=same_code,
                )
            )
    return tuple(found)


def _check_code_permanent(values: dict[str, Any], accept_warnings: bool) -> None:
    code = values["code_permanent"]
    if code is None or accept_warnings:
        return
    warnings = code_permanent_warnings(
        code, values["first_name"], values["last_name"], values["birth_date"], values["sex"]
    )
    if warnings:
        raise CodePermanentWarnings(tuple(warnings))


def _snapshot(student: Student, names: tuple[str, ...]) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    for name in names:
        value = getattr(student, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Sex | StudentStatus):
            value = value.value
        snapshot[name] = value
    return snapshot


def _locked_student(uow: UnitOfWork, student_id: int) -> Student:
    student = uow.session.exec(
        select(Student).where(col(Student.id) == student_id).with_for_update()
    ).first()
    if student is None:
        raise NotFound(MSG_STUDENT_NOT_FOUND, field="student")
    return student


def _reindex(uow: UnitOfWork, family_id: int) -> None:
    from registrar_tui.services.search.index import reindex_family

    uow.session.flush()
    reindex_family(uow, family_id)


def admit_student(
    uow: UnitOfWork,
    family_id: int,
    actor_id: int,
    identity: StudentIdentityChange,
    health: StudentHealthChange,
    *,
    accept_warnings: bool = False,
    allow_duplicates: bool = False,
) -> StudentIdentity:
    """A new student in a family, numbered by the establishment's rule.

    The establishment is the family's unless another code is given; the address is the
    payer's. Refuses: `PermissionDenied` (not an active clerk, registrar or admin, or
    health notes typed by a role outside `medical_roles`, field "allergies"); `NotFound`
    (family); `CardNumberRefused` / `InvalidStudent` (each refused field); a same code
    permanent already on file (`PossibleDuplicate`, never created) or the same name and
    birth date (`PossibleDuplicate` unless `allow_duplicates`); a code permanent that
    disagrees with the identity (`CodePermanentWarnings` unless `accept_warnings`).
    Writes the student, its number's counter, one `student.admit` audit event and the
    family's search entries.
    """
    from registrar_tui.services.records.student_numbers import next_student_number

    active_staff(uow, actor_id, roles=ADMITTERS)
    medical = may_see_medical(uow, actor_id)
    if not medical and (
        (health.allergies or "").strip() or (health.medical_conditions or "").strip()
    ):
        raise PermissionDenied(MSG_HEALTH_HIDDEN, field="allergies")
    family = uow.session.get(Family, family_id)
    if family is None:
        raise NotFound(MSG_FAMILY_NOT_FOUND, field="family")
    problems: dict[str, DomainError] = {}
    values = _identity_values(uow, identity, problems)
    values.update(_health_values(health, problems))
    if problems:
        raise InvalidStudent(problems)
    establishment_id = _establishment_id(
        uow, values.pop("establishment_code"), family.establishment_id
    )
    duplicates = find_duplicates(
        uow, values["first_name"], values["last_name"], values["birth_date"],
        values["code_permanent"],
    )  # fmt: skip
    if duplicates and (not allow_duplicates or any(d.same_code_permanent for d in duplicates)):
        raise PossibleDuplicate(duplicates)
    _check_code_permanent(values, accept_warnings)
    payer = uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
    ).first()
    now = uow.now()
    student = Student(
        family_id=family_id,
        establishment_id=establishment_id,
        student_number=next_student_number(uow, establishment_id, local_date(now)),
        address_line=payer.address_line if payer else "",
        city=payer.city if payer else "",
        province=payer.province if payer else "QC",
        postal_code=payer.postal_code if payer else "",
        created_at=now,
        **values,
    )
    uow.session.add(student)
    uow.session.flush()
    student_id = require_id(student)
    audited = ("student_number", "establishment_id", *values)
    record_event(
        uow, actor_id, "student.admit", "student", student_id, {}, _snapshot(student, audited)
    )
    _reindex(uow, family_id)
    return _identity(uow, student_id, medical=medical)


def _apply(
    uow: UnitOfWork,
    student: Student,
    actor_id: int,
    action: str,
    values: dict[str, Any],
) -> None:
    """Write the values that differ, audited; `NothingChanged` when none does."""
    changed = tuple(name for name, value in values.items() if getattr(student, name) != value)
    if not changed:
        raise NothingChanged()
    before = _snapshot(student, changed)
    for name in changed:
        setattr(student, name, values[name])
    uow.session.add(student)
    record_event(
        uow, actor_id, action, "student", require_id(student), before, _snapshot(student, changed)
    )
    _reindex(uow, student.family_id)


def update_student_identity(
    uow: UnitOfWork,
    student_id: int,
    actor_id: int,
    change: StudentIdentityChange,
    *,
    accept_warnings: bool = False,
) -> StudentIdentity:
    """Correct a student's names, sex, birth date, code permanent, school, level, group
    and establishment (blank establishment: unchanged). The student number stays.

    Refuses: `PermissionDenied` (not an active registrar or admin); `NotFound`;
    `CardNumberRefused` / `InvalidStudent`; a code permanent another student has
    (`InvalidStudent`, field "code_permanent"); `CodePermanentWarnings` unless
    `accept_warnings`; `NothingChanged`. Writes one `student.identity_update` event
    (changed fields only) and the family's search entries.
    """
    active_staff(uow, actor_id, roles=IDENTITY_EDITORS)
    student = _locked_student(uow, student_id)
    problems: dict[str, DomainError] = {}
    values = _identity_values(uow, change, problems)
    if problems:
        raise InvalidStudent(problems)
    values["establishment_id"] = _establishment_id(
        uow, values.pop("establishment_code"), student.establishment_id
    )
    code = values["code_permanent"]
    if code is not None and code != student.code_permanent:
        other = uow.session.exec(select(Student).where(col(Student.code_permanent) == code)).first()
        if other is not None:
            raise InvalidStudent(
                {
                    "code_permanent": InvalidInput(
                        MSG_CP_TAKEN,
                        name=f"{other.first_name} {other.last_name}",
                        number=other.student_number,
                    )
                }
            )
    _check_code_permanent(values, accept_warnings)
    _apply(uow, student, actor_id, "student.identity_update", values)
    return _identity(uow, student_id, medical=may_see_medical(uow, actor_id))


def update_student_health(
    uow: UnitOfWork, student_id: int, actor_id: int, change: StudentHealthChange
) -> StudentIdentity:
    """Correct a student's emergency contact and, for a role of `medical_roles`, the
    allergies and medical notes.

    Refuses: `PermissionDenied` (not an active clerk, registrar or admin; or health
    fields given by a role outside `medical_roles`, field "allergies"); `NotFound`;
    `CardNumberRefused` / `InvalidStudent`; `NothingChanged`. Writes one
    `student.health_update` event (changed fields only).
    """
    active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    medical = may_see_medical(uow, actor_id)
    if not medical and (change.allergies is not None or change.medical_conditions is not None):
        raise PermissionDenied(MSG_HEALTH_HIDDEN, field="allergies")
    student = _locked_student(uow, student_id)
    problems: dict[str, DomainError] = {}
    values = _health_values(change, problems)
    if problems:
        raise InvalidStudent(problems)
    _apply(uow, student, actor_id, "student.health_update", values)
    return _identity(uow, student_id, medical=medical)


def _status_day(text: str | date | None, today: date) -> date:
    if isinstance(text, date):
        day = text
    elif text is None or not safe_text(text, field="status_date"):
        return today
    else:
        try:
            day = parse_birth_date(text, date.max, field="status_date")
        except InvalidInput as error:
            raise InvalidInput(MSG_STATUS_DATE, field="status_date") from error
    if day > today:
        raise InvalidInput(MSG_STATUS_DATE_FUTURE, field="status_date")
    return day


def change_student_status(
    uow: UnitOfWork,
    student_id: int,
    actor_id: int,
    status: StudentStatus | str,
    *,
    on: str | date | None = None,
    reason: str = "",
) -> StudentIdentity:
    """Set a student active, withdrawn or graduated, since `on` (blank: today).

    A withdrawal needs a reason (`ReasonRequired`, field "reason"); a graduation may
    carry one; back to active clears both. A withdrawn student leaves the search's
    default results. Refuses: `PermissionDenied` (not an active registrar or admin);
    `NotFound`; an unknown status (`InvalidInput`, field "status"); a date that cannot be
    read or is in the future (`InvalidInput`, field "status_date"); `CardNumberRefused`;
    the status it already has (`NothingChanged`). Writes one `student.status_change` event.
    """
    active_staff(uow, actor_id, roles=IDENTITY_EDITORS)
    try:
        wanted = StudentStatus(status)
    except ValueError as error:
        raise InvalidInput(MSG_STATUS_UNKNOWN, field="status") from error
    if wanted not in STATUS_CHOICES:
        raise InvalidInput(MSG_STATUS_UNKNOWN, field="status")
    student = _locked_student(uow, student_id)
    if StudentStatus(student.status) is wanted:
        raise NothingChanged()
    today = local_date(uow.now())
    cleaned = safe_text(reason, field="reason", max_length=REASON_MAX)
    if wanted is StudentStatus.WITHDRAWN and not cleaned:
        raise ReasonRequired(field="reason")
    values: dict[str, Any] = {"status": wanted}
    if wanted is StudentStatus.ACTIVE:
        values.update(status_changed_on=None, status_reason="")
    else:
        values.update(status_changed_on=_status_day(on, today), status_reason=cleaned)
    _apply(uow, student, actor_id, "student.status_change", values)
    return _identity(uow, student_id, medical=may_see_medical(uow, actor_id))

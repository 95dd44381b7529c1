"""Course groups (sections) of a term: listed, created, edited, closed and reopened.

A group is a `course` row: a discipline taught at an establishment during a term by a
teacher, on a weekday from a time to a time, in a room, for a level, up to its capacity.
Its seats taken are its active enrolments (`seats_taken`, the one definition the
enrolment services use too).

Rules (each refusal names its field):
- the section is 1 to 8 letters, digits or dashes, unique for the term, establishment
  and discipline;
- the capacity is a whole number from 1 to 999, never below the seats already taken;
- the day and the two times go together: a scheduled group has all three, the end after
  the start (times typed `HH:MM`, `18h30` accepted);
- room and level are free text (cleaned, no card number, 40 characters at most);
- the discipline of a group with active enrolments does not change (its students enrolled
  in that discipline); the establishment and the term never change after creation.

Closing: a closed group takes no new enrolment; its enrolments stay and are billed as
before. Closing a group that still has students is allowed — the screen says how many
stay — because a group is closed precisely when it must stop filling (the teacher left,
the room is gone) while its current students finish the term. Closing twice is refused,
and a closed group can be reopened. A rollover does not copy a closed group.

Registrar and admin write (PermissionDenied for a clerk); anyone signed in reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Course, Discipline, Enrolment, Establishment, Teacher, Term
from registrar_tui.models.base import EnrolmentStatus, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound
from registrar_tui.services.core.paging import Page
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.school_year.terms import SCHOOL_YEAR_EDITORS, NothingChanged

PAGE_SIZE = 50
GROUP_FIELDS = (
    "establishment",
    "discipline",
    "section",
    "teacher",
    "weekday",
    "starts_at",
    "ends_at",
    "room",
    "capacity",
    "level",
)
"""The group form's fields, in order (also the `field` of the refusals)."""
MAX_CAPACITY = 999
TEXT_LENGTH = 40
SECTION_PATTERN = re.compile(r"^[A-Z0-9-]{1,8}$")
TIME_PATTERN = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?$")

MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_SECTION = N_("Groupe : 1 à 8 lettres, chiffres ou tirets (ex. : 01, A, SOIR-2).")
MSG_SECTION_TAKEN = N_("Le groupe {section} existe déjà pour cette discipline et cette session.")
MSG_CAPACITY = N_("Capacité : un nombre entier de 1 à {max}.")
MSG_CAPACITY_BELOW_TAKEN = N_(
    "Places déjà prises : {taken}. La capacité ne peut pas descendre sous ce nombre."
)
MSG_WEEKDAY = N_("Jour : un chiffre de 1 (lundi) à 7 (dimanche).")
MSG_TIME = N_("Heure invalide « {text} » : écrivez HH:MM (ex. : 18:30).")
MSG_SCHEDULE_PARTIAL = N_("Indiquez le jour, l'heure de début et l'heure de fin, ou aucun.")
MSG_ENDS_BEFORE = N_("L'heure de fin doit suivre l'heure de début.")
MSG_DISCIPLINE_HAS_STUDENTS = N_(
    "Élèves inscrits à ce groupe : {taken}. Sa discipline ne change plus."
)
MSG_ALREADY_CLOSED = N_("Ce groupe est déjà fermé.")
MSG_NOT_CLOSED = N_("Ce groupe n'est pas fermé.")
MSG_GROUP_NOT_FOUND = N_("Groupe introuvable.")
MSG_ESTABLISHMENT_NOT_FOUND = N_("Établissement introuvable : {code}.")
MSG_DISCIPLINE_NOT_FOUND = N_("Discipline introuvable : {code}.")
MSG_TEACHER_NOT_FOUND = N_("Professeur introuvable.")


class GroupClosed(DomainError):
    """The group was closed to new enrolments (`close_group`): its students stay."""

    message = N_("Ce groupe est fermé aux nouvelles inscriptions.")


@dataclass(frozen=True)
class GroupDiscipline:
    """A discipline in both UI languages; the screen picks one."""

    discipline_id: int
    code: str
    name_fr: str
    name_en: str

    def in_language(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr


@dataclass(frozen=True)
class GroupRow:
    """One course group as the lists show it."""

    course_id: int
    term_id: int
    term_code: str
    establishment_id: int
    establishment_code: str
    discipline: GroupDiscipline
    section: str
    teacher_id: int | None
    teacher: str | None
    """The teacher's full name (None: no teacher yet)."""
    weekday: int | None
    starts_at: time | None
    ends_at: time | None
    room: str
    level: str
    capacity: int
    seats_taken: int
    closed_at: datetime | None
    rolled_from_id: int | None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


@dataclass(frozen=True)
class GroupFilter:
    """Which groups a list shows: a term's, optionally one establishment's or discipline's."""

    term_id: int
    establishment_id: int | None = None
    discipline_id: int | None = None
    include_closed: bool = True


@dataclass(frozen=True)
class GroupDraft:
    """What was typed in the group form (or given to `groups add|edit`).

    Ids come from the form's pickers; texts as typed (blank weekday and times: not
    scheduled yet). On edit the establishment is ignored (a group does not move).
    """

    establishment_id: int | None
    discipline_id: int | None
    section: str
    teacher_id: int | None
    weekday: str
    starts_at: str
    ends_at: str
    room: str
    capacity: str
    level: str


@dataclass(frozen=True)
class Choice:
    """An item of a picker: its id and how it is shown."""

    id: int
    code: str
    label: str


@dataclass(frozen=True)
class GroupChoices:
    """What the group form's pickers offer."""

    establishments: tuple[Choice, ...]
    disciplines: tuple[GroupDiscipline, ...]
    teachers: tuple[Choice, ...]


def seats_taken(uow: UnitOfWork, course_ids: Iterable[int]) -> dict[int, int]:
    """Active enrolments per course (a course with none is absent from the result)."""
    ids = list(course_ids)
    if not ids:
        return {}
    return {
        int(course_id): int(count)
        for course_id, count in uow.session.exec(
            select(col(Enrolment.course_id), func.count(col(Enrolment.id)))
            .where(
                col(Enrolment.course_id).in_(ids),
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
            .group_by(col(Enrolment.course_id))
        )
    }


def teacher_full_name(teacher: Teacher) -> str:
    return f"{teacher.first_name} {teacher.last_name}".strip()


def _discipline(discipline: Discipline) -> GroupDiscipline:
    return GroupDiscipline(
        require_id(discipline), discipline.code, discipline.name_fr, discipline.name_en
    )


def _rows(uow: UnitOfWork, courses: list[Course]) -> tuple[GroupRow, ...]:
    ids = [require_id(course) for course in courses]
    taken = seats_taken(uow, ids)
    terms = {t.id: t for t in uow.session.exec(select(Term))}
    sites = {e.id: e for e in uow.session.exec(select(Establishment))}
    disciplines = {d.id: d for d in uow.session.exec(select(Discipline))}
    teacher_ids = {c.teacher_id for c in courses if c.teacher_id is not None}
    teachers = (
        {t.id: t for t in uow.session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))}
        if teacher_ids
        else {}
    )
    return tuple(
        GroupRow(
            course_id=require_id(course),
            term_id=course.term_id,
            term_code=terms[course.term_id].code,
            establishment_id=course.establishment_id,
            establishment_code=sites[course.establishment_id].code,
            discipline=_discipline(disciplines[course.discipline_id]),
            section=course.section,
            teacher_id=course.teacher_id,
            teacher=(
                teacher_full_name(teachers[course.teacher_id])
                if course.teacher_id is not None
                else None
            ),
            weekday=course.weekday,
            starts_at=course.starts_at,
            ends_at=course.ends_at,
            room=course.room,
            level=course.level,
            capacity=course.capacity,
            seats_taken=taken.get(require_id(course), 0),
            closed_at=course.closed_at,
            rolled_from_id=course.rolled_from_id,
        )
        for course in courses
    )


def list_groups(
    uow: UnitOfWork, group_filter: GroupFilter, *, offset: int = 0, limit: int = PAGE_SIZE
) -> Page[GroupRow]:
    """One page of a term's groups, by establishment, discipline and section."""
    conditions: list[Any] = [col(Course.term_id) == group_filter.term_id]
    if group_filter.establishment_id is not None:
        conditions.append(col(Course.establishment_id) == group_filter.establishment_id)
    if group_filter.discipline_id is not None:
        conditions.append(col(Course.discipline_id) == group_filter.discipline_id)
    if not group_filter.include_closed:
        conditions.append(col(Course.closed_at).is_(None))
    total = int(uow.session.exec(select(func.count(col(Course.id))).where(*conditions)).one())
    courses = list(
        uow.session.exec(
            select(Course)
            .join(Establishment, col(Establishment.id) == col(Course.establishment_id))
            .join(Discipline, col(Discipline.id) == col(Course.discipline_id))
            .where(*conditions)
            .order_by(
                col(Establishment.code),
                col(Discipline.name_fr),
                col(Course.section),
                col(Course.id),
            )
            .offset(offset)
            .limit(limit)
        )
    )
    return Page.counted(_rows(uow, courses), offset, limit, total)


def group_row(uow: UnitOfWork, course_id: int) -> GroupRow:
    """One group as listed (NotFound, field "group")."""
    course = uow.session.get(Course, course_id)
    if course is None:
        raise NotFound(MSG_GROUP_NOT_FOUND, field="group")
    return _rows(uow, [course])[0]


def group_choices(uow: UnitOfWork) -> GroupChoices:
    """The establishments, disciplines and teachers the group form offers."""
    sites = uow.session.exec(select(Establishment).order_by(col(Establishment.code)))
    disciplines = uow.session.exec(select(Discipline).order_by(col(Discipline.name_fr)))
    teachers = uow.session.exec(
        select(Teacher).order_by(col(Teacher.last_name), col(Teacher.first_name))
    )
    return GroupChoices(
        establishments=tuple(Choice(require_id(e), e.code, e.name) for e in sites),
        disciplines=tuple(_discipline(d) for d in disciplines),
        teachers=tuple(
            Choice(require_id(t), t.email or "", teacher_full_name(t)) for t in teachers
        ),
    )


def establishment_id_by_code(uow: UnitOfWork, code: str, *, field: str = "establishment") -> int:
    """The establishment with this code (NotFound with `field`)."""
    found = uow.session.exec(
        select(Establishment.id).where(col(Establishment.code) == code.strip().upper())
    ).first()
    if found is None:
        raise NotFound(MSG_ESTABLISHMENT_NOT_FOUND, field=field, code=code)
    return int(found)


def discipline_id_by_code(uow: UnitOfWork, code: str, *, field: str = "discipline") -> int:
    """The discipline with this code (NotFound with `field`)."""
    found = uow.session.exec(
        select(Discipline.id).where(func.upper(col(Discipline.code)) == code.strip().upper())
    ).first()
    if found is None:
        raise NotFound(MSG_DISCIPLINE_NOT_FOUND, field=field, code=code)
    return int(found)


# --- checking the form -------------------------------------------------------------------
def parse_time(text: str, *, field: str) -> time | None:
    """`18:30`, `18h30`, `18h` → a time; blank → None; InvalidInput otherwise."""
    value = safe_text(text, field=field, max_length=8)
    if not value:
        return None
    match = TIME_PATTERN.match(value)
    if match is None:
        raise InvalidInput(MSG_TIME, field=field, text=value)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(MSG_TIME, field=field, text=value)
    return time(hour, minute)


def _weekday(text: str) -> int | None:
    value = safe_text(text, field="weekday", max_length=2)
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 7:
        raise InvalidInput(MSG_WEEKDAY, field="weekday")
    return int(value)


def _capacity(text: str) -> int:
    value = safe_text(text, field="capacity", max_length=4)
    if not value:
        raise InvalidInput(MSG_REQUIRED, field="capacity")
    if not value.isdigit() or not 1 <= int(value) <= MAX_CAPACITY:
        raise InvalidInput(MSG_CAPACITY, field="capacity", max=str(MAX_CAPACITY))
    return int(value)


def _section(text: str) -> str:
    value = safe_text(text, field="section", max_length=40).upper()
    if not value:
        raise InvalidInput(MSG_REQUIRED, field="section")
    if SECTION_PATTERN.match(value) is None:
        raise InvalidInput(MSG_SECTION, field="section")
    return value


def _checked(uow: UnitOfWork, draft: GroupDraft) -> dict[str, Any]:
    """The stored form of every field of the draft (InvalidInput/NotFound with the field)."""
    if draft.discipline_id is None:
        raise InvalidInput(MSG_REQUIRED, field="discipline")
    if uow.session.get(Discipline, draft.discipline_id) is None:
        raise NotFound(MSG_DISCIPLINE_NOT_FOUND, field="discipline", code=str(draft.discipline_id))
    section = _section(draft.section)
    if draft.teacher_id is not None and uow.session.get(Teacher, draft.teacher_id) is None:
        raise NotFound(MSG_TEACHER_NOT_FOUND, field="teacher")
    weekday = _weekday(draft.weekday)
    starts_at = parse_time(draft.starts_at, field="starts_at")
    ends_at = parse_time(draft.ends_at, field="ends_at")
    given = [weekday is not None, starts_at is not None, ends_at is not None]
    if any(given) and not all(given):
        missing = ("weekday", "starts_at", "ends_at")[given.index(False)]
        raise InvalidInput(MSG_SCHEDULE_PARTIAL, field=missing)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(MSG_ENDS_BEFORE, field="ends_at")
    room = safe_text(draft.room, field="room", max_length=TEXT_LENGTH)
    capacity = _capacity(draft.capacity)
    level = safe_text(draft.level, field="level", max_length=TEXT_LENGTH)
    return {
        "discipline_id": draft.discipline_id,
        "section": section,
        "teacher_id": draft.teacher_id,
        "weekday": weekday,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "room": room,
        "capacity": capacity,
        "level": level,
    }


def _section_free(
    uow: UnitOfWork,
    term_id: int,
    establishment_id: int,
    values: dict[str, Any],
    course_id: int | None,
) -> None:
    same = uow.session.exec(
        select(Course.id).where(
            col(Course.term_id) == term_id,
            col(Course.establishment_id) == establishment_id,
            col(Course.discipline_id) == values["discipline_id"],
            col(Course.section) == values["section"],
        )
    ).first()
    if same is not None and same != course_id:
        raise InvalidInput(MSG_SECTION_TAKEN, field="section", section=values["section"])


def audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit trail stores them (times as HH:MM)."""
    return {
        key: value.strftime("%H:%M") if isinstance(value, time) else value
        for key, value in values.items()
    }


def create_group(uow: UnitOfWork, *, actor_id: int, term_id: int, draft: GroupDraft) -> GroupRow:
    """Create a group in the term at the draft's establishment.

    Refuses (with the field): no establishment or discipline, an unknown teacher, a
    malformed or taken section, a partial schedule, times out of order, a capacity not in
    1–999, text too long or holding a card number. Also NotFound (term), PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    term = uow.session.get(Term, term_id)
    if term is None:
        raise NotFound(N_("Session introuvable : {term}."), field="term", term=str(term_id))
    if draft.establishment_id is None:
        raise InvalidInput(MSG_REQUIRED, field="establishment")
    if uow.session.get(Establishment, draft.establishment_id) is None:
        raise NotFound(
            MSG_ESTABLISHMENT_NOT_FOUND, field="establishment", code=str(draft.establishment_id)
        )
    values = _checked(uow, draft)
    _section_free(uow, term_id, draft.establishment_id, values, None)
    course = Course(term_id=term_id, establishment_id=draft.establishment_id, **values)
    uow.session.add(course)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "group.create",
        "course",
        course.id,
        {},
        audit_values({"term": term.code, "establishment_id": draft.establishment_id, **values}),
    )
    return group_row(uow, require_id(course))


def _locked_course(uow: UnitOfWork, course_id: int) -> Course:
    course = uow.session.exec(
        select(Course).where(col(Course.id) == course_id).with_for_update()
    ).first()
    if course is None:
        raise NotFound(MSG_GROUP_NOT_FOUND, field="group")
    return course


def update_group(uow: UnitOfWork, *, actor_id: int, course_id: int, draft: GroupDraft) -> GroupRow:
    """Change a group's discipline, section, teacher, schedule, room, capacity or level.

    Refuses as `create_group` does, and: a capacity below the seats taken, a new
    discipline while students are enrolled (InvalidInput with the field), NothingChanged,
    NotFound (group), PermissionDenied. The group keeps its term and establishment.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    course = _locked_course(uow, course_id)
    values = _checked(uow, draft)
    taken = seats_taken(uow, [course_id]).get(course_id, 0)
    if values["capacity"] < taken:
        raise InvalidInput(MSG_CAPACITY_BELOW_TAKEN, field="capacity", taken=str(taken))
    if values["discipline_id"] != course.discipline_id and taken > 0:
        raise InvalidInput(MSG_DISCIPLINE_HAS_STUDENTS, field="discipline", taken=str(taken))
    _section_free(uow, course.term_id, course.establishment_id, values, course_id)
    changed = {key: value for key, value in values.items() if getattr(course, key) != value}
    if not changed:
        raise NothingChanged()
    before = {key: getattr(course, key) for key in changed}
    for key, value in changed.items():
        setattr(course, key, value)
    uow.session.add(course)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "group.update",
        "course",
        course_id,
        audit_values(before),
        audit_values(changed),
    )
    if values["capacity"] > before.get("capacity", values["capacity"]):
        _offer_freed_seats(uow, course_id, actor_id)
    return group_row(uow, course_id)


def _offer_freed_seats(uow: UnitOfWork, course_id: int, actor_id: int) -> None:
    """Seats a raised capacity or a reopening freed go to the first in line, in this
    transaction. The waiting lists build on this module's seat count: imported here."""
    from registrar_tui.services.school_year.waiting_lists import offer_free_seats

    offer_free_seats(uow, course_id, actor_id)


def close_group(uow: UnitOfWork, *, actor_id: int, course_id: int) -> GroupRow:
    """Close a group to new enrolments (its enrolled students stay; see the module).

    Refuses: already closed (DomainError), NotFound, PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    course = _locked_course(uow, course_id)
    if course.closed_at is not None:
        raise DomainError(MSG_ALREADY_CLOSED, field="group")
    course.closed_at = utc_now(uow)
    uow.session.add(course)
    uow.session.flush()
    taken = seats_taken(uow, [course_id]).get(course_id, 0)
    record_event(
        uow,
        actor_id,
        "group.close",
        "course",
        course_id,
        {"closed_at": None},
        {"closed_at": course.closed_at.isoformat(), "students_staying": taken},
    )
    return group_row(uow, course_id)


def reopen_group(uow: UnitOfWork, *, actor_id: int, course_id: int) -> GroupRow:
    """Open a closed group to enrolments again.

    Refuses: not closed (DomainError), NotFound, PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    course = _locked_course(uow, course_id)
    if course.closed_at is None:
        raise DomainError(MSG_NOT_CLOSED, field="group")
    before = course.closed_at
    course.closed_at = None
    uow.session.add(course)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "group.reopen",
        "course",
        course_id,
        {"closed_at": before.isoformat()},
        {"closed_at": None},
    )
    _offer_freed_seats(uow, course_id, actor_id)
    return group_row(uow, course_id)

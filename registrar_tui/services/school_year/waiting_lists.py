"""A course group's waiting list: in line, offered a freed seat, enrolled or out of line.

A student goes in line for a full group (a re-enrolment validated onto a full group does
it: `join_waiting_list`). When a seat frees — an enrolment of the group dropped
(records/enrolment.py calls `offer_free_seats`) or the capacity raised (the groups'
editing calls it too) — the first in line is *offered* the seat: the entry becomes
`offered` (dated), the seat is held for the student (`held_seats`: nobody else is proposed
it), and the family gets a message in its language. Accepting the offer enrols the student
and bills the discipline from the term's fee schedule as a validation does (the tuition,
and the registration fee if none was billed this school year): a discipline on a waiting
list is never billed before the student has a seat. Declining (or an offer left to expire:
the registrar records it as declined, with its reason) or removing an entry lets the next
one in line have the seat. Every change is audited, one transaction each, by a registrar
or an admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, elide, translations_for
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    Family,
    Guardian,
    Student,
    Teacher,
    Term,
    WaitingListEntry,
)
from registrar_tui.models.base import EnrolmentStatus, Language, WaitingStatus, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.core.text import required_reason
from registrar_tui.services.ledger.invoicing import issue_invoice, term_schedule
from registrar_tui.services.outbox.queue import queue_message
from registrar_tui.services.school_year.billing import discipline_lines
from registrar_tui.services.school_year.groups import seats_taken
from registrar_tui.services.staff.settings import institution_name

IN_LINE = (WaitingStatus.WAITING, WaitingStatus.OFFERED)
OFFER_KIND = "waiting_list_offer"


class AlreadyInLine(DomainError):
    message = N_("L'élève est déjà sur la liste d'attente de ce groupe.")


class AlreadyInGroup(DomainError):
    message = N_("L'élève est déjà inscrit à ce groupe.")


class NotOffered(DomainError):
    message = N_("Aucune place n'est offerte à cet élève : il attend encore son tour.")


class NotInLine(DomainError):
    message = N_("Cet élève n'est plus sur la liste d'attente.")


@dataclass(frozen=True)
class WaitingPlace:
    """Where a student stands in a group's line."""

    entry_id: int
    course_id: int
    rank: int
    """1 = first in line."""
    status: WaitingStatus


@dataclass(frozen=True)
class WaitingRow:
    entry_id: int
    rank: int
    student_id: int
    student_name: str
    student_number: str
    family_name: str
    family_number: str
    since: datetime
    status: WaitingStatus
    offered_at: datetime | None


@dataclass(frozen=True)
class WaitingList:
    """A group and the students in line for it, first first."""

    course_id: int
    term_code: str
    discipline_fr: str
    discipline_en: str
    section: str
    teacher: str | None
    weekday: int | None
    starts_at: time | None
    ends_at: time | None
    room: str
    capacity: int
    seats_taken: int
    rows: tuple[WaitingRow, ...]


@dataclass(frozen=True)
class OfferAccepted:
    entry_id: int
    enrolment_id: int
    invoice_number: str | None
    invoice_total: Decimal | None


def _active_enrolments(uow: UnitOfWork, course_id: int) -> int:
    return seats_taken(uow, [course_id]).get(course_id, 0)


def held_seats(uow: UnitOfWork, course_ids: Iterable[int]) -> dict[int, int]:
    """Seats offered to a student in line and not yet taken, per group: held for them."""
    ids = list(course_ids)
    if not ids:
        return {}
    return {
        int(course_id): int(count)
        for course_id, count in uow.session.exec(
            select(col(WaitingListEntry.course_id), func.count(col(WaitingListEntry.id)))
            .where(
                col(WaitingListEntry.course_id).in_(ids),
                col(WaitingListEntry.status) == WaitingStatus.OFFERED,
            )
            .group_by(col(WaitingListEntry.course_id))
        )
    }


def held_for_others(uow: UnitOfWork, course_id: int, student_id: int) -> int:
    """Seats of the group offered to students in line other than this one: nobody else
    may take them (the student offered one takes it by accepting the offer)."""
    count = uow.session.exec(
        select(func.count(col(WaitingListEntry.id))).where(
            col(WaitingListEntry.course_id) == course_id,
            col(WaitingListEntry.status) == WaitingStatus.OFFERED,
            col(WaitingListEntry.student_id) != student_id,
        )
    ).one()
    return int(count)


def line_lengths(uow: UnitOfWork, course_ids: Iterable[int]) -> dict[int, int]:
    """Students in line (waiting or offered) per group."""
    ids = list(course_ids)
    if not ids:
        return {}
    return {
        int(course_id): int(count)
        for course_id, count in uow.session.exec(
            select(col(WaitingListEntry.course_id), func.count(col(WaitingListEntry.id)))
            .where(
                col(WaitingListEntry.course_id).in_(ids),
                col(WaitingListEntry.status).in_(IN_LINE),
            )
            .group_by(col(WaitingListEntry.course_id))
        )
    }


def _line(uow: UnitOfWork, course_id: int) -> list[WaitingListEntry]:
    return list(
        uow.session.exec(
            select(WaitingListEntry)
            .where(
                col(WaitingListEntry.course_id) == course_id,
                col(WaitingListEntry.status).in_(IN_LINE),
            )
            .order_by(col(WaitingListEntry.position), col(WaitingListEntry.id))
        )
    )


def _lock_course(uow: UnitOfWork, course_id: int) -> Course:
    """The group, locked: two registrars changing its line or seats go one after the other."""
    course = uow.session.exec(
        select(Course).where(col(Course.id) == course_id).with_for_update()
    ).first()
    if course is None:
        raise NotFound(N_("Groupe introuvable."), field="course")
    return course


def _entry(uow: UnitOfWork, entry_id: int) -> tuple[WaitingListEntry, Course]:
    entry = uow.session.get(WaitingListEntry, entry_id)
    if entry is None:
        raise NotFound(N_("Inscription à la liste d'attente introuvable."))
    course = _lock_course(uow, entry.course_id)
    uow.session.refresh(entry)
    return entry, course


def _rank(line: list[WaitingListEntry], entry: WaitingListEntry) -> int:
    return next(i for i, e in enumerate(line, start=1) if e.id == entry.id)


def _state(entry: WaitingListEntry) -> dict[str, object]:
    return {
        "course_id": entry.course_id,
        "student_id": entry.student_id,
        "position": entry.position,
        "status": str(entry.status),
    }


def join_waiting_list(
    uow: UnitOfWork,
    *,
    actor_id: int,
    course_id: int,
    student_id: int,
    reenrolment_request_id: int | None = None,
) -> WaitingPlace:
    """Put the student at the end of the group's line, audited.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound,
    AlreadyInLine, AlreadyInGroup (actively enrolled in the group).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    _lock_course(uow, course_id)
    if uow.session.get(Student, student_id) is None:
        raise NotFound(N_("Élève introuvable."))
    line = _line(uow, course_id)
    if any(e.student_id == student_id for e in line):
        raise AlreadyInLine()
    enrolled = uow.session.exec(
        select(Enrolment.id).where(
            col(Enrolment.course_id) == course_id,
            col(Enrolment.student_id) == student_id,
            col(Enrolment.status) == EnrolmentStatus.ACTIVE,
        )
    ).first()
    if enrolled is not None:
        raise AlreadyInGroup()
    last = uow.session.exec(
        select(func.max(col(WaitingListEntry.position))).where(
            col(WaitingListEntry.course_id) == course_id
        )
    ).one()
    entry = WaitingListEntry(
        course_id=course_id,
        student_id=student_id,
        position=int(last or 0) + 1,
        status=WaitingStatus.WAITING,
        reenrolment_request_id=reenrolment_request_id,
        added_at=utc_now(uow),
        added_by_id=actor_id,
    )
    uow.session.add(entry)
    uow.session.flush()
    rank = len(line) + 1
    record_event(
        uow,
        actor_id,
        "waiting_list.join",
        "waiting_list_entry",
        entry.id,
        {},
        {**_state(entry), "rank": rank, "reenrolment_request_id": reenrolment_request_id},
    )
    return WaitingPlace(require_id(entry), course_id, rank, WaitingStatus.WAITING)


def _payer(uow: UnitOfWork, family_id: int) -> Guardian | None:
    return uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
    ).first()


_OFFER_SUBJECT = N_("Une place s'est libérée pour {student} — {discipline}, session {term}")
_OFFER_BODY = N_(
    "Bonjour {name},\n\n"
    "Une place s'est libérée dans le groupe {section} de {discipline} pour la session {term}, "
    "et elle est offerte à {student}, premier sur la liste d'attente.\n"
    "Communiquez avec nous pour l'accepter ou la refuser.\n\n"
    "{institution}"
)


def _message_offer(uow: UnitOfWork, entry: WaitingListEntry, course: Course) -> str | None:
    """Queue the offer's message to the payer, in the family's language (None: no e-mail)."""
    student = uow.session.get_one(Student, entry.student_id)
    family = uow.session.get_one(Family, student.family_id)
    payer = _payer(uow, require_id(family))
    if payer is None or not payer.email:
        return None
    language = Language(family.language)
    lang = str(language)
    gettext = translations_for(lang).gettext
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    term = uow.session.get_one(Term, course.term_id)
    what = discipline.name_en if language is Language.ENGLISH else discipline.name_fr
    who = f"{student.first_name} {student.last_name}".strip()
    values = {"student": who, "discipline": what, "term": term.code}
    queue_message(
        uow,
        kind=OFFER_KIND,
        family_id=family.id,
        recipient=payer.email,
        subject=elide(gettext(_OFFER_SUBJECT), lang, **values),
        body=elide(
            gettext(_OFFER_BODY),
            lang,
            name=f"{payer.first_name} {payer.last_name}".strip(),
            section=course.section,
            institution=institution_name(uow),
            **values,
        ),
        language=language,
    )
    return payer.email


def _offer_free_seats(uow: UnitOfWork, course: Course, actor_id: int) -> list[int]:
    course_id = require_id(course)
    line = _line(uow, course_id)
    offered = sum(1 for e in line if e.status == WaitingStatus.OFFERED)
    free = course.capacity - _active_enrolments(uow, course_id) - offered
    if course.closed_at is not None:
        free = 0
    made = []
    for entry in (e for e in line if e.status == WaitingStatus.WAITING):
        if free <= 0:
            break
        before = _state(entry)
        entry.status = WaitingStatus.OFFERED
        entry.offered_at = utc_now(uow)
        uow.session.add(entry)
        uow.session.flush()
        recipient = _message_offer(uow, entry, course)
        record_event(
            uow,
            actor_id,
            "waiting_list.offer",
            "waiting_list_entry",
            entry.id,
            before,
            {**_state(entry), "message_to": recipient},
        )
        made.append(require_id(entry))
        free -= 1
    return made


def offer_free_seats(uow: UnitOfWork, course_id: int, actor_id: int) -> list[int]:
    """Offer the group's free seats (capacity − enrolled − already offered) to the first in
    line, in this transaction: each becomes `offered`, the family is messaged, audited.
    Returns the entries offered a seat (none when nobody waits or the group is closed).

    Called by whatever frees a seat (a drop, a capacity raised), inside its own write.
    Refuses: PermissionDenied (not a registrar or admin), NotFound.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    return _offer_free_seats(uow, _lock_course(uow, course_id), actor_id)


def accept_offer(uow: UnitOfWork, entry_id: int, actor_id: int) -> OfferAccepted:
    """The family accepts the seat offered: enrol the student in the group and bill the
    discipline from the term's fee schedule (tuition; the registration fee if none was
    billed this school year), audited.

    Refuses, writing nothing: PermissionDenied, NotFound, NotOffered (still waiting),
    NotInLine (enrolled, declined or removed already), NotFound from the fee schedule.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    entry, course = _entry(uow, entry_id)
    if entry.status == WaitingStatus.WAITING:
        raise NotOffered()
    if entry.status != WaitingStatus.OFFERED:
        raise NotInLine()
    student = uow.session.get_one(Student, entry.student_id)
    term = uow.session.get_one(Term, course.term_id)
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    family = uow.session.get_one(Family, student.family_id)
    language = Language(family.language)
    enrolment = uow.session.exec(
        select(Enrolment).where(
            col(Enrolment.student_id) == entry.student_id,
            col(Enrolment.course_id) == entry.course_id,
        )
    ).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        raise AlreadyInGroup()
    if enrolment is None:
        enrolment = Enrolment(
            student_id=entry.student_id, course_id=entry.course_id, enrolled_at=utc_now(uow)
        )
    else:
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.dropped_at = None
        enrolment.enrolled_at = utc_now(uow)
    uow.session.add(enrolment)
    uow.session.flush()
    lines = discipline_lines(
        uow,
        student_id=require_id(student),
        term=term,
        schedule=term_schedule(uow, require_id(term), language),
        disciplines=[(require_id(discipline), discipline.code)],
        language=language,
    )
    gettext = translations_for(str(language)).gettext
    invoice = issue_invoice(
        uow,
        actor_id=actor_id,
        family_id=require_id(family),
        description=gettext(N_("Place en liste d'attente — {discipline} — session {term}")).format(
            discipline=discipline.code, term=term.code
        ),
        lines=lines,
        due_on=term.payment_due_on,
        student_id=student.id,
        term_id=term.id,
        establishment_id=student.establishment_id,
        roles=SUPERVISORS,
        audit_context={"waiting_list_entry_id": entry_id},
    )
    before = _state(entry)
    entry.status = WaitingStatus.ENROLLED
    entry.closed_at = utc_now(uow)
    entry.closed_by_id = actor_id
    entry.enrolment_id = require_id(enrolment)
    uow.session.add(entry)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "waiting_list.accept",
        "waiting_list_entry",
        entry_id,
        before,
        {**_state(entry), "enrolment_id": enrolment.id, "invoice": invoice.number},
    )
    return OfferAccepted(entry_id, require_id(enrolment), invoice.number, invoice.total)


def remove_from_list(uow: UnitOfWork, entry_id: int, actor_id: int, reason: str) -> list[int]:
    """Take a student out of line with a reason (an offer declined or left to expire, a
    family that gave up…). An offered seat goes to the next in line at once.
    Returns the entries newly offered a seat.

    Refuses, writing nothing: PermissionDenied, NotFound, ReasonRequired,
    CardNumberRefused (the reason), NotInLine.
    """
    clean = required_reason(reason)
    active_staff(uow, actor_id, SUPERVISORS)
    entry, course = _entry(uow, entry_id)
    if entry.status not in IN_LINE:
        raise NotInLine()
    before = _state(entry)
    was_offered = entry.status == WaitingStatus.OFFERED
    entry.status = WaitingStatus.DECLINED if was_offered else WaitingStatus.REMOVED
    entry.closed_at = utc_now(uow)
    entry.closed_by_id = actor_id
    entry.reason = clean
    uow.session.add(entry)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "waiting_list.remove",
        "waiting_list_entry",
        entry_id,
        before,
        {**_state(entry), "reason": clean},
    )
    return _offer_free_seats(uow, course, actor_id) if was_offered else []


def move_in_line(uow: UnitOfWork, entry_id: int, actor_id: int, *, up: bool) -> WaitingPlace:
    """Move a student one place up (or down) the line, swapping with the neighbour.
    At the top (or bottom) already: nothing changes.

    Refuses, writing nothing: PermissionDenied, NotFound, NotInLine.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    entry, course = _entry(uow, entry_id)
    if entry.status not in IN_LINE:
        raise NotInLine()
    line = _line(uow, require_id(course))
    rank = _rank(line, entry)
    other_rank = rank - 1 if up else rank + 1
    if not 1 <= other_rank <= len(line):
        return WaitingPlace(entry_id, entry.course_id, rank, WaitingStatus(entry.status))
    other = line[other_rank - 1]
    before = {"rank": rank, "position": entry.position}
    # Positions made distinct by rank first: a tie (same position) would not move.
    for index, each in enumerate(line, start=1):
        each.position = index
    entry.position, other.position = other_rank, rank
    uow.session.add_all(line)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "waiting_list.move",
        "waiting_list_entry",
        entry_id,
        before,
        {"rank": other_rank, "position": entry.position},
    )
    return WaitingPlace(entry_id, entry.course_id, other_rank, WaitingStatus(entry.status))


def place_in_line(uow: UnitOfWork, entry_id: int) -> WaitingPlace:
    """Where an entry stands now (rank 0 once out of line). Refuses: NotFound."""
    entry = uow.session.get(WaitingListEntry, entry_id)
    if entry is None:
        raise NotFound(N_("Inscription à la liste d'attente introuvable."))
    line = _line(uow, entry.course_id)
    rank = _rank(line, entry) if entry.status in IN_LINE else 0
    return WaitingPlace(entry_id, entry.course_id, rank, WaitingStatus(entry.status))


def waiting_list(uow: UnitOfWork, course_id: int) -> WaitingList:
    """The group (term, discipline, section, teacher, time, seats) and its line, first first.

    Refuses: NotFound.
    """
    course = uow.session.get(Course, course_id)
    if course is None:
        raise NotFound(N_("Groupe introuvable."), field="course")
    term = uow.session.get_one(Term, course.term_id)
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    teacher = uow.session.get(Teacher, course.teacher_id) if course.teacher_id else None
    line = _line(uow, course_id)
    students = {
        s.id: s
        for s in uow.session.exec(
            select(Student).where(col(Student.id).in_([e.student_id for e in line]))
        )
    }
    families = {
        f.id: f
        for f in uow.session.exec(
            select(Family).where(col(Family.id).in_([s.family_id for s in students.values()]))
        )
    }
    rows = []
    for rank, entry in enumerate(line, start=1):
        student = students[entry.student_id]
        family = families[student.family_id]
        rows.append(
            WaitingRow(
                entry_id=require_id(entry),
                rank=rank,
                student_id=entry.student_id,
                student_name=f"{student.first_name} {student.last_name}".strip(),
                student_number=student.student_number,
                family_name=family.name,
                family_number=family.family_number,
                since=entry.added_at,
                status=WaitingStatus(entry.status),
                offered_at=entry.offered_at,
            )
        )
    return WaitingList(
        course_id=course_id,
        term_code=term.code,
        discipline_fr=discipline.name_fr,
        discipline_en=discipline.name_en,
        section=course.section,
        teacher=f"{teacher.first_name} {teacher.last_name}".strip() if teacher else None,
        weekday=course.weekday,
        starts_at=course.starts_at,
        ends_at=course.ends_at,
        room=course.room,
        capacity=course.capacity,
        seats_taken=_active_enrolments(uow, course_id),
        rows=tuple(rows),
    )

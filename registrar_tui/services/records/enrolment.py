"""Course changes at the counter: add or drop a course, confirm attendance.

A **first enrolment** is a course added to a student who has no active enrolment in that
term (a new family at the counter, a student coming back): any staff member, clerks
included, may make it, and it is billed like a waiting-list seat accepted — the
discipline's tuition from the term's fee schedule and the registration fee when none was
billed to the student this school year (`services/school_year/billing.py`), never a
schedule-change fee. Any other course added is a **change** to the term's schedule:
registrars and administrators only, billed on an invoice of its own: the discipline's
tuition and, once the term has started, the schedule-change fee (15 $ in the demo
schedule).

The courses offered (`course_choices`) are the groups of the current term and of the
next term once it is close: its re-enrolment window is open, or it starts within
`NEXT_TERM_WINDOW` (60 days) — the counter registers for the coming term during the
summer and the weeks before a session.

Dropping a course added the same day cancels its invoice by a credit note and costs
nothing; any other drop of a started term bills the schedule-change fee.
What either would bill is read first (`add_course_bill`, `drop_course_bill`) from the
same functions the writes use, so the dialog says exactly what the key will do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, translations_for
from registrar_tui.models import (
    Course,
    CreditNote,
    Discipline,
    Enrolment,
    Family,
    Invoice,
    Student,
    Term,
)
from registrar_tui.models.base import EnrolmentStatus, FeeKind, Language, Role, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc, local_date, utc_now
from registrar_tui.services.core.errors import DomainError, NotFound, PermissionDenied
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.credit import cancel_invoice
from registrar_tui.services.ledger.invoicing import (
    NewLine,
    issue_invoice,
    schedule_fee,
    schedule_fee_of_kind,
    term_schedule,
)
from registrar_tui.services.ledger.statement import CANCELS_INVOICE, invoice_figures
from registrar_tui.services.records.courses import DisciplineName, teacher_name
from registrar_tui.services.records.enrolment_plan import (
    PlannedLine,
    discipline_name,
    planned,
)
from registrar_tui.services.records.students import current_term
from registrar_tui.services.school_year.billing import discipline_lines
from registrar_tui.services.school_year.groups import GroupClosed, seats_taken
from registrar_tui.services.school_year.waiting_lists import (
    held_for_others,
    held_seats,
    offer_free_seats,
)

STAFF = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
FIRST_ENROLLERS = STAFF
"""Who may make a first enrolment (no active enrolment in the term): any staff member."""
CHANGERS = SUPERVISORS
"""Who may change a term's courses once the student has one: registrars and admins."""
NEXT_TERM_WINDOW = timedelta(days=60)
"""The next term's groups are offered at the counter this long before it starts (or
while its re-enrolment window is open)."""


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
    """A course of an offered term (`offered_terms`) at the student's establishment, with
    room (closed groups and seats held for the waiting list left out)."""

    course_id: int
    term_code: str
    discipline: DisciplineName
    section: str
    teacher: str | None
    seats_left: int
    weekday: int | None = None
    """ISO weekday, 1 = Monday (None: not scheduled yet)."""
    starts_at: time | None = None
    ends_at: time | None = None
    first_enrolment: bool = True
    """The student has no active enrolment in the term: a clerk may add it, billed with
    the registration fee; otherwise a change (registrar or admin)."""


@dataclass(frozen=True)
class CourseChange:
    enrolment_id: int
    status: EnrolmentStatus
    invoice_number: str | None
    """The invoice billed: an added course's, or a drop's schedule-change fee."""
    billed: Decimal | None
    credit_note_number: str | None
    """A course dropped the day it was added: the credit note cancelling its invoice."""
    credited: Decimal | None


@dataclass(frozen=True)
class CourseBill:
    """What adding or dropping a course would bill, shown before the key that confirms."""

    lines: tuple[PlannedLine, ...]
    total: Decimal
    cancels_invoice: str | None
    """A course dropped the day it was added: the invoice a credit note would cancel."""
    cancelled_amount: Decimal | None


@dataclass(frozen=True)
class AttendanceConfirmed:
    student_id: int
    term_code: str
    confirmed: int
    """Enrolments newly confirmed (0 when all were already)."""


def offered_terms(uow: UnitOfWork, today: date) -> tuple[Term, ...]:
    """The terms whose groups the counter offers: the current one, and the next one when
    its re-enrolment window is open today or it starts within `NEXT_TERM_WINDOW`."""
    terms: list[Term] = []
    current = current_term(uow, today)
    if current is not None and today <= current.ends_on:
        terms.append(current)
    upcoming = uow.session.exec(
        select(Term)
        .where(col(Term.starts_on) > today)
        .order_by(col(Term.starts_on), col(Term.id))
        .limit(1)
    ).first()
    if upcoming is not None:
        window_open = (
            upcoming.reenrolment_opens_on is not None
            and upcoming.reenrolment_opens_on <= today
            and (upcoming.reenrolment_closes_on is None or today <= upcoming.reenrolment_closes_on)
        )
        if window_open or upcoming.starts_on - today <= NEXT_TERM_WINDOW:
            terms.append(upcoming)
    return tuple(terms)


def is_first_enrolment(uow: UnitOfWork, student_id: int, term_id: int) -> bool:
    """True when the student has no active enrolment in the term."""
    return (
        uow.session.exec(
            select(Enrolment.id)
            .join(Course, col(Course.id) == col(Enrolment.course_id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id) == term_id,
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
            .limit(1)
        ).first()
        is None
    )


def course_choices(uow: UnitOfWork, student_id: int) -> tuple[CourseChoice, ...]:
    """Courses the student could be added to: a group of an offered term (`offered_terms`)
    at the student's establishment, open, with a seat neither taken nor held for the
    waiting list, in a discipline the student is not already taking that term. Ordered
    by term, then discipline and group; each says whether it would be a first enrolment."""
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    terms = {require_id(term): term for term in offered_terms(uow, local_date(uow.now()))}
    if not terms:
        return ()
    rows = list(
        uow.session.exec(
            select(Course, Discipline)
            .join(Discipline, col(Discipline.id) == col(Course.discipline_id))
            .join(Term, col(Term.id) == col(Course.term_id))
            .where(
                col(Course.term_id).in_(list(terms)),
                col(Course.establishment_id) == student.establishment_id,
            )
            .order_by(col(Term.starts_on), col(Discipline.name_fr), col(Course.section))
        )
    )
    ids = [require_id(course) for course, _d in rows]
    taken = seats_taken(uow, ids)
    held = held_seats(uow, ids)  # offered to the first in line: not for the counter
    taking = {
        (int(term_id), int(discipline_id))
        for term_id, discipline_id in uow.session.exec(
            select(col(Course.term_id), col(Course.discipline_id))
            .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id).in_(list(terms)),
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
        )
    }
    enrolled_terms = {term_id for term_id, _discipline in taking}
    from registrar_tui.models import Teacher

    teachers = {t.id: t for t in uow.session.exec(select(Teacher))}
    choices = []
    for course, discipline in rows:
        course_id = require_id(course)
        room = course.capacity - taken.get(course_id, 0) - held.get(course_id, 0)
        if (
            room <= 0
            or course.closed_at is not None
            or (course.term_id, course.discipline_id) in taking
        ):
            continue
        choices.append(
            CourseChoice(
                course_id=course_id,
                term_code=terms[course.term_id].code,
                discipline=discipline_name(discipline),
                section=course.section,
                teacher=teacher_name(teachers.get(course.teacher_id)),
                seats_left=room,
                weekday=course.weekday,
                starts_at=course.starts_at,
                ends_at=course.ends_at,
                first_enrolment=course.term_id not in enrolled_terms,
            )
        )
    return tuple(choices)


def _family_language(uow: UnitOfWork, student: Student) -> Language:
    return Language(uow.session.get_one(Family, student.family_id).language)


def _started(uow: UnitOfWork, term: Term) -> bool:
    return local_date(uow.now()) >= term.starts_on


def _tuition(uow: UnitOfWork, term: Term, discipline: Discipline, language: Language) -> NewLine:
    """The discipline's tuition from the term's fee schedule (NotFound when it has none)."""
    for fee in term_schedule(uow, require_id(term), language):
        if fee.kind is FeeKind.TUITION and fee.discipline_id == discipline.id:
            return NewLine.of(fee)
    return NewLine.of(schedule_fee(uow, require_id(term), f"SCO-{discipline.code}", language))


def _change_fee(uow: UnitOfWork, term: Term, language: Language, what: str) -> NewLine:
    fee = schedule_fee_of_kind(uow, require_id(term), FeeKind.SCHEDULE_CHANGE, language)
    return NewLine.of(fee, f" ({what})")


def _add_lines(
    uow: UnitOfWork, student: Student, course: Course
) -> tuple[Term, Discipline, list[NewLine], bool]:
    """The lines adding the course bills, and whether it is a first enrolment: tuition and
    the registration fee owed (first enrolment), or tuition and, once the term has
    started, the schedule-change fee (a change)."""
    term = uow.session.get_one(Term, course.term_id)
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    language = _family_language(uow, student)
    student_id = require_id(student)
    if is_first_enrolment(uow, student_id, require_id(term)):
        lines = discipline_lines(
            uow,
            student_id=student_id,
            term=term,
            schedule=term_schedule(uow, require_id(term), language),
            disciplines=[(require_id(discipline), discipline.code)],
            language=language,
        )
        return term, discipline, lines, True
    lines = [_tuition(uow, term, discipline, language)]
    if _started(uow, term):
        lines.append(_change_fee(uow, term, language, f"+ {discipline.code}"))
    return term, discipline, lines, False


def _same_day_invoice(uow: UnitOfWork, enrolment: Enrolment) -> Invoice | None:
    """The invoice the course was added on today, while no credit note cancels it."""
    if enrolment.added_invoice_id is None:
        return None
    if local_date(as_utc(enrolment.enrolled_at)) != local_date(uow.now()):
        return None
    cancelled = uow.session.exec(
        select(CreditNote.id).where(
            col(CreditNote.invoice_id) == enrolment.added_invoice_id, CANCELS_INVOICE
        )
    ).first()
    if cancelled is not None:
        return None
    return uow.session.get(Invoice, enrolment.added_invoice_id)


def _bill(
    lines: Sequence[NewLine], cancels: Invoice | None = None, amount: Decimal = ZERO
) -> CourseBill:
    return CourseBill(
        lines=planned(lines),
        total=sum((line.amount for line in lines), ZERO),
        cancels_invoice=cancels.number if cancels is not None else None,
        cancelled_amount=amount if cancels is not None else None,
    )


def add_course_bill(uow: UnitOfWork, student_id: int, course_id: int) -> CourseBill:
    """What adding the course would bill (what `add_course` writes, read before the key
    that confirms): for a first enrolment in the term, the discipline's tuition and the
    registration fee when none was billed this school year; for a change, the tuition
    plus the schedule-change fee once the term has started.

    Refuses: NotFound (student, course, or a fee missing from the schedule), TermOver.
    """
    student = uow.session.get(Student, student_id)
    course = uow.session.get(Course, course_id)
    if student is None or course is None:
        raise NotFound(N_("Cours ou élève introuvable."))
    term, _discipline, lines, _first = _add_lines(uow, student, course)
    _term_not_over(uow, term)
    return _bill(lines)


def drop_course_bill(uow: UnitOfWork, enrolment_id: int) -> CourseBill:
    """What dropping the enrolment would do to the bill: a course added today has its
    invoice cancelled by a credit note and costs nothing; otherwise, once the term has
    started, the schedule-change fee. Refuses: NotFound, EnrolmentNotActive, TermOver."""
    enrolment = uow.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(N_("Inscription introuvable."), field="enrolment")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise EnrolmentNotActive()
    course = uow.session.get_one(Course, enrolment.course_id)
    term = uow.session.get_one(Term, course.term_id)
    _term_not_over(uow, term)
    same_day = _same_day_invoice(uow, enrolment)
    if same_day is not None:
        figures = invoice_figures(uow, invoice_ids=(require_id(same_day),))[0]
        return _bill([], same_day, figures.kept)
    if not _started(uow, term):
        return _bill([])
    student = uow.session.get_one(Student, enrolment.student_id)
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    language = _family_language(uow, student)
    return _bill([_change_fee(uow, term, language, f"− {discipline.code}")])


def _term_not_over(uow: UnitOfWork, term: Term) -> None:
    if local_date(uow.now()) > term.ends_on:
        raise TermOver(term=term.code)


def add_course(uow: UnitOfWork, *, actor_id: int, student_id: int, course_id: int) -> CourseChange:
    """Enrol the student in a course and bill it on an invoice of its own, in the same
    transaction (`add_course_bill` says beforehand what it bills):

    - a **first enrolment** (no active enrolment of the student in the course's term) may
      be made by any staff member, clerks included; it bills the discipline's tuition and
      the registration fee when none was billed to the student this school year, never a
      schedule-change fee;
    - a **change** (the student already has a course that term) is for registrars and
      admins; it bills the tuition plus, once the term has started, the schedule-change fee.

    Refuses, writing nothing: PermissionDenied (not staff; a clerk making a change),
    NotFound, TermOver, AlreadyEnrolled (active in this course), GroupClosed
    (services/school_year), CourseFull, NotFound from the fee schedule (no tuition for the
    discipline, no schedule-change fee for a started term).
    """
    actor = active_staff(uow, actor_id, FIRST_ENROLLERS)
    student = uow.session.get(Student, student_id)
    course = uow.session.exec(
        select(Course).where(col(Course.id) == course_id).with_for_update()
    ).first()
    if student is None or course is None:
        raise NotFound(N_("Cours ou élève introuvable."))
    term = uow.session.get_one(Term, course.term_id)
    first = is_first_enrolment(uow, student_id, require_id(term))
    if not first and actor.role not in CHANGERS:
        raise PermissionDenied()
    _term_not_over(uow, term)
    enrolment = uow.session.exec(
        select(Enrolment).where(
            col(Enrolment.student_id) == student_id, col(Enrolment.course_id) == course_id
        )
    ).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        raise AlreadyEnrolled()
    if course.closed_at is not None:
        raise GroupClosed()
    taken = seats_taken(uow, [course_id]).get(course_id, 0)
    if taken + held_for_others(uow, course_id, student_id) >= course.capacity:
        raise CourseFull()
    term, discipline, lines, first = _add_lines(uow, student, course)
    gettext = translations_for(str(_family_language(uow, student))).gettext
    description = (
        N_("Inscription — {discipline} — session {term}")
        if first
        else N_("Ajout de cours — {discipline} — session {term}")
    )
    invoice = issue_invoice(
        uow,
        actor_id=actor_id,
        family_id=student.family_id,
        description=gettext(description).format(discipline=discipline.code, term=term.code),
        lines=lines,
        due_on=max(term.payment_due_on, local_date(uow.now())),
        student_id=student.id,
        term_id=term.id,
        establishment_id=student.establishment_id,
        roles=FIRST_ENROLLERS if first else CHANGERS,
        audit_context={"course_added": course_id, "first_enrolment": first},
    )
    if enrolment is None:
        enrolment = Enrolment(student_id=student_id, course_id=course_id, enrolled_at=utc_now(uow))
    else:
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.dropped_at = None
        enrolment.enrolled_at = utc_now(uow)
    enrolment.added_invoice_id = invoice.invoice_id
    # Added at the counter with the family there: its attendance is confirmed.
    enrolment.attendance_confirmed_at = utc_now(uow)
    uow.session.add(enrolment)
    uow.session.flush()
    assert enrolment.id is not None
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
            "invoice": invoice.number,
            "first_enrolment": first,
        },
    )
    return CourseChange(
        enrolment.id, EnrolmentStatus.ACTIVE, invoice.number, invoice.total, None, None
    )


def drop_course(uow: UnitOfWork, *, actor_id: int, enrolment_id: int) -> CourseChange:
    """Drop an active enrolment. A course added today has its invoice cancelled by a credit
    note (what was paid on it becomes family credit) and costs nothing; otherwise, once the
    term has started, the schedule-change fee is billed (`drop_course_bill` says which).

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound,
    TermOver, EnrolmentNotActive (already dropped or completed).
    The seat freed is offered to the first on the group's waiting list (outbox message).
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
    discipline = uow.session.get_one(Discipline, course.discipline_id)
    language = _family_language(uow, student)
    gettext = translations_for(str(language)).gettext
    same_day = _same_day_invoice(uow, enrolment)
    enrolment.status = EnrolmentStatus.DROPPED
    enrolment.dropped_at = utc_now(uow)
    uow.session.add(enrolment)
    uow.session.flush()
    fee: tuple[str, Decimal] | None = None
    credit_note: tuple[str, Decimal] | None = None
    if same_day is not None:
        cancelled = cancel_invoice(
            uow,
            require_id(same_day),
            gettext(N_("Cours {discipline} retiré le jour de son ajout")).format(
                discipline=discipline.code
            ),
            actor_id,
        )
        credit_note = (cancelled.credit_note_number, cancelled.amount)
    elif _started(uow, term):
        invoice = issue_invoice(
            uow,
            actor_id=actor_id,
            family_id=student.family_id,
            description=gettext(N_("Changement d'horaire — session {term}")).format(term=term.code),
            lines=[_change_fee(uow, term, language, f"− {discipline.code}")],
            due_on=max(term.payment_due_on, local_date(uow.now())),
            student_id=student.id,
            term_id=term.id,
            establishment_id=student.establishment_id,
            roles=SUPERVISORS,
        )
        fee = (invoice.number, invoice.total)
    # The seat freed goes to the first in line, in this same transaction.
    offered = offer_free_seats(uow, require_id(course), actor_id)
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
            "fee_invoice": fee[0] if fee else None,
            "credit_note": credit_note[0] if credit_note else None,
            "waiting_list_offers": offered,
        },
    )
    return CourseChange(
        enrolment_id,
        EnrolmentStatus.DROPPED,
        fee[0] if fee else None,
        fee[1] if fee else None,
        credit_note[0] if credit_note else None,
        credit_note[1] if credit_note else None,
    )


@dataclass(frozen=True)
class AttendanceOutlook:
    """What confirming a student's attendance now would do, for the confirming dialog."""

    term_code: str
    to_confirm: int
    """Active enrolments of the term not confirmed yet."""
    deadline: date | None
    on_time: bool
    """Confirmed now, the student escapes the late-confirmation fee."""
    late_fee: Decimal | None


def attendance_outlook(uow: UnitOfWork, student_id: int, term_code: str) -> AttendanceOutlook:
    """Whether confirming the student's attendance today is before the term's deadline (no
    late-confirmation fee) or after it (the fee applies all the same). Refuses: NotFound."""
    term = uow.session.exec(select(Term).where(col(Term.code) == term_code)).first()
    if term is None:
        raise NotFound(N_("Session introuvable : {term}."), field="term", term=term_code)
    to_confirm = len(
        uow.session.exec(
            select(Enrolment.id)
            .join(Course, col(Course.id) == col(Enrolment.course_id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id) == term.id,
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
                col(Enrolment.attendance_confirmed_at).is_(None),
            )
        ).all()
    )
    deadline = term.confirmation_deadline
    try:
        fee: Decimal | None = schedule_fee_of_kind(
            uow, require_id(term), FeeKind.LATE_CONFIRMATION
        ).amount
    except NotFound:
        fee = None
    on_time = deadline is None or local_date(uow.now()) <= deadline
    return AttendanceOutlook(term.code, to_confirm, deadline, on_time, fee)


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

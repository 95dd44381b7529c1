"""Term fees outside tuition: the late-confirmation fee job (the attendance certificate,
the other fee a term brings, is `services/records/certificate.py`).

It bills through `services/ledger/invoicing.py`, like tuition, and is idempotent: a
student already billed the fee for the term is never billed again, even by two runs at once
(the second waits for the first's lock, then finds its invoices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _, format_money, ngettext, translations_for
from registrar_tui.models import (
    Course,
    Enrolment,
    Family,
    Invoice,
    InvoiceLine,
    Student,
    Term,
)
from registrar_tui.models.base import EnrolmentStatus, FeeKind, Language, require_id
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.core.identifiers import name_order
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice, schedule_fee_of_kind


class DeadlineNotPassed(DomainError):
    message = N_(
        "La date limite de confirmation de la session {term} ({deadline}) n'est pas passée."
    )


class NoConfirmationDeadline(DomainError):
    message = N_("La session {term} n'a pas de date limite de confirmation.")


@dataclass(frozen=True)
class LateFeeTerm:
    """A term with an attendance-confirmation deadline, and who the job would charge now."""

    term_code: str
    deadline: date
    deadline_passed: bool
    fee: Decimal | None
    """The schedule's late-confirmation fee (None: the schedule has none)."""
    to_charge: int
    """Students who did not confirm by the deadline and were not billed the fee yet."""
    already_charged: int


@dataclass(frozen=True)
class LateFeeRun:
    term_code: str
    charged: int
    already_charged: int
    invoice_numbers: tuple[str, ...]
    total: Decimal
    families: int = 0
    """Families billed (one invoice per student, one message per family)."""
    messages: int = 0
    """Messages queued in the outbox (a payer without an e-mail gets none)."""

    def summary(self) -> str:
        """What the run charged, in the UI's language (the screen and the CLI say it alike):
        students and total, families, messages queued, students already charged before."""
        charged = ngettext(
            "{count} élève facturé ({total})", "{count} élèves facturés ({total})", self.charged
        ).format(count=self.charged, total=format_money(self.total))
        families = ngettext("{count} famille", "{count} familles", self.families).format(
            count=self.families
        )
        messages = ngettext(
            "{count} message aux familles", "{count} messages aux familles", self.messages
        ).format(count=self.messages)
        done = ngettext(
            "{count} déjà facturé auparavant",
            "{count} déjà facturés auparavant",
            self.already_charged,
        ).format(count=self.already_charged)
        return _("Session {term} : {charged} · {families} · {messages} · {done}.").format(
            term=self.term_code, charged=charged, families=families, messages=messages, done=done
        )


def _term(uow: UnitOfWork, term_code: str) -> Term:
    term = uow.session.exec(select(Term).where(col(Term.code) == term_code)).first()
    if term is None:
        raise NotFound(N_("Session introuvable : {term}."), field="term", term=term_code)
    return term


def _late_students(uow: UnitOfWork, term: Term) -> list[int]:
    """Students with an active enrolment of the term not confirmed by the deadline.

    An enrolment made after the deadline (a course added at the counter) could not have
    been confirmed before it: it never makes its student late.
    """
    deadline = term.confirmation_deadline
    assert deadline is not None
    rows = uow.session.exec(
        select(
            col(Enrolment.student_id),
            col(Enrolment.enrolled_at),
            col(Enrolment.attendance_confirmed_at),
        )
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .where(col(Course.term_id) == term.id, col(Enrolment.status) == EnrolmentStatus.ACTIVE)
    ).all()
    late = set()
    for student_id, enrolled_at, confirmed_at in rows:
        if local_date(enrolled_at) > deadline:
            continue
        if confirmed_at is None or local_date(confirmed_at) > deadline:
            late.add(int(student_id))
    return sorted(late)


def _already_billed(uow: UnitOfWork, term: Term, fee_code: str) -> set[int]:
    """Students with an invoice of the term carrying the late fee (cancelled ones too:
    a credit note means the registrar waived it, not that it is owed again)."""
    return {
        student_id
        for student_id in uow.session.exec(
            select(col(Invoice.student_id))
            .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
            .where(
                col(Invoice.term_id) == term.id,
                col(InvoiceLine.fee_code) == fee_code,
                col(Invoice.student_id).is_not(None),
            )
        )
        if student_id is not None
    }


def late_fee_terms(uow: UnitOfWork) -> tuple[LateFeeTerm, ...]:
    """Terms with a confirmation deadline, newest first, with what the job would do today."""
    terms = uow.session.exec(
        select(Term)
        .where(col(Term.confirmation_deadline).is_not(None))
        .order_by(col(Term.starts_on).desc())
    ).all()
    today = local_date(uow.now())
    result = []
    for term in terms:
        assert term.confirmation_deadline is not None
        try:
            fee = schedule_fee_of_kind(uow, require_id(term), FeeKind.LATE_CONFIRMATION)
        except NotFound:
            fee = None
        late = _late_students(uow, term)
        billed = _already_billed(uow, term, fee.code) if fee is not None else set()
        result.append(
            LateFeeTerm(
                term_code=term.code,
                deadline=term.confirmation_deadline,
                deadline_passed=today > term.confirmation_deadline,
                fee=fee.amount if fee is not None else None,
                to_charge=len([s for s in late if s not in billed]),
                already_charged=len([s for s in late if s in billed]),
            )
        )
    return tuple(result)


@dataclass(frozen=True)
class LateStudent:
    """A student the late-confirmation job would charge, with the family billed."""

    student_id: int
    student_name: str
    student_number: str
    family_id: int
    family_name: str


@dataclass(frozen=True)
class LateFeePreview:
    """Who the job would charge now, and how much in all: shown before the key that charges."""

    term_code: str
    deadline: date
    deadline_passed: bool
    fee: Decimal
    students: tuple[LateStudent, ...]
    families: int
    total: Decimal
    already_charged: int


def late_fee_preview(uow: UnitOfWork, term_code: str) -> LateFeePreview:
    """The students (by name) and families the late-confirmation job would charge today, and
    the total, exactly as `apply_late_confirmation_fees` would.

    Refuses: NotFound (term, or no late-confirmation fee in its schedule),
    NoConfirmationDeadline.
    """
    term = _term(uow, term_code)
    deadline = term.confirmation_deadline
    if deadline is None:
        raise NoConfirmationDeadline(term=term.code)
    fee = schedule_fee_of_kind(uow, require_id(term), FeeKind.LATE_CONFIRMATION)
    late = _late_students(uow, term)
    billed = _already_billed(uow, term, fee.code)
    students = []
    for student_id in late:
        if student_id in billed:
            continue
        student = uow.session.get_one(Student, student_id)
        family = uow.session.get_one(Family, student.family_id)
        students.append(
            LateStudent(
                student_id=student_id,
                student_name=f"{student.first_name} {student.last_name}".strip(),
                student_number=student.student_number,
                family_id=require_id(family),
                family_name=family.name,
            )
        )
    students.sort(key=lambda s: (name_order(s.family_name), name_order(s.student_name)))
    return LateFeePreview(
        term_code=term.code,
        deadline=deadline,
        deadline_passed=local_date(uow.now()) > deadline,
        fee=fee.amount,
        students=tuple(students),
        families=len({s.family_id for s in students}),
        total=fee.amount * len(students),
        already_charged=len(late) - len(students),
    )


_LATE_FEE_SUBJECT = N_("Frais de confirmation tardive — session {term}")
_LATE_FEE_BODY = N_(
    "Bonjour {name},\n\n"
    "La présence de {students} à la session {term} n'a pas été confirmée avant la date "
    "limite du {deadline}. Des frais de confirmation tardive ont été facturés : {invoices}.\n"
    "Le montant s'ajoute à votre état de compte.\n\n"
    "{institution}"
)
LATE_FEE_KIND = "late-confirmation"


def _notify_families(
    uow: UnitOfWork, term: Term, charged: dict[int, list[tuple[str, str, Decimal]]]
) -> int:
    """Queue one message per family charged (to its payer's e-mail); how many were queued."""
    from babel.dates import format_date
    from babel.numbers import format_currency

    from registrar_tui.models import Guardian
    from registrar_tui.services.outbox.queue import queue_message
    from registrar_tui.services.staff.settings import institution_name

    assert term.confirmation_deadline is not None
    queued = 0
    for family_id, lines in charged.items():
        family = uow.session.get_one(Family, family_id)
        payer = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
        ).first()
        if payer is None or not payer.email:
            continue
        language = Language(family.language)
        locale = "en_CA" if language is Language.ENGLISH else "fr_CA"
        gettext = translations_for(str(language)).gettext
        invoices = ", ".join(
            f"{number} ({format_currency(amount, 'CAD', locale=locale)})"
            for _student, number, amount in lines
        )
        queue_message(
            uow,
            kind=LATE_FEE_KIND,
            family_id=family_id,
            recipient=payer.email,
            subject=gettext(_LATE_FEE_SUBJECT).format(term=term.code),
            body=gettext(_LATE_FEE_BODY).format(
                name=f"{payer.first_name} {payer.last_name}".strip(),
                students=", ".join(student for student, _number, _amount in lines),
                term=term.code,
                deadline=format_date(term.confirmation_deadline, "long", locale=locale),
                invoices=invoices,
                institution=institution_name(uow),
            ),
            language=language,
        )
        queued += 1
    return queued


def apply_late_confirmation_fees(uow: UnitOfWork, *, actor_id: int, term_code: str) -> LateFeeRun:
    """Bill the term's late-confirmation fee once to every student with an active enrolment
    whose attendance was not confirmed by the deadline: one invoice per student, to the
    student's family, and one message per family charged queued in the outbox (what
    `late_fee_preview` showed). Running it again bills nobody twice.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), NotFound (term,
    or no late-confirmation fee in its schedule), NoConfirmationDeadline, DeadlineNotPassed.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    term = _term(uow, term_code)
    deadline = term.confirmation_deadline
    if deadline is None:
        raise NoConfirmationDeadline(term=term.code)
    if local_date(uow.now()) <= deadline:
        from registrar_tui.services.core.errors import DayParam

        raise DeadlineNotPassed(term=term.code, deadline=DayParam(deadline))
    # One run at a time per term (PostgreSQL; SQLite writers are serialised already):
    # a concurrent run waits here and then sees the invoices of the first.
    lock_sequence_row(uow, f"late-fee:{term.code}")
    fee_fr = schedule_fee_of_kind(uow, require_id(term), FeeKind.LATE_CONFIRMATION)
    late = _late_students(uow, term)
    billed = _already_billed(uow, term, fee_fr.code)
    numbers: list[str] = []
    total = Decimal("0.00")
    charged: dict[int, list[tuple[str, str, Decimal]]] = {}
    for student_id in late:
        if student_id in billed:
            continue
        student = uow.session.get_one(Student, student_id)
        family = uow.session.get_one(Family, student.family_id)
        language = Language(family.language)
        fee = schedule_fee_of_kind(uow, require_id(term), FeeKind.LATE_CONFIRMATION, language)
        description = translations_for(str(language)).gettext(
            N_("Confirmation tardive — session {term}")
        )
        invoice = issue_invoice(
            uow,
            actor_id=actor_id,
            family_id=require_id(family),
            description=description.format(term=term.code),
            lines=[NewLine.of(fee)],
            due_on=max(term.payment_due_on, local_date(uow.now())),
            student_id=student_id,
            term_id=term.id,
            establishment_id=student.establishment_id,
            roles=SUPERVISORS,
            audit_context={"late_confirmation": True},
        )
        numbers.append(invoice.number)
        total += invoice.total
        charged.setdefault(require_id(family), []).append(
            (f"{student.first_name} {student.last_name}".strip(), invoice.number, invoice.total)
        )
    messages = 0
    if numbers:  # a run that bills nobody writes nothing at all
        messages = _notify_families(uow, term, charged)
        record_event(
            uow,
            actor_id,
            "fees.late_confirmation",
            "term",
            require_id(term),
            {},
            {"charged": len(numbers), "invoices": numbers, "messages": messages},
        )
    return LateFeeRun(
        term_code=term.code,
        charged=len(numbers),
        already_charged=len(late) - len(numbers),
        invoice_numbers=tuple(numbers),
        total=total,
        families=len(charged),
        messages=messages,
    )

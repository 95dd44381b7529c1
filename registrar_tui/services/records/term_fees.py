"""Term fees outside tuition: the late-confirmation fee job and the attendance certificate.

Both bill through `services/ledger/invoicing.py`, like tuition. The late-confirmation job is
idempotent: a student already billed the fee for the term is never billed again, even
by two runs at once (the second waits for the first's lock, then finds its invoices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _, format_money, ngettext, translations_for
from registrar_tui.models import (
    Course,
    Discipline,
    Enrolment,
    Family,
    FeeScheduleItem,
    Invoice,
    InvoiceLine,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.models.base import EnrolmentStatus, FeeKind, Language, Role, require_id
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError, MoneyParam, NotFound
from registrar_tui.services.documents.build import GeneratedPdf
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice, schedule_fee_of_kind

STAFF = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
"""A certificate is asked for at the counter: any staff member may invoice it."""
CERTIFICATE_ISSUE = "certificate.issue"
"""The audit action of a certificate handed over (the first one is the original)."""


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
    students.sort(key=lambda s: (_sort_key(s.family_name), _sort_key(s.student_name)))
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


def _sort_key(name: str) -> str:
    """Accents and case ignored: « Bédard » before « Boudreau »."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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


# --------------------------------------------------------------------------- certificates


class NotEnrolledThisTerm(DomainError):
    message = N_("L'élève ne suit aucun cours cette session : pas d'attestation possible.")


@dataclass(frozen=True)
class CertificateRequested:
    """The certificate's fee invoice; its number identifies the certificate."""

    student_id: int
    term_code: str
    invoice_id: int
    invoice_number: str
    fee: Decimal


def _term_disciplines(uow: UnitOfWork, student_id: int, term_id: int) -> list[Discipline]:
    return list(
        uow.session.exec(
            select(Discipline)
            .join(Course, col(Course.discipline_id) == col(Discipline.id))
            .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
            .where(
                col(Enrolment.student_id) == student_id,
                col(Course.term_id) == term_id,
                col(Enrolment.status) == EnrolmentStatus.ACTIVE,
            )
            .order_by(col(Discipline.name_fr))
        )
    )


class CertificateUnpaid(DomainError):
    message = N_("La facture {number} de l'attestation n'est pas payée (solde : {balance}).")


class CertificateCancelled(DomainError):
    message = N_("La facture {number} de l'attestation est annulée : demandez-en une autre.")


@dataclass(frozen=True)
class CertificateRequest:
    """A certificate billed for the term, as it stands: paid or not, issued or not."""

    invoice_id: int
    invoice_number: str
    fee: Decimal
    balance: Decimal
    issued: bool
    """The certificate was handed over at least once (a later issue is a copy)."""

    @property
    def is_paid(self) -> bool:
        return self.balance <= 0


@dataclass(frozen=True)
class CertificateStatus:
    """What the counter's certificate dialog shows for a student and the current term."""

    student_id: int
    family_id: int
    term_code: str | None
    fee: Decimal | None
    """The schedule's certificate fee (None: no current term or no such fee)."""
    enrolled: bool
    """The student takes a course this term (a certificate needs one)."""
    request: CertificateRequest | None
    """The term's latest certificate invoice that no credit note cancels."""


def _certificate_codes(uow: UnitOfWork, term_id: int | None) -> list[str]:
    return list(
        uow.session.exec(
            select(FeeScheduleItem.code).where(
                col(FeeScheduleItem.term_id) == term_id,
                col(FeeScheduleItem.kind) == FeeKind.CERTIFICATE,
            )
        )
    )


def _issued(uow: UnitOfWork, invoice_id: int) -> bool:
    from registrar_tui.models import AuditEvent

    return (
        uow.session.exec(
            select(AuditEvent.id).where(
                col(AuditEvent.action) == CERTIFICATE_ISSUE,
                col(AuditEvent.entity_type) == "invoice",
                col(AuditEvent.entity_id) == invoice_id,
            )
        ).first()
        is not None
    )


def certificate_status(uow: UnitOfWork, student_id: int) -> CertificateStatus:
    """The current term's certificate for the student: its fee, and the request already
    billed (paid or not, handed over or not). Refuses: NotFound (student)."""
    from registrar_tui.services.ledger.statement import invoice_figures
    from registrar_tui.services.records.students import current_term

    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    term = current_term(uow, local_date(uow.now()))
    if term is None or term.id is None:
        return CertificateStatus(student_id, student.family_id, None, None, False, None)
    try:
        fee: Decimal | None = schedule_fee_of_kind(uow, term.id, FeeKind.CERTIFICATE).amount
    except NotFound:
        fee = None
    invoice_ids = list(
        uow.session.exec(
            select(Invoice.id)
            .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
            .where(
                col(Invoice.student_id) == student_id,
                col(Invoice.term_id) == term.id,
                col(InvoiceLine.fee_code).in_(_certificate_codes(uow, term.id)),
            )
            .order_by(col(Invoice.id).desc())
        )
    )
    billed = tuple(invoice_id for invoice_id in invoice_ids if invoice_id is not None)
    open_requests = [  # (no id: invoice_figures would read every invoice)
        figures
        for figures in (invoice_figures(uow, invoice_ids=billed) if billed else [])
        if not figures.is_cancelled
    ]
    latest = max(open_requests, key=lambda figures: figures.invoice_id, default=None)
    request = None
    if latest is not None:
        request = CertificateRequest(
            invoice_id=latest.invoice_id,
            invoice_number=latest.number,
            fee=latest.kept,
            balance=latest.balance,
            issued=_issued(uow, latest.invoice_id),
        )
    return CertificateStatus(
        student_id=student_id,
        family_id=student.family_id,
        term_code=term.code,
        fee=fee,
        enrolled=bool(_term_disciplines(uow, student_id, term.id)),
        request=request,
    )


def request_certificate(uow: UnitOfWork, *, actor_id: int, student_id: int) -> CertificateRequested:
    """Invoice an attendance certificate for the current term (the schedule's certificate
    fee, due today). It is handed over by `issue_certificate`, once paid or when the clerk
    chooses not to wait; `certificate_pdf(invoice_id)` draws it.

    Refuses, writing nothing: PermissionDenied, NotFound (student, or no certificate fee in
    the schedule), NotEnrolledThisTerm (no current term, or no active course in it).
    """
    from registrar_tui.services.records.students import current_term

    active_staff(uow, actor_id, STAFF)
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Dossier d'élève introuvable."), field="student")
    today = local_date(uow.now())
    term = current_term(uow, today)
    if term is None or term.id is None or not _term_disciplines(uow, student_id, term.id):
        raise NotEnrolledThisTerm()
    family = uow.session.get_one(Family, student.family_id)
    language = Language(family.language)
    fee = schedule_fee_of_kind(uow, term.id, FeeKind.CERTIFICATE, language)
    description = translations_for(str(language)).gettext(
        N_("Attestation de fréquentation — session {term}")
    )
    invoice = issue_invoice(
        uow,
        actor_id=actor_id,
        family_id=require_id(family),
        description=description.format(term=term.code),
        lines=[NewLine.of(fee)],
        due_on=today,
        student_id=student_id,
        term_id=term.id,
        establishment_id=student.establishment_id,
        roles=STAFF,
        audit_context={"certificate": True},
    )
    return CertificateRequested(
        student_id, term.code, invoice.invoice_id, invoice.number, invoice.total
    )


def issue_certificate(
    uow: UnitOfWork, *, actor_id: int, invoice_id: int, before_payment: bool = False
) -> CertificateRequest:
    """Record that the certificate billed on this invoice is handed over (the caller then
    saves or prints `certificate_pdf(invoice_id)`). Normally once its fee is paid; the
    clerk may choose not to wait (`before_payment`).

    Refuses, writing nothing: PermissionDenied, NotFound (not a certificate's invoice),
    CertificateCancelled (a credit note cancels it), CertificateUnpaid (balance left and
    not `before_payment`).
    """
    from registrar_tui.services.ledger.statement import invoice_figures

    active_staff(uow, actor_id, STAFF)
    invoice = uow.session.get(Invoice, invoice_id)
    codes = _certificate_codes(uow, invoice.term_id if invoice else None)
    billed = uow.session.exec(
        select(InvoiceLine.id).where(
            col(InvoiceLine.invoice_id) == invoice_id, col(InvoiceLine.fee_code).in_(codes)
        )
    ).first()
    if invoice is None or billed is None:
        raise NotFound(N_("Attestation introuvable."))
    figures = invoice_figures(uow, invoice_ids=(invoice_id,))[0]
    if figures.is_cancelled:
        raise CertificateCancelled(number=invoice.number)
    if figures.balance > 0 and not before_payment:
        raise CertificateUnpaid(number=invoice.number, balance=MoneyParam(figures.balance))
    copy = _issued(uow, invoice_id)
    record_event(
        uow,
        actor_id,
        CERTIFICATE_ISSUE,
        "invoice",
        invoice_id,
        {},
        {
            "number": invoice.number,
            "student_id": invoice.student_id,
            "paid": figures.balance <= 0,
            "copy": copy,
        },
    )
    return CertificateRequest(
        invoice_id=invoice_id,
        invoice_number=invoice.number,
        fee=figures.kept,
        balance=figures.balance,
        issued=True,
    )


def certificate_pdf(
    uow: UnitOfWork, invoice_id: int, *, language: str | None = None
) -> GeneratedPdf:
    """The attendance certificate billed on this invoice, as a PDF in the family's language
    (or `language`), its French agreeing with the student's sex; saved like an invoice, under
    its number in `certificates/` (a copy, once handed over before, marked DUPLICATA).
    Refuses: NotFound (no such invoice, or not a certificate's)."""
    from registrar_tui.models import AuditEvent
    from registrar_tui.reports.certificate import CertificateDocument, render_certificate
    from registrar_tui.reports.documents import CopyKind
    from registrar_tui.services.documents.build import issuer_for
    from registrar_tui.services.ledger.receipts import establishment_view

    invoice = uow.session.get(Invoice, invoice_id)
    codes = uow.session.exec(
        select(FeeScheduleItem.code).where(
            col(FeeScheduleItem.term_id) == (invoice.term_id if invoice else None),
            col(FeeScheduleItem.kind) == FeeKind.CERTIFICATE,
        )
    ).all()
    billed = uow.session.exec(
        select(InvoiceLine.id).where(
            col(InvoiceLine.invoice_id) == invoice_id, col(InvoiceLine.fee_code).in_(codes)
        )
    ).first()
    if invoice is None or invoice.student_id is None or invoice.term_id is None or billed is None:
        raise NotFound(N_("Attestation introuvable."))
    student = uow.session.get_one(Student, invoice.student_id)
    term = uow.session.get_one(Term, invoice.term_id)
    family = uow.session.get_one(Family, student.family_id)
    handed_over = uow.session.exec(
        select(func.count(col(AuditEvent.id))).where(
            col(AuditEvent.action) == CERTIFICATE_ISSUE,
            col(AuditEvent.entity_type) == "invoice",
            col(AuditEvent.entity_id) == invoice_id,
        )
    ).one()
    is_copy = int(handed_over) > 1  # the first hand-over is the original
    chosen = language or str(family.language)
    english = chosen == Language.ENGLISH
    signer = uow.session.get(StaffUser, invoice.created_by_id) if invoice.created_by_id else None
    document = CertificateDocument(
        issuer=issuer_for(uow, establishment_view(uow, invoice.establishment_id)),
        certificate_number=invoice.number,
        issued_at=invoice.created_at,
        student_name=f"{student.first_name} {student.last_name}".strip(),
        student_number=student.student_number,
        code_permanent=student.code_permanent,
        birth_date=student.birth_date,
        term_code=term.code,
        term_starts_on=term.starts_on,
        term_ends_on=term.ends_on,
        disciplines=tuple(
            (d.name_en if english and d.name_en else d.name_fr)
            for d in _term_disciplines(uow, require_id(student), require_id(term))
        ),
        signed_by=signer.full_name if signer is not None else "",
        student_sex=str(student.sex) if student.sex is not None else None,
        is_copy=is_copy,
        language="en" if english else "fr_CA",
    )
    return GeneratedPdf(
        kind="certificate",
        filename=f"{invoice.number}.pdf",
        pdf=render_certificate(document),
        copy=CopyKind.DUPLICATE if is_copy else None,
    )

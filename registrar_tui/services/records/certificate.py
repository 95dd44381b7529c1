"""The attendance certificate (attestation de fréquentation): requested at the counter,
billed through `services/ledger/invoicing.py` like any term fee, paid, then handed over
(the first copy is the original, later ones say DUPLICATA)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, translations_for
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
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError, MoneyParam, NotFound
from registrar_tui.services.documents.build import GeneratedPdf
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice, schedule_fee_of_kind

STAFF = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
"""A certificate is asked for at the counter: any staff member may invoice it."""
CERTIFICATE_ISSUE = "certificate.issue"
"""The audit action of a certificate handed over (the first one is the original)."""


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
    from registrar_tui.services.ledger.posted_receipts import establishment_view

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

"""What the family portal reads about one family: statement, invoices, documents, PDFs.

The portal knows a family by its `Family.portal_id`, never by our ids; every document is
looked up within that family, so another family's receipt, invoice or attestation is
NotFound (the portal learns nothing about it, not even that it exists). The figures are
the counter's own (services/ledger), the PDFs the counter's own (services/documents),
in the family's language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    AuditEvent,
    Family,
    FeeScheduleItem,
    Invoice,
    InvoiceLine,
    Student,
)
from registrar_tui.models.base import FeeKind
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents.build import (
    GeneratedPdf,
    invoice_pdf,
    receipt_pdf,
    refund_receipt_pdf,
)
from registrar_tui.services.ledger.invoice_detail import InvoiceDetail, invoice_detail
from registrar_tui.services.ledger.receipt_list import ReceiptRow, family_receipts
from registrar_tui.services.ledger.statement import Statement, StatementLine, statement
from registrar_tui.services.records.certificate import CERTIFICATE_ISSUE, certificate_pdf

MSG_FAMILY_NOT_FOUND = N_("Aucune famille n'a l'identifiant de portail « {portal_id} ».")
MSG_DOCUMENT_NOT_FOUND = N_("Document « {number} » introuvable pour cette famille.")
RECEIPT_PAGE = 100
ZERO = Decimal("0.00")


class DocumentKind(enum.StrEnum):
    RECEIPT = "receipt"
    INVOICE = "invoice"
    CERTIFICATE = "certificate"
    TAX_SLIPS = "tax_slips"
    """A student's tax slips of one year (RL-8 and T2202), numbered `YEAR-STUDENTNUMBER`."""


@dataclass(frozen=True)
class PortalDocument:
    """One document the family may download: its kind, number, date and amount."""

    kind: DocumentKind
    number: str
    issued_on: date
    amount: Decimal
    """A receipt's amount (negative for a refund), an invoice's or certificate's total."""
    is_voided: bool = False


@dataclass(frozen=True)
class PortalDocuments:
    family_number: str
    documents: tuple[PortalDocument, ...]


_FAMILY_OF_PORTAL_ID = select(Family.id).where(col(Family.portal_id) == bindparam("portal_id"))
"""Built once (its cache key with it): every call of the portal's API asks for it."""


def portal_family_id(uow: UnitOfWork, portal_id: str) -> int:
    """The id of the family the portal calls `portal_id` (NotFound, field "portal_id")."""
    family_id = uow.session.exec(_FAMILY_OF_PORTAL_ID, params={"portal_id": portal_id}).first()
    if family_id is None:
        raise NotFound(MSG_FAMILY_NOT_FOUND, field="portal_id", portal_id=portal_id[:64])
    return family_id


def portal_invoice_id(uow: UnitOfWork, family_id: int, number: str, *, field: str) -> int:
    """The id of the family's invoice numbered `number` (NotFound naming `field`: no such
    invoice, or another family's)."""
    invoice_id = uow.session.exec(
        select(Invoice.id).where(col(Invoice.number) == number, col(Invoice.family_id) == family_id)
    ).first()
    if invoice_id is None:
        raise NotFound(MSG_DOCUMENT_NOT_FOUND, field=field, number=number[:32])
    return invoice_id


def portal_statement(uow: UnitOfWork, portal_id: str) -> Statement:
    """The family's statement of account (invoices, balances, credit, totals), as the
    counter shows it. Refuses NotFound (field "portal_id")."""
    return statement(uow, portal_family_id(uow, portal_id))


def _invoice_line(uow: UnitOfWork, family_id: int, number: str) -> StatementLine:
    for line in statement(uow, family_id).invoices:
        if line.number == number:
            return line
    raise NotFound(MSG_DOCUMENT_NOT_FOUND, field="number", number=number[:32])


def portal_invoice(uow: UnitOfWork, portal_id: str, number: str) -> InvoiceDetail:
    """One of the family's invoices with its lines and payments. Refuses NotFound (field
    "portal_id" for the family, "number" for an invoice that is not this family's)."""
    family_id = portal_family_id(uow, portal_id)
    return invoice_detail(uow, _invoice_line(uow, family_id, number).invoice_id)


def _receipts(uow: UnitOfWork, family_id: int) -> list[ReceiptRow]:
    rows: list[ReceiptRow] = []
    offset = 0
    while True:
        page = family_receipts(uow, family_id, offset=offset, limit=RECEIPT_PAGE).page
        rows.extend(page.rows)
        if not page.has_more:
            return rows
        offset += RECEIPT_PAGE


def _certificate_invoice_ids(uow: UnitOfWork, family_id: int) -> set[int]:
    """The family's certificate invoices already handed over at the counter."""
    billed = (
        select(Invoice.id)
        .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
        .join(
            FeeScheduleItem,
            (col(FeeScheduleItem.term_id) == col(Invoice.term_id))
            & (col(FeeScheduleItem.code) == col(InvoiceLine.fee_code)),
        )
        .where(
            col(Invoice.family_id) == family_id, col(FeeScheduleItem.kind) == FeeKind.CERTIFICATE
        )
    )
    issued = select(AuditEvent.entity_id).where(
        col(AuditEvent.action) == CERTIFICATE_ISSUE,
        col(AuditEvent.entity_type) == "invoice",
        col(AuditEvent.entity_id).in_(billed),
    )
    return {entity_id for entity_id in uow.session.exec(issued).all() if entity_id is not None}


def portal_documents(uow: UnitOfWork, portal_id: str) -> PortalDocuments:
    """The family's documents, newest first within each kind: receipts (payments and
    refunds), invoices, attestations handed over. Refuses NotFound (field "portal_id")."""
    family_id = portal_family_id(uow, portal_id)
    family = uow.session.get_one(Family, family_id)
    documents = [
        PortalDocument(
            DocumentKind.RECEIPT,
            row.receipt_number,
            local_date(row.issued_at),
            row.amount,
            row.is_voided,
        )
        for row in _receipts(uow, family_id)
    ]
    lines = statement(uow, family_id).invoices
    certificates = _certificate_invoice_ids(uow, family_id)
    for line in sorted(lines, key=lambda item: (item.issued_on, item.number), reverse=True):
        documents.append(
            PortalDocument(DocumentKind.INVOICE, line.number, line.issued_on, line.total)
        )
    for line in sorted(lines, key=lambda item: (item.issued_on, item.number), reverse=True):
        if line.invoice_id in certificates:
            documents.append(
                PortalDocument(DocumentKind.CERTIFICATE, line.number, line.issued_on, line.total)
            )
    documents.extend(_tax_slip_documents(uow, family_id))
    return PortalDocuments(family_number=family.family_number, documents=tuple(documents))


def _tax_slip_documents(uow: UnitOfWork, family_id: int) -> list[PortalDocument]:
    """One document per student and year with slips, newest year first; its amount is the
    eligible tuition of the current slips (0 once cancelled)."""
    from registrar_tui.models import SlipStatus, TaxSlip

    slips = list(uow.session.exec(select(TaxSlip).where(col(TaxSlip.family_id) == family_id)))
    replaced = {slip.amends_id for slip in slips}
    current: dict[tuple[int, int], TaxSlip] = {}
    for slip in slips:
        if slip.id in replaced:
            continue
        key = (slip.year, slip.student_id)
        if key not in current or slip.kind.value < current[key].kind.value:
            current[key] = slip
    numbers = {
        student_id: number
        for student_id, number in uow.session.exec(
            select(Student.id, Student.student_number).where(col(Student.family_id) == family_id)
        )
    }
    return [
        PortalDocument(
            DocumentKind.TAX_SLIPS,
            f"{year}-{numbers[student_id]}",
            local_date(slip.built_at),
            ZERO if slip.status == SlipStatus.CANCELLED else slip.eligible_tuition,
            slip.status == SlipStatus.CANCELLED,
        )
        for (year, student_id), slip in sorted(
            current.items(), key=lambda item: (-item[0][0], item[0][1])
        )
    ]


def _tax_slips_pdf(uow: UnitOfWork, family_id: int, number: str) -> GeneratedPdf:
    from registrar_tui.services.tax_slips.documents import student_slips_pdf

    year_text, _dash, student_number = number.partition("-")
    student_id = uow.session.exec(
        select(Student.id).where(
            col(Student.family_id) == family_id, col(Student.student_number) == student_number
        )
    ).first()
    if not year_text.isdigit() or student_id is None:
        raise NotFound(MSG_DOCUMENT_NOT_FOUND, field="number", number=number[:32])
    try:
        return student_slips_pdf(uow, student_id, int(year_text))
    except NotFound:
        raise NotFound(MSG_DOCUMENT_NOT_FOUND, field="number", number=number[:32]) from None


def portal_document_pdf(
    uow: UnitOfWork, portal_id: str, kind: DocumentKind, number: str
) -> GeneratedPdf:
    """One of the family's documents as the counter prints it (a reprint: DUPLICATA, or
    ANNULÉ for a voided payment), in the family's language. Refuses NotFound (field
    "portal_id" for the family, "number" for a document that is not this family's)."""
    family_id = portal_family_id(uow, portal_id)
    if kind is DocumentKind.RECEIPT:
        for row in _receipts(uow, family_id):
            if row.receipt_number != number:
                continue
            if row.payment_id is not None:
                return receipt_pdf(uow, row.payment_id)
            if row.refund_id is not None:
                return refund_receipt_pdf(uow, row.refund_id)
        raise NotFound(MSG_DOCUMENT_NOT_FOUND, field="number", number=number[:32])
    if kind is DocumentKind.TAX_SLIPS:
        return _tax_slips_pdf(uow, family_id, number)
    line = _invoice_line(uow, family_id, number)
    if kind is DocumentKind.INVOICE:
        return invoice_pdf(uow, line.invoice_id)
    if line.invoice_id not in _certificate_invoice_ids(uow, family_id):
        raise NotFound(MSG_DOCUMENT_NOT_FOUND, field="number", number=number[:32])
    return certificate_pdf(uow, line.invoice_id)

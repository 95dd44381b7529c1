"""A family as the portal shows it: statement, an invoice, the documents and their PDFs.

The family is named by its portal id; a document that is not this family's is 404.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from registrar_tui.api.auth import database_of, signed_caller
from registrar_tui.api.errors import ErrorBody
from registrar_tui.db import Database
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.interchange.portal_documents import (
    DocumentKind,
    portal_document_pdf,
    portal_documents,
    portal_invoice,
    portal_statement,
)
from registrar_tui.services.ledger.plans import PlanView
from registrar_tui.services.ledger.statement import InvoiceState
from registrar_tui.services.staff.api_clients import ApiCaller

PortalId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
DocumentNumber = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
REFUSALS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody} for status in (401, 404, 413, 422, 429)
}

router = APIRouter(prefix="/v1/families/{portal_id}", tags=["families"], responses=REFUSALS)


class StatementInvoice(BaseModel):
    number: str
    term_code: str | None
    student_name: str | None
    description: str
    issued_on: date
    due_on: date
    total: Decimal
    paid: Decimal
    balance: Decimal
    state: InvoiceState


class PlanInstalmentOut(BaseModel):
    sequence: int
    due_on: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    is_overdue: bool


class PaymentPlanOut(BaseModel):
    """The family's active payment plan: payments reduce the earliest instalment first."""

    made_on: date
    balance: Decimal
    paid: Decimal
    outstanding: Decimal
    instalments: list[PlanInstalmentOut]


class StatementOut(BaseModel):
    family_number: str
    as_of: date
    invoices: list[StatementInvoice]
    total_billed: Decimal
    total_paid: Decimal
    total_due: Decimal
    overdue: Decimal
    credit: Decimal
    net_balance: Decimal
    payment_plan: PaymentPlanOut | None = None
    """The active payment plan (échéancier) and its instalments; null without one."""


class InvoiceLineOut(BaseModel):
    position: int
    fee_code: str
    description: str
    amount: Decimal
    is_voluntary: bool
    is_declined: bool


class InvoicePaymentOut(BaseModel):
    receipt_number: str | None
    received_on: date
    method: str
    amount: Decimal
    is_voided: bool


class InvoiceOut(BaseModel):
    number: str
    student_name: str | None
    term_code: str | None
    description: str
    issued_on: date
    due_on: date
    lines: list[InvoiceLineOut]
    payments: list[InvoicePaymentOut]
    total: Decimal
    paid: Decimal
    balance: Decimal
    state: InvoiceState


class DocumentOut(BaseModel):
    kind: DocumentKind
    number: str
    issued_on: date
    amount: Decimal
    is_voided: bool
    pdf: str
    """The document's PDF, relative to the API's root."""


class DocumentsOut(BaseModel):
    family_number: str
    documents: list[DocumentOut]


PDF_FOLDERS = {
    DocumentKind.RECEIPT: "receipts",
    DocumentKind.INVOICE: "invoices",
    DocumentKind.CERTIFICATE: "certificates",
    DocumentKind.TAX_SLIPS: "tax-slips",
}
PDF_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF document."}
}


@router.get("/statement", response_model=StatementOut, summary="The family's statement")
def get_statement(
    portal_id: PortalId,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> StatementOut:
    """Invoices with their balances (oldest due first), credit and totals, as at the counter."""
    with database.read() as uow:
        found = portal_statement(uow, portal_id)
    return StatementOut(
        family_number=found.family_number,
        as_of=found.as_of,
        invoices=[
            StatementInvoice(
                number=line.number,
                term_code=line.term_code,
                student_name=line.student_name,
                description=line.description,
                issued_on=line.issued_on,
                due_on=line.due_on,
                total=line.total,
                paid=line.paid,
                balance=line.balance,
                state=line.state,
            )
            for line in found.invoices
        ],
        total_billed=found.total_billed,
        total_paid=found.total_paid,
        total_due=found.total_due,
        overdue=found.overdue,
        credit=found.credit,
        net_balance=found.net_balance,
        payment_plan=None if found.plan is None else _plan_out(found.plan),
    )


def _plan_out(plan: PlanView) -> PaymentPlanOut:
    return PaymentPlanOut(
        made_on=plan.made_on,
        balance=plan.balance,
        paid=plan.paid,
        outstanding=plan.outstanding,
        instalments=[
            PlanInstalmentOut(
                sequence=line.sequence,
                due_on=line.due_on,
                amount=line.amount,
                paid=line.paid,
                outstanding=line.outstanding,
                is_overdue=line.is_overdue,
            )
            for line in plan.instalments
        ],
    )


@router.get("/invoices/{number}", response_model=InvoiceOut, summary="One invoice")
def get_invoice(
    portal_id: PortalId,
    number: DocumentNumber,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> InvoiceOut:
    """An invoice of the family: its lines, the payments allocated to it, its balance."""

    with database.read() as uow:
        detail = portal_invoice(uow, portal_id, number)
    return InvoiceOut(
        number=detail.number,
        student_name=detail.student_name,
        term_code=detail.term_code,
        description=detail.description,
        issued_on=detail.issued_on,
        due_on=detail.due_on,
        lines=[
            InvoiceLineOut(
                position=line.position,
                fee_code=line.fee_code,
                description=line.description,
                amount=line.amount,
                is_voluntary=line.is_voluntary,
                is_declined=line.is_declined,
            )
            for line in detail.lines
        ],
        payments=[
            InvoicePaymentOut(
                receipt_number=payment.receipt_number,
                received_on=local_date(payment.received_at),
                method=payment.method,
                amount=payment.amount,
                is_voided=payment.is_voided,
            )
            for payment in detail.payments
        ],
        total=detail.total,
        paid=detail.paid,
        balance=detail.balance,
        state=detail.state,
    )


@router.get("/documents", response_model=DocumentsOut, summary="The family's documents")
def get_documents(
    portal_id: PortalId,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> DocumentsOut:
    """Receipts (payments and refunds), invoices, attestations handed over and tax slips
    (one document per student and year: RL-8 and T2202), each with the address of its PDF."""
    with database.read() as uow:
        found = portal_documents(uow, portal_id)
    return DocumentsOut(
        family_number=found.family_number,
        documents=[
            DocumentOut(
                kind=document.kind,
                number=document.number,
                issued_on=document.issued_on,
                amount=document.amount,
                is_voided=document.is_voided,
                pdf=f"/v1/families/{portal_id}/documents/{PDF_FOLDERS[document.kind]}/"
                f"{document.number}.pdf",
            )
            for document in found.documents
        ],
    )


def _pdf(database: Database, portal_id: str, kind: DocumentKind, number: str) -> Response:
    with database.read() as uow:
        document = portal_document_pdf(uow, portal_id, kind, number)
    return Response(
        content=document.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{document.filename}"'},
    )


@router.get(
    "/documents/receipts/{number}.pdf",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="A receipt as PDF",
)
def get_receipt_pdf(
    portal_id: PortalId,
    number: DocumentNumber,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> Response:
    """The receipt as the counter reprints it (DUPLICATA; ANNULÉ once voided)."""
    return _pdf(database, portal_id, DocumentKind.RECEIPT, number)


@router.get(
    "/documents/invoices/{number}.pdf",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="An invoice as PDF",
)
def get_invoice_pdf(
    portal_id: PortalId,
    number: DocumentNumber,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> Response:
    """The invoice as it stands (lines, payments, balance)."""
    return _pdf(database, portal_id, DocumentKind.INVOICE, number)


@router.get(
    "/documents/certificates/{number}.pdf",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="An attestation as PDF",
)
def get_certificate_pdf(
    portal_id: PortalId,
    number: DocumentNumber,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> Response:
    """An attestation of attendance already handed over at the counter (its invoice's
    number names it)."""
    return _pdf(database, portal_id, DocumentKind.CERTIFICATE, number)


@router.get(
    "/documents/tax-slips/{number}.pdf",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="A student's tax slips of a year as PDF",
)
def get_tax_slips_pdf(
    portal_id: PortalId,
    number: DocumentNumber,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> Response:
    """The student's current Relevé 8 and T2202 of the year (`YEAR-STUDENTNUMBER`), in the
    family's language."""
    return _pdf(database, portal_id, DocumentKind.TAX_SLIPS, number)


class StudentSinIn(BaseModel):
    social_insurance_number: str = Field(min_length=1, max_length=20)
    """Nine digits; spaces, dashes and dots allowed. Never echoed back."""


class StudentSinOut(BaseModel):
    student_number: str
    social_insurance_number: str
    """Masked: `*** *** 544`."""


@router.put(
    "/students/{student_number}/social-insurance-number",
    response_model=StudentSinOut,
    summary="Send a student's social insurance number (for the tax slips)",
)
def put_student_sin(
    portal_id: PortalId,
    student_number: Annotated[str, Path(min_length=1, max_length=9, pattern=r"^[0-9]+$")],
    body: StudentSinIn,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> StudentSinOut:
    """Store the number the family typed (Luhn-checked), audited with the portal's account;
    the answer shows it masked. Sending the same number again changes nothing."""
    from registrar_tui.services.tax_slips.portal import portal_set_student_sin

    with database.write() as uow:
        masked = portal_set_student_sin(
            uow, caller.staff_user_id, portal_id, student_number, body.social_insurance_number
        )
    return StudentSinOut(student_number=student_number, social_insurance_number=masked)

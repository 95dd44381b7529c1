"""The PDF documents, built from the database: receipts, invoices, statements, day closes.

Each function reads what its document shows through the billing services, maps it into the
plain dataclasses of `reports/documents.py` and renders it (reportlab is imported only
here, when a document is asked for). Nothing is written: saving, printing and e-mailing
are `services/documents/output.py` and `services/outbox/queue.py`, after the reading
transaction ended.

`language=None` means the family's own language: a receipt is handed to the family, in
its language, whatever the clerk's screen shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Allocation,
    AppSetting,
    AuditEvent,
    Establishment,
    Family,
    Guardian,
    Invoice,
    Payment,
    PaymentVoid,
    Receipt,
    Refund,
    StaffUser,
    Student,
)
from registrar_tui.models.base import Language, PaymentMethod, StudentStatus
from registrar_tui.reports.documents import (
    CopyKind,
    DocumentLanguage,
    InvoiceDocument,
    InvoiceLineRow,
    InvoicePaymentRow,
    InvoiceState,
    Issuer,
    ReceiptAllocationRow,
    ReceiptDocument,
    ReceiptKind,
    StatementDocument,
    StatementInstalmentRow,
    StatementRow,
)
from registrar_tui.reports.documents import PaymentMethod as DocumentMethod
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import from_cents
from registrar_tui.services.documents.output import ReceiptFormat
from registrar_tui.services.ledger.invoice_detail import invoice_detail
from registrar_tui.services.ledger.posted_receipts import (
    EstablishmentView,
    PostedPayment,
    allocation_lines,
    payment_receipt,
)
from registrar_tui.services.ledger.receipts import POST_ACTION
from registrar_tui.services.ledger.statement import (
    family_credit,
    family_credit_value,
    family_due_value,
    family_or_not_found,
    invoice_figures,
    statement,
)
from registrar_tui.services.staff.settings import INSTITUTION_NAME, institution_name

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class GeneratedPdf:
    """A rendered document and the file name it is saved under."""

    kind: str  # "receipt", "invoice", "statement", "certificate", "day-close", "transcript"…
    filename: str  # "MTL-2026-000123.pdf"
    pdf: bytes
    copy: CopyKind | None = None  # receipts (and a certificate handed over again)


def _language(uow: UnitOfWork, family_id: int | None, language: str | None) -> DocumentLanguage:
    if language is None and family_id is not None:
        family = uow.session.get(Family, family_id)
        language = str(family.language) if family is not None else None
    return "en" if language == Language.ENGLISH else "fr_CA"


def issuer_for(
    uow: UnitOfWork, establishment: EstablishmentView, institution: str | None = None
) -> Issuer:
    """The issuer printed on a document; `institution`: the institution's name if it was
    read already ("" when not set)."""
    if institution is None:
        institution = institution_name(uow)
    return Issuer(
        institution_name=institution or establishment.name,
        establishment_name=establishment.name,
        establishment_code=establishment.code,
        address_line=establishment.address_line,
        city=establishment.city,
        province=establishment.province,
        postal_code=establishment.postal_code,
        phone=establishment.phone,
        email=establishment.email,
    )


def _issuer_of(uow: UnitOfWork, establishment_id: int) -> Issuer:
    from registrar_tui.services.ledger.posted_receipts import establishment_view

    return issuer_for(uow, establishment_view(uow, establishment_id))


def _billing(uow: UnitOfWork, family_id: int) -> tuple[str | None, tuple[str, ...]]:
    """The payer's name and postal address, as printed under "Facturé à"."""
    payer = uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
    ).first()
    if payer is None:
        return None, ()
    city_line = " ".join(part for part in (payer.city, payer.province, payer.postal_code) if part)
    address = tuple(part for part in (payer.address_line, city_line) if part)
    return f"{payer.first_name} {payer.last_name}".strip(), address


# --------------------------------------------------------------------------- receipts


def payment_reference(payment_id: int) -> str:
    """A payment's transaction reference: the same on every copy of its receipt, and
    never a receipt number (those follow the paying site: `MTL-2026-000123`)."""
    return f"TX-P{payment_id:08d}"


def refund_reference(refund_id: int) -> str:
    """A refund's transaction reference (see `payment_reference`)."""
    return f"TX-R{refund_id:08d}"


def _student_numbers(uow: UnitOfWork, family_id: int, payment_id: int | None) -> tuple[str, ...]:
    """The numbers of the students a payment paid for; without any (family credit, a
    refund), the family's active students'."""
    if payment_id is not None:
        paid_for = uow.session.exec(
            select(Student.student_number)
            .join(Invoice, col(Invoice.student_id) == col(Student.id))
            .join(Allocation, col(Allocation.invoice_id) == col(Invoice.id))
            .where(col(Allocation.payment_id) == payment_id)
            .distinct()
            .order_by(col(Student.student_number))
        ).all()
        if paid_for:
            return tuple(paid_for)
    return tuple(
        uow.session.exec(
            select(Student.student_number)
            .where(
                col(Student.family_id) == family_id,
                col(Student.status) == StudentStatus.ACTIVE,
            )
            .order_by(col(Student.student_number))
        ).all()
    )


def _family_balance(uow: UnitOfWork, family_id: int) -> Decimal:
    """What the family owes now: its open invoices less its credit, never below zero (the
    statement's net balance, from its two sums: not the whole statement)."""
    due = sum(
        (figures.balance for figures in invoice_figures(uow, family_id=family_id)
         if not figures.is_cancelled),
        ZERO,
    )  # fmt: skip
    return max(due - family_credit(uow, family_id), ZERO)


_SEPARATOR = "\x1f"
"""Between student numbers aggregated in one string (a control character: none holds it)."""


def _numbers(aggregated: str | None) -> tuple[str, ...]:
    """Student numbers aggregated by the database: each once, in order."""
    return tuple(sorted(set(aggregated.split(_SEPARATOR)))) if aggregated else ()


def _receipt_figures(family: Any, payment: Any) -> tuple[Any, ...]:
    """What a receipt shows besides its payment, as SQL expressions of the family's and the
    payment's ids: the institution's name; the students paid for, and the family's active
    ones (printed when it paid for none), each as one string; what the family owes and its
    credit."""
    return (
        select(AppSetting.value).where(col(AppSetting.key) == INSTITUTION_NAME).scalar_subquery(),
        select(func.aggregate_strings(col(Student.student_number), _SEPARATOR))
        .join(Invoice, col(Invoice.student_id) == col(Student.id))
        .join(Allocation, col(Allocation.invoice_id) == col(Invoice.id))
        .where(col(Allocation.payment_id) == payment)
        .scalar_subquery(),
        select(func.aggregate_strings(col(Student.student_number), _SEPARATOR))
        .where(col(Student.family_id) == family, col(Student.status) == StudentStatus.ACTIVE)
        .scalar_subquery(),
        family_due_value(family),
        family_credit_value(family),
    )


_VOIDER = aliased(StaffUser)
_CLERK = aliased(StaffUser)
# One row: the payment with its receipt, family, clerk, site, payer, void, the credit it
# left (its audit event) and the institution's name. What `payment_receipt` reads in
# nine statements; built once (building a statement costs more than running it); columns,
# not mapped objects (building those cost more than the rest of the reading).
_PAYMENT_COLUMNS = (
    col(Payment.received_at),
    col(Payment.establishment_id),
    col(Payment.family_id),
    col(Payment.clerk_id),
    col(Payment.method),
    col(Payment.amount),
    col(Payment.tendered),
    col(Payment.change),
    col(Payment.card_brand),
    col(Payment.card_last4),
    col(Payment.authorization_number),
    col(Payment.cheque_number),
    col(Payment.cheque_bank),
    col(Payment.processor_transaction_id),
    col(Payment.paid_at),
)
_SITE_COLUMNS = (
    col(Establishment.code),
    col(Establishment.name),
    col(Establishment.address_line),
    col(Establishment.city),
    col(Establishment.province),
    col(Establishment.postal_code),
    col(Establishment.phone),
    col(Establishment.email),
)
_RECEIPT_HEAD = (
    sa_select(
        *_PAYMENT_COLUMNS,
        *_SITE_COLUMNS,
        col(Receipt.id),
        col(Receipt.number),
        col(Receipt.hash),
        col(Family.name),
        col(Family.family_number),
        col(Family.language),
        col(_CLERK.full_name),
        col(Guardian.first_name),
        col(Guardian.last_name),
        col(PaymentVoid.id),
        col(PaymentVoid.reason),
        col(PaymentVoid.voided_at),
        col(_VOIDER.full_name),
        select(AuditEvent.after_json)
        .where(
            col(AuditEvent.entity_type) == "payment",
            col(AuditEvent.entity_id) == col(Payment.id),
            col(AuditEvent.action) == POST_ACTION,
        )
        .limit(1)
        .correlate(Payment)
        .scalar_subquery(),
        *_receipt_figures(col(Family.id), col(Payment.id)),
    )
    .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
    .join(Family, col(Family.id) == col(Payment.family_id))
    .join(_CLERK, col(_CLERK.id) == col(Payment.clerk_id))
    .join(Establishment, col(Establishment.id) == col(Payment.establishment_id))
    .outerjoin(Guardian, and_(col(Guardian.family_id) == col(Family.id), col(Guardian.is_payer)))
    .outerjoin(PaymentVoid, col(PaymentVoid.payment_id) == col(Payment.id))
    .outerjoin(_VOIDER, col(_VOIDER.id) == col(PaymentVoid.voided_by_id))
    .where(col(Payment.id) == bindparam("payment_id"))
    .limit(1)
)


@dataclass(frozen=True)
class _ReceiptRead:
    posted: PostedPayment
    institution: str
    """The institution's name ("" when not set)."""
    family_language: str
    student_numbers: tuple[str, ...] | None = None
    family_balance: Decimal | None = None
    """Read with the payment (None: read by `receipt_document`)."""


def _family_language(uow: UnitOfWork, posted: PostedPayment) -> str:
    family = uow.session.get(Family, posted.family_id)
    return str(family.language) if family is not None else ""


def _read_receipt(uow: UnitOfWork, payment_id: int) -> _ReceiptRead:
    """What `payment_receipt` returns, plus the institution's name and the family's
    language, in two statements (the head row, the invoices paid). A payment whose audit
    event does not say the credit it left (none such is written today) is read the long
    way. Refuses an unknown payment with NotFound."""
    row = uow.execute(_RECEIPT_HEAD, {"payment_id": payment_id}).first()
    if row is None:  # unknown: NotFound from the long way
        posted = payment_receipt(uow, payment_id)
        return _ReceiptRead(posted, institution_name(uow), _family_language(uow, posted))
    payment = row[: len(_PAYMENT_COLUMNS)]
    site = row[len(_PAYMENT_COLUMNS) : len(_PAYMENT_COLUMNS) + len(_SITE_COLUMNS)]
    (receipt_id, number, receipt_hash, family_name, family_number, language, clerk_name,
     payer_first, payer_last, void_id, void_reason, voided_at, voider, after_json,
     institution, paid_for, active, due, credit) = row[len(payment) + len(site) :]  # fmt: skip
    (received_at, establishment_id, family_id, clerk_id, method, amount, tendered, change,
     card_brand, card_last4, authorization_number, cheque_number, cheque_bank,
     processor_transaction_id, paid_at) = payment  # fmt: skip
    recorded = json.loads(after_json).get("credit_created_cents") if after_json else None
    if not isinstance(recorded, int):
        posted = payment_receipt(uow, payment_id)
        return _ReceiptRead(posted, institution or "", str(language))
    is_voided = void_id is not None
    posted = PostedPayment(
        payment_id=payment_id,
        receipt_id=receipt_id,
        receipt_number=number,
        receipt_hash=receipt_hash,
        received_at=received_at,
        establishment=EstablishmentView(establishment_id, *site),
        family_id=family_id,
        family_name=family_name,
        family_number=family_number,
        payer_name=f"{payer_first} {payer_last}" if payer_first is not None else None,
        clerk_id=clerk_id,
        clerk_name=clerk_name,
        method=method,
        amount=amount,
        amount_tendered=tendered,
        change_due=change,
        card_brand=card_brand,
        card_last4=card_last4,
        authorization_number=authorization_number,
        cheque_number=cheque_number,
        cheque_bank=cheque_bank,
        allocations=allocation_lines(uow, payment_id),
        credit_created=from_cents(recorded),
        family_credit_after=None,
        is_voided=is_voided,
        void_reason=void_reason if is_voided else None,
        voided_at=voided_at if is_voided else None,
        voided_by=voider,
        processor_transaction_id=processor_transaction_id,
        paid_at=None if paid_at is None else as_utc(paid_at),
    )
    return _ReceiptRead(
        posted,
        institution or "",
        str(language),
        # As `_student_numbers` and `_family_balance` read them.
        student_numbers=_numbers(paid_for) or _numbers(active),
        family_balance=max(due - credit, ZERO),
    )


def receipt_document(
    uow: UnitOfWork,
    posted: PostedPayment,
    *,
    copy: CopyKind | None = None,
    language: str | None = None,
    institution: str | None = None,
    family_language: str | None = None,
    student_numbers: tuple[str, ...] | None = None,
    family_balance: Decimal | None = None,
) -> ReceiptDocument:
    """The receipt of a payment. `copy=None`: a reprint, DUPLICATA, or ANNULÉ once voided.
    `institution`, `family_language`, `student_numbers` and `family_balance`: read
    already with the payment (else read here)."""
    if language is None:
        language = family_language
    if copy is None:
        copy = CopyKind.VOIDED if posted.is_voided else CopyKind.DUPLICATE
    is_cash = posted.method is PaymentMethod.CASH
    return ReceiptDocument(
        issuer=issuer_for(uow, posted.establishment, institution),
        receipt_number=posted.receipt_number,
        issued_at=posted.received_at,
        family_name=posted.family_name,
        family_number=posted.family_number,
        amount=posted.amount,
        method=DocumentMethod(posted.method),
        clerk_name=posted.clerk_name,
        allocations=tuple(
            ReceiptAllocationRow(
                invoice_number=line.invoice_number,
                description=line.description,
                amount_applied=line.amount,
                balance_after=line.balance_after,
                student_name=line.student_name,
                term_code=line.term_code,
            )
            for line in posted.allocations
        ),
        payer_name=posted.payer_name,
        card_brand=posted.card_brand,
        card_last4=posted.card_last4,
        authorization_number=posted.authorization_number,
        cheque_number=posted.cheque_number,
        cheque_bank=posted.cheque_bank,
        amount_tendered=posted.amount_tendered if is_cash else None,
        change_due=posted.change_due if is_cash else None,
        credit_added=posted.credit_created,
        family_credit_after=posted.family_credit_after,
        copy_kind=copy,
        printed_at=uow.now() if copy is not CopyKind.ORIGINAL else None,
        void_reason=posted.void_reason if copy is CopyKind.VOIDED else None,
        voided_at=posted.voided_at if copy is CopyKind.VOIDED else None,
        voided_by=posted.voided_by if copy is CopyKind.VOIDED else None,
        chain_hash=posted.receipt_hash,
        student_numbers=(
            _student_numbers(uow, posted.family_id, posted.payment_id)
            if student_numbers is None
            else student_numbers
        ),
        transaction_reference=payment_reference(posted.payment_id),
        family_balance=(
            _family_balance(uow, posted.family_id) if family_balance is None else family_balance
        ),
        balance_as_of=uow.now(),
        language=_language(uow, posted.family_id, language),
        processor_transaction_id=posted.processor_transaction_id,
        paid_at=posted.paid_at,
    )


def render_receipt_as(document: ReceiptDocument, receipt_format: ReceiptFormat) -> bytes:
    """The receipt on a Letter page, or on an 80 mm roll."""
    if receipt_format is ReceiptFormat.ROLL:
        from registrar_tui.reports.receipt_roll import render_roll_receipt

        return render_roll_receipt(document)
    from registrar_tui.reports.receipt import render_receipt

    return render_receipt(document)


@dataclass(frozen=True)
class ReceiptToRender:
    """A payment's receipt as read in a transaction, rendered once it has ended: its name
    and copy are known before its PDF (`document_path` needs nothing else)."""

    filename: str  # "MTL-2026-000123.pdf"
    document: ReceiptDocument
    kind: str = "receipt"

    @property
    def copy(self) -> CopyKind:
        return self.document.copy_kind

    def render(self, receipt_format: ReceiptFormat = ReceiptFormat.LETTER) -> GeneratedPdf:
        """The PDF, on a Letter page or an 80 mm roll (reads nothing)."""
        return GeneratedPdf(
            kind=self.kind,
            filename=self.filename,
            pdf=render_receipt_as(self.document, receipt_format),
            copy=self.copy,
        )


def read_receipt_pdf(
    uow: UnitOfWork,
    payment_id: int,
    *,
    copy: CopyKind | None = None,
    language: str | None = None,
) -> ReceiptToRender:
    """What `receipt_pdf` reads, not yet rendered (`ReceiptToRender.render`, after the
    transaction). Refuses an unknown payment with NotFound."""
    read = _read_receipt(uow, payment_id)
    posted = read.posted
    if posted.is_voided:
        copy = CopyKind.VOIDED
    document = receipt_document(
        uow,
        posted,
        copy=copy,
        language=language,
        institution=read.institution,
        family_language=read.family_language,
        student_numbers=read.student_numbers,
        family_balance=read.family_balance,
    )
    return ReceiptToRender(filename=f"{posted.receipt_number}.pdf", document=document)


RECEIPT_EXTRAS: tuple[Any, ...] = (
    select(Family.language).where(col(Family.id) == bindparam("receipt_family")).scalar_subquery(),
    *_receipt_figures(bindparam("receipt_family"), bindparam("receipt_payment")),
)
"""The family's language and `_receipt_figures`, for the family and the payment given as
parameters (`receipt_family`, `receipt_payment`): columns to read alone or with another
statement's (the handover reads them with its claim)."""
_RECEIPT_EXTRAS = sa_select(*RECEIPT_EXTRAS)


def posted_receipt_pdf(
    uow: UnitOfWork, posted: PostedPayment, extras: Sequence[Any] | None = None
) -> ReceiptToRender:
    """The original receipt of a payment `post_payment` has just answered with, as
    `read_receipt_pdf` would read it back, without reading back the payment: only what the
    receipt shows besides (`RECEIPT_EXTRAS`: read here unless given). Rendered after the
    transaction."""
    if extras is None:
        params = {"receipt_family": posted.family_id, "receipt_payment": posted.payment_id}
        extras = uow.execute(_RECEIPT_EXTRAS, params).one()
    language, institution, paid_for, active, due, credit = extras
    # As read back: the credit left after the payment is not printed (`_read_receipt`).
    payment = replace(posted, family_credit_after=None, replayed=False)
    document = receipt_document(
        uow,
        payment,
        copy=CopyKind.VOIDED if posted.is_voided else CopyKind.ORIGINAL,
        institution=institution or "",
        family_language=str(language),
        student_numbers=_numbers(paid_for) or _numbers(active),
        family_balance=max(due - credit, ZERO),
    )
    return ReceiptToRender(filename=f"{posted.receipt_number}.pdf", document=document)


def receipt_pdf(
    uow: UnitOfWork,
    payment_id: int,
    *,
    copy: CopyKind | None = None,
    language: str | None = None,
    receipt_format: ReceiptFormat = ReceiptFormat.LETTER,
) -> GeneratedPdf:
    """The PDF receipt of a payment: ORIGINAL right after posting, else a reprint; on a
    Letter page, or on an 80 mm roll (`receipt_format`, the counter terminal's choice).

    A reprint is marked DUPLICATA, or ANNULÉ with the reason when the payment was voided
    (whatever `copy` asks: a voided payment never prints as a plain copy).
    Refuses an unknown payment with NotFound.
    """
    read = read_receipt_pdf(uow, payment_id, copy=copy, language=language)
    return read.render(receipt_format)


def refund_receipt_pdf(
    uow: UnitOfWork,
    refund_id: int,
    *,
    copy: CopyKind | None = None,
    language: str | None = None,
    receipt_format: ReceiptFormat = ReceiptFormat.LETTER,
) -> GeneratedPdf:
    """The receipt of family credit given back (cash or cheque) with its reason, on a
    Letter page or an 80 mm roll (`receipt_format`).

    `copy=None` is a reprint (DUPLICATA). Refuses an unknown refund with NotFound.
    """
    from registrar_tui.services.ledger.posted_receipts import establishment_view

    refund = uow.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(N_("Remboursement introuvable."))
    receipt = uow.session.exec(select(Receipt).where(col(Receipt.refund_id) == refund_id)).one()
    family = uow.session.get(Family, refund.family_id)
    clerk = uow.session.get(StaffUser, refund.refunded_by_id)
    assert family is not None and clerk is not None
    payer_name, _address = _billing(uow, refund.family_id)
    copy = copy or CopyKind.DUPLICATE
    document = ReceiptDocument(
        issuer=issuer_for(uow, establishment_view(uow, refund.establishment_id)),
        receipt_number=receipt.number,
        issued_at=receipt.issued_at,
        family_name=family.name,
        family_number=family.family_number,
        amount=refund.amount,
        method=DocumentMethod(str(refund.method)),
        clerk_name=clerk.full_name,
        payer_name=payer_name,
        cheque_number=refund.cheque_number,
        kind=ReceiptKind.REFUND,
        refund_reason=refund.reason,
        copy_kind=copy,
        printed_at=uow.now() if copy is not CopyKind.ORIGINAL else None,
        chain_hash=receipt.hash,
        student_numbers=_student_numbers(uow, refund.family_id, None),
        transaction_reference=refund_reference(refund_id),
        family_balance=_family_balance(uow, refund.family_id),
        balance_as_of=uow.now(),
        language=_language(uow, refund.family_id, language),
    )
    return GeneratedPdf(
        kind="receipt",
        filename=f"{receipt.number}.pdf",
        pdf=render_receipt_as(document, receipt_format),
        copy=copy,
    )


# --------------------------------------------------------------------------- invoices


def invoice_pdf(uow: UnitOfWork, invoice_id: int, *, language: str | None = None) -> GeneratedPdf:
    """The PDF of an invoice as it stands (lines, payments, balance). NotFound if unknown."""
    from registrar_tui.reports.invoice import render_invoice

    detail = invoice_detail(uow, invoice_id)
    billing_name, billing_address = _billing(uow, detail.family_id)
    student_number = uow.session.exec(
        select(Student.student_number)
        .join(Invoice, col(Invoice.student_id) == col(Student.id))
        .where(col(Invoice.id) == invoice_id)
    ).first()
    document = InvoiceDocument(
        issuer=_issuer_of(uow, detail.establishment_id),
        invoice_number=detail.number,
        issued_on=detail.issued_on,
        due_on=detail.due_on,
        family_name=detail.family_name,
        family_number=detail.family_number,
        description=detail.description,
        lines=tuple(
            InvoiceLineRow(
                fee_code=line.fee_code,
                description=line.description,
                amount=line.amount,
                is_voluntary=line.is_voluntary,
                is_declined=line.is_declined,
                waived_by=line.waived_by,
                waiver_reason=line.waiver_reason,
            )
            for line in detail.lines
        ),
        total=detail.total,
        paid=detail.paid,
        balance=detail.balance,
        state=InvoiceState(str(detail.state)),
        billing_name=billing_name,
        billing_address=billing_address,
        student_name=detail.student_name,
        student_number=student_number,
        term_code=detail.term_code,
        payments=tuple(
            InvoicePaymentRow(
                received_at=payment.received_at,
                receipt_number=payment.receipt_number or "",
                method=DocumentMethod(payment.method),
                amount=payment.amount,
                is_voided=payment.is_voided,
            )
            for payment in detail.payments
        ),
        credit_note_number=detail.credit_note_number,
        credit_note_reason=detail.credit_note_reason,
        waived=detail.waived,
        language=_language(uow, detail.family_id, language),
    )
    return GeneratedPdf(
        kind="invoice", filename=f"{detail.number}.pdf", pdf=render_invoice(document)
    )


# --------------------------------------------------------------------------- statements


def statement_pdf(uow: UnitOfWork, family_id: int, *, language: str | None = None) -> GeneratedPdf:
    """The family's statement of account today, as a PDF. NotFound for an unknown family."""
    from registrar_tui.reports.statement import render_statement

    family = family_or_not_found(uow, family_id)
    found = statement(uow, family_id)
    billing_name, billing_address = _billing(uow, family_id)
    document = StatementDocument(
        issuer=_issuer_of(uow, family.establishment_id),
        as_of=uow.now(),
        family_name=found.family_name,
        family_number=found.family_number,
        rows=tuple(
            StatementRow(
                invoice_number=line.number,
                description=line.description,
                due_on=line.due_on,
                total=line.total,
                paid=line.paid,
                balance=line.balance,
                state=InvoiceState(str(line.state)),
                term_code=line.term_code,
                student_name=line.student_name,
            )
            for line in found.invoices
        ),
        total_invoiced=found.total_billed,
        total_paid=found.total_paid,
        total_balance=found.total_due,
        credit=found.credit,
        amount_due=max(found.net_balance, ZERO),
        overdue=found.overdue,
        billing_name=billing_name,
        billing_address=billing_address,
        language=_language(uow, family_id, language),
        instalments=()
        if found.plan is None
        else tuple(
            StatementInstalmentRow(
                sequence=line.sequence,
                due_on=line.due_on,
                amount=line.amount,
                paid=line.paid,
                outstanding=line.outstanding,
                is_overdue=line.is_overdue,
            )
            for line in found.plan.instalments
        ),
        plan_made_on=None if found.plan is None else found.plan.made_on,
    )
    stamp = uow.now().strftime("%Y%m%d")
    return GeneratedPdf(
        kind="statement",
        filename=f"{found.family_number}-{stamp}.pdf",
        pdf=render_statement(document),
    )

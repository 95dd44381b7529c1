"""Fee schedule, invoices, payments and everything that follows money.

Every money record (invoices and their lines, contribution choices, payments,
allocations, receipts, voids, refunds, credit notes) is append-only: a correction is a
new row (a reversal, a credit note, a later choice), never an update or a delete, and
each is linked in the ledger hash chain (`LedgerLink`). Amounts are integer cents in
the database and `Decimal` attributes (models/money.py: `Cents`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import FeeKind, PaymentMethod, RefundMethod, enum_column
from registrar_tui.models.money import cents_column


class NumberSequence(SQLModel, table=True):
    """Gapless counters: invoice numbers, credit notes, receipts per establishment and year.

    The row is incremented inside the transaction that uses the number, so a rollback
    gives the number back and no number is ever skipped.
    """

    __tablename__ = "number_sequence"
    __table_args__ = (CheckConstraint("last_value >= 0", name="last_value"),)

    key: str = Field(primary_key=True, max_length=40)
    last_value: int = Field(default=0)


class FeeScheduleItem(SQLModel, table=True):
    """A fee of a term: tuition per discipline, registration, voluntary contributions…"""

    __tablename__ = "fee_schedule_item"
    __table_args__ = (
        UniqueConstraint("term_id", "code"),
        CheckConstraint("amount_cents >= 0", name="amount"),
        CheckConstraint("is_voluntary = (kind = 'voluntary')", name="voluntary_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    code: str = Field(max_length=16)
    kind: FeeKind = Field(sa_column=enum_column(FeeKind))
    description_fr: str = Field(max_length=200)
    description_en: str = Field(max_length=200)
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    discipline_id: int | None = Field(default=None, foreign_key="discipline.id")
    is_voluntary: bool = Field(default=False)


class Invoice(SQLModel, table=True):
    """An invoice issued to a family. Never edited: corrections are credit notes."""

    __tablename__ = "invoice"
    __table_args__ = (CheckConstraint("due_on >= issued_on", name="due_after_issue"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    student_id: int | None = Field(default=None, foreign_key="student.id", index=True)
    term_id: int | None = Field(default=None, foreign_key="term.id")
    establishment_id: int = Field(foreign_key="establishment.id")
    description: str = Field(max_length=200)
    issued_on: date
    due_on: date
    created_at: datetime
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class InvoiceLine(SQLModel, table=True):
    """A line of an invoice, never edited; whether a voluntary line is declined is the
    latest `ContributionChoice` of the line (none: kept)."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("amount_cents >= 0", name="amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int
    fee_code: str = Field(max_length=16)
    description: str = Field(max_length=200)
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    is_voluntary: bool = Field(default=False)


class ContributionChoice(SQLModel, table=True):
    """The payer declining a voluntary line (`declined`), or taking it back (not `declined`).

    The line's latest choice (highest id) says whether it is declined now; a line without
    any choice is kept. Never updated: changing one's mind is a new row.
    """

    __tablename__ = "contribution_choice"

    id: int | None = Field(default=None, primary_key=True)
    invoice_line_id: int = Field(foreign_key="invoice_line.id", index=True)
    declined: bool
    chosen_at: datetime
    chosen_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class CreditNote(SQLModel, table=True):
    """Cancels an issued invoice (in full), or waives one of its lines, without editing it.

    Without `invoice_line_id` the note cancels the invoice (at most one per invoice);
    with it, the note waives that line's fee (at most one per line) and the invoice
    stays live, owing that much less.
    """

    __tablename__ = "credit_note"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount"),
        Index(
            "uq_credit_note_invoice_cancelled",
            "invoice_id",
            unique=True,
            sqlite_where=text("invoice_line_id IS NULL"),
            postgresql_where=text("invoice_line_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    reason: str
    created_at: datetime
    created_by_id: int = Field(foreign_key="staff_user.id")
    invoice_line_id: int | None = Field(default=None, foreign_key="invoice_line.id", unique=True)


class Payment(SQLModel, table=True):
    """Money received at an establishment by a clerk. Never updated or deleted."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount"),
        CheckConstraint("card_last4 IS NULL OR (length(card_last4) = 4)", name="card_last4_length"),
        CheckConstraint(
            "method NOT IN ('debit', 'credit_card') OR "
            "(card_last4 IS NOT NULL AND authorization_number IS NOT NULL)",
            name="card_fields",
        ),
        CheckConstraint(
            "method NOT IN ('cheque', 'certified_cheque') OR cheque_number IS NOT NULL",
            name="cheque_fields",
        ),
        CheckConstraint(
            "method <> 'cash' OR (tendered_cents >= amount_cents "
            "AND change_cents = tendered_cents - amount_cents)",
            name="cash_fields",
        ),
        CheckConstraint(
            "method <> 'online' OR (processor_transaction_id IS NOT NULL "
            "AND card_last4 IS NOT NULL AND authorization_number IS NOT NULL)",
            name="online_fields",
        ),
        CheckConstraint("method <> 'online' OR paid_at IS NOT NULL", name="online_paid_at"),
        Index("ix_payment_clerk_received", "clerk_id", "establishment_id", "received_at"),
        # The office dashboard's days, today and this month (migration dashboard_0001).
        Index("ix_payment_received_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    establishment_id: int = Field(foreign_key="establishment.id")
    family_id: int = Field(foreign_key="family.id", index=True)
    clerk_id: int = Field(foreign_key="staff_user.id")
    received_at: datetime
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    method: PaymentMethod = Field(sa_column=enum_column(PaymentMethod))
    card_brand: str | None = Field(default=None, max_length=20)
    card_last4: str | None = Field(default=None, max_length=4)
    authorization_number: str | None = Field(default=None, max_length=20)
    cheque_number: str | None = Field(default=None, max_length=20)
    cheque_bank: str | None = Field(default=None, max_length=100)
    tendered: Decimal | None = Field(
        default=None, sa_column=cents_column("tendered_cents", nullable=True)
    )
    change: Decimal | None = Field(
        default=None, sa_column=cents_column("change_cents", nullable=True)
    )
    idempotency_key: str = Field(max_length=64, unique=True)
    request_fingerprint: str = Field(max_length=64)
    processor_transaction_id: str | None = Field(default=None, max_length=64, unique=True)
    """Online payments only: the payment processor's transaction id (the portal's
    idempotency key, and the key of the settlement reconciliation)."""
    paid_at: datetime | None = None
    """Online payments only: when the processor accepted the card (the parent's instant,
    printed on the receipt and matched by the reconciliation). `received_at` stays the
    instant the payment was posted here: a report that arrives late never lands in a
    drawer that is already closed."""


class PaymentVoid(SQLModel, table=True):
    """The voiding of a payment by a registrar; its allocations are reversed."""

    __tablename__ = "payment_void"
    __table_args__ = (CheckConstraint("length(reason) > 0", name="reason"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", unique=True)
    voided_at: datetime
    voided_by_id: int = Field(foreign_key="staff_user.id")
    reason: str
    override_reason: str = Field(default="")


class Allocation(SQLModel, table=True):
    """Part of a payment applied to an invoice; a negative row reverses an earlier one.

    `reallocates_id`: what a reversed allocation still pays on its invoice, allocated again
    when only part of it goes back to family credit (a fee waived on a paid invoice); the
    receipt, as issued, shows the original allocation, not this continuation.
    """

    __tablename__ = "allocation"
    __table_args__ = (
        CheckConstraint(
            "(amount_cents > 0 AND reverses_id IS NULL) "
            "OR (amount_cents < 0 AND reverses_id IS NOT NULL)",
            name="reversal_sign",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    created_at: datetime
    reverses_id: int | None = Field(default=None, foreign_key="allocation.id", unique=True)
    reallocates_id: int | None = Field(default=None, foreign_key="allocation.id", unique=True)


class Receipt(SQLModel, table=True):
    """The receipt of a payment: a gapless number per establishment, hash-chained."""

    __tablename__ = "receipt"
    __table_args__ = (
        UniqueConstraint("establishment_id", "number"),
        # The chain's last link of an establishment (issuing a receipt, verify).
        Index("ix_receipt_establishment_chain", "establishment_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    establishment_id: int = Field(foreign_key="establishment.id")
    number: str = Field(max_length=24)
    payment_id: int | None = Field(default=None, foreign_key="payment.id", unique=True)
    refund_id: int | None = Field(default=None, foreign_key="refund.id", unique=True)
    issued_at: datetime
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Refund(SQLModel, table=True):
    """Family credit given back, in cash or by cheque, with a reason."""

    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount"),
        CheckConstraint("length(reason) > 0", name="reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    establishment_id: int = Field(foreign_key="establishment.id")
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    method: RefundMethod = Field(sa_column=enum_column(RefundMethod))
    cheque_number: str | None = Field(default=None, max_length=20)
    reason: str
    refunded_at: datetime
    refunded_by_id: int = Field(foreign_key="staff_user.id")


class DayClose(SQLModel, table=True):
    """A clerk's cash drawer closed at an establishment: expected against counted."""

    __tablename__ = "day_close"
    __table_args__ = (
        CheckConstraint("counted_cash_cents >= 0", name="counted"),
        CheckConstraint(
            "discrepancy_cents = counted_cash_cents - expected_cash_cents", name="discrepancy"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    establishment_id: int = Field(foreign_key="establishment.id")
    clerk_id: int = Field(foreign_key="staff_user.id")
    period_start: datetime | None = None
    closed_at: datetime
    expected_cash: Decimal = Field(sa_column=cents_column("expected_cash_cents"))
    counted_cash: Decimal = Field(sa_column=cents_column("counted_cash_cents"))
    discrepancy: Decimal = Field(sa_column=cents_column("discrepancy_cents"))
    note: str = Field(default="")
    report_pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    closed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    """Who recorded the close: the clerk, or the registrar who closed the portal's « en
    ligne » drawer (NULL: a close recorded before this column, by its clerk)."""


class DayCloseTotal(SQLModel, table=True):
    """Expected total of one payment method in a day close (voids counted negative)."""

    __tablename__ = "day_close_total"
    __table_args__ = (CheckConstraint("payment_count >= 0", name="count"),)

    day_close_id: int = Field(foreign_key="day_close.id", primary_key=True)
    method: PaymentMethod = Field(sa_column=enum_column(PaymentMethod, primary_key=True))
    payment_count: int
    expected: Decimal = Field(sa_column=cents_column("expected_cents"))


class LedgerLink(SQLModel, table=True):
    """One money record's link in the ledger hash chain (services/audit/ledger_chain.py).

    `position` is gapless from 1; `hash` covers the previous link's hash, the position,
    the record's kind and id and a digest of the record's content, so a record changed,
    removed or added behind the application's back breaks the chain at that record.
    """

    __tablename__ = "ledger_link"
    __table_args__ = (UniqueConstraint("kind", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(unique=True)
    kind: str = Field(max_length=24)
    record_id: int
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

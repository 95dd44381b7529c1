"""What the PDF documents are made of: plain frozen dataclasses, filled by the services.

`reports/` never queries the database. A service (billing) reads what it needs, maps it
into one of the documents below and hands it to a renderer:

    from registrar_tui.reports.receipt import render_receipt
    pdf: bytes = render_receipt(ReceiptDocument(...))

Conventions for every field below:
- money is `Decimal` in dollars (`Decimal("275.00")`), never cents and never float;
  renderers only *show* amounts, they never add them up: totals are fields too;
- instants (`datetime`) are naive UTC, as stored; they print in the school's local time;
- calendar days are `date`;
- free text typed by people (names, descriptions, reasons…) is given raw: renderers
  escape it and strip control characters, so `<b>` or `&` prints literally;
- `language` is `"fr_CA"` (default) or `"en"`: the whole document, labels, money and dates,
  is in that language whatever the UI language is.

This module imports no reportlab (services import it at start-up).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal


class PaymentMethod(enum.StrEnum):
    """How a document names a payment's method (the ledger's methods, by their value).

    Reports never import the models: services convert with `PaymentMethod(value)`.
    """

    CASH = "cash"
    DEBIT = "debit"
    CREDIT_CARD = "credit_card"
    CERTIFIED_CHEQUE = "certified_cheque"
    CHEQUE = "cheque"
    ONLINE = "online"


DocumentLanguage = Literal["fr_CA", "en"]
ZERO = Decimal("0.00")


class CopyKind(enum.StrEnum):
    """Which copy of a receipt this is."""

    ORIGINAL = "original"  # printed when the payment is posted
    DUPLICATE = "duplicate"  # any reprint: marked DUPLICATA / DUPLICATE
    VOIDED = "voided"  # reprint of a voided payment: marked ANNULÉ / VOID with the reason


class ReceiptKind(enum.StrEnum):
    """What the receipt records: money received, or family credit given back."""

    PAYMENT = "payment"
    REFUND = "refund"


class InvoiceState(enum.StrEnum):
    """An invoice's state as shown to the family (computed by the billing service)."""

    OPEN = "open"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Issuer:
    """Who hands the document over: the institution and one of its establishments.

    Map from `models.Establishment` plus the institution's name (a setting, not a table).
    A receipt uses the establishment where the money was received; an invoice or a
    statement, the family's (or the invoice's) establishment.
    """

    institution_name: str  # "Conservatoire de musique et d'art dramatique du Québec"
    establishment_name: str  # Establishment.name, "Conservatoire de Montréal"
    establishment_code: str  # Establishment.code, "MTL"
    address_line: str  # "4750, avenue Henri-Julien"
    city: str  # "Montréal"
    province: str  # "QC"
    postal_code: str  # "H2T 2C8"
    phone: str  # "514 873-4031"
    email: str | None = None


# --------------------------------------------------------------------------- receipt


@dataclass(frozen=True)
class ReceiptAllocationRow:
    """One invoice paid by the payment (one allocation), with the invoice's balance after it."""

    invoice_number: str  # "FAC00000397"
    description: str  # Invoice.description, "Frais de scolarité — automne 2026"
    amount_applied: Decimal  # the part of this payment applied to the invoice
    balance_after: Decimal  # the invoice's balance right after this payment
    student_name: str | None = None  # "Tremblay, Hélène"
    term_code: str | None = None  # "AUT-2026"


@dataclass(frozen=True)
class ReceiptDocument:
    """The receipt handed over at the counter (reçu / relevé de transaction).

    For a card payment give `card_brand`, `card_last4` (exactly the last four digits;
    the receipt prints `Visa ••••1234`) and `authorization_number`; online (« Paiement en
    ligne »), also `processor_transaction_id` and `paid_at`; for a cheque,
    `cheque_number` and `cheque_bank`; for cash, `amount_tendered` and `change_due`.
    Fields of the other methods stay None and are not printed.

    A reprint is `copy_kind=DUPLICATE` (with `printed_at`, the reprint time); the reprint of
    a voided payment is `copy_kind=VOIDED` with `void_reason` and `voided_at`.
    A refund receipt is `kind=REFUND` with `refund_reason`, no allocations, and
    `method` CASH or CHEQUE.

    The receipt number follows the establishment where the money was received (the
    issuer), whatever the family's own establishment: the receipt says so beside
    « Payé à ». `transaction_reference` names the payment itself (the same on every copy),
    distinct from the receipt number; `family_balance` is what the family still owes
    (open invoices less its credit, never below zero) at `balance_as_of`.
    """

    issuer: Issuer  # the establishment where the money was received
    receipt_number: str  # "MTL-2026-000123"
    issued_at: datetime  # Receipt.issued_at (naive UTC)
    family_name: str  # Family.name, "Famille Tremblay"
    family_number: str  # Family.family_number: the client number
    amount: Decimal  # the payment's amount (positive), or the refund's
    method: PaymentMethod
    clerk_name: str  # StaffUser.full_name of who received the money
    allocations: tuple[ReceiptAllocationRow, ...] = ()
    payer_name: str | None = None  # the guardian who paid, "Hélène Tremblay"
    card_brand: str | None = None  # "Visa", "Mastercard", "Interac"
    card_last4: str | None = None  # "1234"
    authorization_number: str | None = None  # from the card terminal slip
    cheque_number: str | None = None
    cheque_bank: str | None = None
    amount_tendered: Decimal | None = None  # cash only
    change_due: Decimal | None = None  # cash only (0.00 prints as 0,00 $)
    credit_added: Decimal = ZERO  # part of the payment left as family credit
    family_credit_after: Decimal | None = None  # family credit after this payment, if known
    kind: ReceiptKind = ReceiptKind.PAYMENT
    refund_reason: str | None = None
    copy_kind: CopyKind = CopyKind.ORIGINAL
    printed_at: datetime | None = None  # reprint time, shown on duplicates and voided copies
    void_reason: str | None = None
    voided_at: datetime | None = None
    voided_by: str | None = None  # registrar's full name
    chain_hash: str | None = None  # Receipt.hash: its first 16 characters are printed
    student_numbers: tuple[str, ...] = ()  # the students paid for (else the family's)
    transaction_reference: str | None = None  # "TX-P00000123"
    family_balance: Decimal | None = None  # "Votre solde", when known
    balance_as_of: datetime | None = None  # when family_balance was read (naive UTC)
    language: DocumentLanguage = "fr_CA"
    processor_transaction_id: str | None = None  # online: the processor's transaction number
    paid_at: datetime | None = None  # online: when the processor accepted the card (UTC)


# --------------------------------------------------------------------------- invoice


@dataclass(frozen=True)
class InvoiceLineRow:
    """A line of the invoice. A voluntary contribution may be declined by the payer."""

    fee_code: str  # "SCOL-PIA"
    description: str  # "Piano — cours individuel"
    amount: Decimal  # the line's amount, printed even when declined (struck out)
    is_voluntary: bool = False
    is_declined: bool = False  # only for a voluntary line; excluded from the total
    waived_by: str | None = None  # the credit note that waives this fee ("NC00000003")
    waiver_reason: str | None = None


@dataclass(frozen=True)
class InvoicePaymentRow:
    """A payment (or its reversal after a void) applied to the invoice."""

    received_at: datetime  # naive UTC
    receipt_number: str
    method: PaymentMethod
    amount: Decimal  # negative for a reversal
    is_voided: bool = False


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice, as issued (lines) and as it stands (paid, balance, state)."""

    issuer: Issuer  # the invoice's establishment
    invoice_number: str  # "FAC00000397"
    issued_on: date
    due_on: date
    family_name: str
    family_number: str
    description: str  # Invoice.description
    lines: tuple[InvoiceLineRow, ...]
    total: Decimal  # sum of the kept lines (declined voluntary lines excluded)
    paid: Decimal  # live allocations
    balance: Decimal  # total - waived - paid (0 when cancelled)
    state: InvoiceState
    billing_name: str | None = None  # the payer guardian, "Hélène Tremblay"
    billing_address: tuple[str, ...] = ()  # ("123, rue Principale", "Montréal QC H2X 1Y4")
    student_name: str | None = None
    student_number: str | None = None
    term_code: str | None = None  # "AUT-2026"
    payments: tuple[InvoicePaymentRow, ...] = ()
    credit_note_number: str | None = None  # when cancelled by a credit note
    credit_note_reason: str | None = None
    language: DocumentLanguage = "fr_CA"
    waived: Decimal = Decimal(0)  # the credit notes of the fees waived (lines kept in total)


# --------------------------------------------------------------------------- statement


@dataclass(frozen=True)
class StatementRow:
    """One invoice of the statement of account."""

    invoice_number: str
    description: str
    due_on: date
    total: Decimal
    paid: Decimal
    balance: Decimal
    state: InvoiceState
    term_code: str | None = None
    student_name: str | None = None


@dataclass(frozen=True)
class StatementInstalmentRow:
    """One instalment of the family's active payment plan (échéancier)."""

    sequence: int
    due_on: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    is_overdue: bool = False


@dataclass(frozen=True)
class StatementDocument:
    """A family's statement of account (état de compte) at a moment."""

    issuer: Issuer  # the family's establishment
    as_of: datetime  # when the statement was produced (naive UTC)
    family_name: str
    family_number: str
    rows: tuple[StatementRow, ...]  # in the order to print (oldest due first)
    total_invoiced: Decimal  # sum of rows' totals (cancelled excluded, as the service decides)
    total_paid: Decimal
    total_balance: Decimal  # what the open invoices still owe
    credit: Decimal  # the family's unapplied credit (0 when none)
    amount_due: Decimal  # what the family is asked to pay now (balance less credit, >= 0)
    overdue: Decimal = ZERO  # part of total_balance past due
    billing_name: str | None = None
    billing_address: tuple[str, ...] = ()
    language: DocumentLanguage = "fr_CA"
    instalments: tuple[StatementInstalmentRow, ...] = ()
    """The active payment plan's instalments, earliest first (none: no plan)."""
    plan_made_on: date | None = None


# --------------------------------------------------------------------------- day close


@dataclass(frozen=True)
class DayCloseMethodTotal:
    """Expected total of one payment method since the last close (voids counted negative)."""

    method: PaymentMethod
    payment_count: int
    expected: Decimal


@dataclass(frozen=True)
class DayCloseTransaction:
    """One payment or void of the period, for the detail list (optional)."""

    occurred_at: datetime  # naive UTC
    receipt_number: str
    family_name: str
    family_number: str
    method: PaymentMethod
    amount: Decimal  # negative for a void
    is_void: bool = False


@dataclass(frozen=True)
class DayCloseDocument:
    """A clerk's day close at an establishment: expected by method against counted cash."""

    issuer: Issuer
    clerk_name: str
    closed_at: datetime  # naive UTC
    period_start: datetime | None  # None for the clerk's first close
    totals: tuple[DayCloseMethodTotal, ...]  # one row per method (zero rows may be omitted)
    expected_total: Decimal  # all methods
    expected_cash: Decimal  # cash expected in the drawer (cash payments less cash refunds)
    counted_cash: Decimal
    discrepancy: Decimal  # counted - expected: negative = shortage, positive = surplus
    cash_refunds: Decimal = ZERO  # cash given back in the period (positive), if any
    note: str = ""
    reference: str | None = None  # e.g. the day close id, "FC-000042"
    transactions: tuple[DayCloseTransaction, ...] = ()
    language: DocumentLanguage = "fr_CA"
    online: bool = False  # the portal's « en ligne » drawer: no cash section
    closed_by: str | None = None  # who recorded it, when not the drawer's clerk


# --------------------------------------------------------------------------- receivables


@dataclass(frozen=True)
class ReceivablesRow:
    """A family's receivables at the day, by days past due (the totals row: no family)."""

    family_number: str
    family_name: str
    establishment_code: str
    not_yet_due: Decimal
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    total: Decimal
    credit: Decimal  # the family's credit at the day (money paid that no invoice held)
    net: Decimal  # total - credit


@dataclass(frozen=True)
class ReceivablesDocument:
    """The receivables ageing at the end of a day, for the accountant."""

    issuer: Issuer  # the establishment asked for, else the first one
    at: date  # the day (its end)
    produced_at: datetime  # naive or aware UTC
    rows: tuple[ReceivablesRow, ...]  # by family number
    totals: ReceivablesRow
    establishment_code: str | None = None  # None: every establishment
    language: DocumentLanguage = "fr_CA"

"""Bank deposits (bordereaux de dépôt): the cash and cheques of closed drawers taken to
the bank, numbered per establishment (gapless), locked once made.

A payment goes into one deposit only (`deposit_item.payment_id` is unique); a payment
voided after its deposit was made is taken back once (`deposit_adjustment.payment_id`
is unique), as a negative line of the establishment's next deposit, and so is a cash
refund handed out of a closed drawer (`deposit_adjustment.refund_id`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import enum_column
from registrar_tui.models.money import Cents, cents_column


class DepositStatus(enum.StrEnum):
    PREPARED = "prepared"
    """Counted and listed, not yet taken to the bank: it may still be abandoned."""
    MADE = "made"
    """Taken to the bank: locked, never changes again."""
    ABANDONED = "abandoned"
    """Given up before it was made: its number stays, its payments are free again."""


class Deposit(SQLModel, table=True):
    """One deposit slip of an establishment; its number has no gap."""

    __tablename__ = "deposit"
    __table_args__ = (
        UniqueConstraint("establishment_id", "number"),
        CheckConstraint("number > 0", name="number"),
        CheckConstraint("cash_total_cents >= 0", name="cash_total"),
        CheckConstraint("cheque_total_cents >= 0", name="cheque_total"),
        CheckConstraint(
            "status <> 'made' OR (made_at IS NOT NULL AND made_by_id IS NOT NULL)", name="made"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    establishment_id: int = Field(foreign_key="establishment.id", index=True)
    number: int
    status: DepositStatus = Field(sa_column=enum_column(DepositStatus))
    prepared_at: datetime
    prepared_by_id: int = Field(foreign_key="staff_user.id")
    made_at: datetime | None = None
    made_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    abandoned_at: datetime | None = None
    abandoned_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    cash_total: Decimal = Field(sa_column=cents_column("cash_total_cents"))
    """The cash in the bag: cash payments plus the cash adjustments (negative)."""
    cheque_total: Decimal = Field(sa_column=cents_column("cheque_total_cents"))
    """The cheques listed plus the cheque adjustments (negative)."""


class DepositItem(SQLModel, table=True):
    """A cash or cheque payment in a deposit; in one deposit only."""

    __tablename__ = "deposit_item"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount"),)

    id: int | None = Field(default=None, primary_key=True)
    deposit_id: int = Field(foreign_key="deposit.id", index=True)
    payment_id: int = Field(foreign_key="payment.id", unique=True)
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))


class DepositAdjustment(SQLModel, table=True):
    """Cash or a cheque that left the establishment after its drawer closed, taken off a
    deposit once: a payment voided after its deposit was made (`payment_id`, with that
    deposit), or a cash refund handed out of a drawer (`refund_id`)."""

    __tablename__ = "deposit_adjustment"
    __table_args__ = (
        CheckConstraint("amount_cents < 0", name="amount"),
        CheckConstraint("(payment_id IS NULL) <> (refund_id IS NULL)", name="one_source"),
        CheckConstraint(
            "payment_id IS NULL OR original_deposit_id IS NOT NULL", name="original_deposit"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    deposit_id: int = Field(foreign_key="deposit.id", index=True)
    payment_id: int | None = Field(default=None, foreign_key="payment.id", unique=True)
    refund_id: int | None = Field(default=None, foreign_key="refund.id", unique=True)
    original_deposit_id: int | None = Field(default=None, foreign_key="deposit.id")
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))


class DepositOverShort(SQLModel, table=True):
    """A day close that counted more (positive) or less (negative) cash than expected,
    taken once into a deposit: the deposit's cash is what the drawers actually held."""

    __tablename__ = "deposit_over_short"
    __table_args__ = (CheckConstraint("amount_cents <> 0", name="amount"),)

    id: int | None = Field(default=None, primary_key=True)
    deposit_id: int = Field(foreign_key="deposit.id", index=True)
    day_close_id: int = Field(foreign_key="day_close.id", unique=True)
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))
    """The day close's discrepancy: counted − expected cash."""


class DepositCashCount(SQLModel, table=True):
    """How many notes or coins of one denomination the deposit's cash holds."""

    __tablename__ = "deposit_cash_count"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("denomination_cents > 0", name="denomination"),
    )

    deposit_id: int = Field(foreign_key="deposit.id", primary_key=True)
    denomination: Decimal = Field(sa_column=Column("denomination_cents", Cents(), primary_key=True))
    quantity: int

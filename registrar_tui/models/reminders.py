"""Overdue reminders (relances): the three levels' settings, the letters and the reminders.

A reminder is one level (1, 2 or 3) sent for one overdue invoice; never the same level twice
for the same invoice (a unique constraint). The reminders of one family sent together share
one letter (`ReminderLetter`: its PDF, and the outbox e-mail that carries it). Letters and
reminders are append-only: a reminder sent is a fact, never corrected.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import Language, enum_column
from registrar_tui.models.money import cents_column

REMINDER_LEVELS = (1, 2, 3)


class ReminderLevel(SQLModel, table=True):
    """A level's settings, edited by an admin: after how many days past the due date an
    invoice gets it, and the letter's text in French and in English."""

    __tablename__ = "reminder_level"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint("days_overdue > 0", name="days_overdue"),
    )

    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    days_overdue: int
    text_fr: str
    text_en: str
    updated_at: datetime | None = None
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class ReminderPolicy(SQLModel, table=True):
    """The one row of settings shared by the levels: a family whose overdue balance (less
    its credit) is under `min_balance` gets no letter."""

    __tablename__ = "reminder_policy"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("min_balance_cents >= 0", name="min_balance"),
    )

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    min_balance: Decimal = Field(sa_column=cents_column("min_balance_cents"))
    updated_at: datetime | None = None
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class ReminderLetter(SQLModel, table=True):
    """The letter a family received: its PDF (the level's text, the overdue invoices, the
    total) and the outbox e-mail that carried it (None: the payer has no e-mail). The PDF is
    stored once: on this row, or as the e-mail's attachment (`letter_pdf` reads either)."""

    __tablename__ = "reminder_letter"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint("total_overdue_cents > 0", name="total_overdue"),
        CheckConstraint("pdf IS NOT NULL OR outbox_message_id IS NOT NULL", name="pdf_kept"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    level: int
    """The highest level among the letter's reminders (its text is that level's)."""
    as_of: date
    sent_at: datetime
    sent_by_id: int = Field(foreign_key="staff_user.id")
    language: Language = Field(sa_column=enum_column(Language))
    total_overdue: Decimal = Field(sa_column=cents_column("total_overdue_cents"))
    filename: str = Field(max_length=120)
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """The PDF when no e-mail carries it (else it is the e-mail's attachment: kept once)."""
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")


class Reminder(SQLModel, table=True):
    """One level sent for one overdue invoice, or for one overdue instalment of a payment
    plan (`instalment_id`, `invoice_id` NULL: a family behind on its plan is reminded of
    its instalments, not its invoices), with the amount it still owed then.

    One reminder per invoice and level, and per instalment and level (NULLs are distinct
    in both). `instalment_id` has no foreign key: the column came before the plans' table
    and SQLite cannot add one without rebuilding this append-only table.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("invoice_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint("amount_overdue_cents > 0", name="amount_overdue"),
        CheckConstraint("invoice_id IS NOT NULL OR instalment_id IS NOT NULL", name="target"),
        Index("ix_reminder_family_sent", "family_id", "sent_at"),
        Index("uq_reminder_instalment_id_level", "instalment_id", "level", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    instalment_id: int | None = None
    level: int
    sent_at: datetime
    sent_by_id: int = Field(foreign_key="staff_user.id")
    amount_overdue: Decimal = Field(sa_column=cents_column("amount_overdue_cents"))
    letter_id: int = Field(foreign_key="reminder_letter.id", index=True)
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")

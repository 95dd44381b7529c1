"""Establishments, terms and staff users."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import Language, Role, Season, enum_column


class Establishment(SQLModel, table=True):
    """A site of the institution; receipts carry the address of the one paid at."""

    __tablename__ = "establishment"
    __table_args__ = (
        CheckConstraint("student_number_digits IN (7, 9)", name="student_number_digits"),
        CheckConstraint("length(code) BETWEEN 2 AND 8", name="code_length"),
        CheckConstraint(
            "(student_number_digits = 7 AND student_number_site_digit = '') OR "
            "(student_number_digits = 9 AND student_number_site_digit IN "
            "('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))",
            name="student_number_site_digit",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    name: str = Field(max_length=200)
    address_line: str = Field(max_length=200)
    city: str = Field(max_length=100)
    province: str = Field(default="QC", max_length=2)
    postal_code: str = Field(max_length=7)
    phone: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=200)
    student_number_digits: int = Field(default=9)
    student_number_site_digit: str = Field(default="1", max_length=1)
    """The digit after the entry year in a 9-digit student number (`26` `1` `000042`);
    empty for the 7-digit rule (`26` `00042`). See services/records/student_numbers.py."""
    deposits_start_on: date | None = None
    """The first day whose cash and cheques go to the bank through deposits (set once,
    before the first deposit); None: deposits not started. See services/ledger/deposits.py."""


class Term(SQLModel, table=True):
    """A session (AUT-2025, HIV-2026, ETE-2026) with its dates and re-enrolment window."""

    __tablename__ = "term"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="dates_ordered"),
        CheckConstraint(
            "reenrolment_opens_on IS NULL OR reenrolment_closes_on IS NULL "
            "OR reenrolment_closes_on >= reenrolment_opens_on",
            name="reenrolment_window",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    season: Season = Field(sa_column=enum_column(Season))
    year: int
    starts_on: date
    ends_on: date
    payment_due_on: date
    reenrolment_opens_on: date | None = None
    reenrolment_closes_on: date | None = None
    confirmation_deadline: date | None = None


class StaffUser(SQLModel, table=True):
    """A person behind the counter: clerk, registrar or admin."""

    __tablename__ = "staff_user"
    __table_args__ = (CheckConstraint("failed_attempts >= 0", name="failed_attempts"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    role: Role = Field(sa_column=enum_column(Role))
    password_hash: str = Field(max_length=255)
    establishment_id: int | None = Field(default=None, foreign_key="establishment.id")
    language: Language = Field(
        default=Language.FRENCH, sa_column=enum_column(Language, server_default="fr_CA")
    )
    is_active: bool = Field(default=True)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = None
    created_at: datetime
    password_changed_at: datetime | None = None

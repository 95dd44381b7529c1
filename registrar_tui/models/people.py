"""Families, guardians and students."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import Language, Sex, StudentStatus, enum_column


class Family(SQLModel, table=True):
    """The billing unit: guardians (one is the payer) and the students attached to it."""

    __tablename__ = "family"

    id: int | None = Field(default=None, primary_key=True)
    family_number: str = Field(max_length=16, unique=True)
    portal_id: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=200)
    establishment_id: int = Field(foreign_key="establishment.id", index=True)
    language: Language = Field(
        default=Language.FRENCH, sa_column=enum_column(Language, server_default="fr_CA")
    )
    notes: str = Field(default="")
    created_at: datetime


class Guardian(SQLModel, table=True):
    """A responsible adult of a family; exactly one per family is the payer (never removed)."""

    __tablename__ = "guardian"
    __table_args__ = (
        Index(
            "uq_guardian_one_payer_per_family",
            "family_id",
            unique=True,
            sqlite_where=text("is_payer"),
            postgresql_where=text("is_payer"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    relationship_label: str = Field(default="", max_length=40)
    is_payer: bool = Field(default=False)
    phone: str | None = Field(default=None, max_length=20)
    phone_alt: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    address_line: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    province: str = Field(default="QC", max_length=2)
    postal_code: str = Field(default="", max_length=7)
    language: Language = Field(
        default=Language.FRENCH, sa_column=enum_column(Language, server_default="fr_CA")
    )
    # Out of the row's repr: a guardian written to a log shows no number.
    social_insurance_number: str | None = Field(default=None, max_length=9, repr=False)
    """Nine digits, only when a tax slip needs it; shown masked except by `services.sin`."""
    removed_at: datetime | None = None
    """When staff removed this guardian from the family (None: active). The row stays for
    the history (audit trail, past requests); removed guardians are shown and searched nowhere."""
    removed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class Student(SQLModel, table=True):
    """A student of the institution, attached to a family."""

    __tablename__ = "student"

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    establishment_id: int = Field(foreign_key="establishment.id", index=True)
    student_number: str = Field(max_length=9, unique=True)
    code_permanent: str | None = Field(default=None, max_length=12, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date = Field(index=True)
    """Indexed: admission looks for a student of the same name and birth date."""
    sex: Sex | None = Field(default=None, sa_column=enum_column(Sex, nullable=True))
    address_line: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    province: str = Field(default="QC", max_length=2)
    postal_code: str = Field(default="", max_length=7)
    school_name: str = Field(default="", max_length=200)
    school_level: str = Field(default="", max_length=40)
    group_name: str = Field(default="", max_length=40)
    allergies: str = Field(default="")
    medical_conditions: str = Field(default="")
    emergency_contact_name: str = Field(default="", max_length=200)
    emergency_contact_phone: str = Field(default="", max_length=20)
    status: StudentStatus = Field(
        default=StudentStatus.ACTIVE,
        sa_column=enum_column(StudentStatus, server_default="active"),
    )
    created_at: datetime
    status_changed_on: date | None = None
    """The day the current status took effect (withdrawal, graduation); None while the
    student has always been active."""
    status_reason: str = Field(default="")
    """Why the student was withdrawn (required then), else empty."""
    # Out of the row's repr: a student written to a log shows no number.
    social_insurance_number: str | None = Field(default=None, max_length=9, repr=False)
    """Nine digits, for the tax slips; shown masked except by `services.records.sin`."""

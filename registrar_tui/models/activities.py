"""School outings and fundraising campaigns, with items and registrations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import ActivityKind, enum_column
from registrar_tui.models.money import cents_column


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("registration_deadline <= held_on", name="deadline_before_event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    establishment_id: int | None = Field(default=None, foreign_key="establishment.id")
    kind: ActivityKind = Field(sa_column=enum_column(ActivityKind))
    title: str = Field(max_length=200)
    description: str = Field(default="")
    held_on: date
    registration_deadline: date
    created_at: datetime
    closed_at: datetime | None = None
    """Closed to new registrations (those made stay); None while open."""
    cancelled_at: datetime | None = None
    """Cancelled: every invoice of its registrations credited by a credit note."""


class ActivitySchool(SQLModel, table=True):
    """A school the activity is open to; an activity without any is open to every school."""

    __tablename__ = "activity_school"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    school_name: str = Field(max_length=200, primary_key=True)


class ActivityLevel(SQLModel, table=True):
    """A school level the activity is open to (`Primaire` takes every `Primaire n`);
    an activity without any is open to every level."""

    __tablename__ = "activity_level"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    level: str = Field(max_length=40, primary_key=True)


class ActivityItem(SQLModel, table=True):
    """Something to register for, at a unit price (e.g. one lunch at 5,50 $)."""

    __tablename__ = "activity_item"
    __table_args__ = (
        CheckConstraint("unit_price_cents >= 0", name="unit_price"),
        CheckConstraint("max_quantity IS NULL OR max_quantity > 0", name="max_quantity"),
        UniqueConstraint("activity_id", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    label: str = Field(max_length=200)
    held_on: date | None = None
    unit_price: Decimal = Field(sa_column=cents_column("unit_price_cents"))
    code: str = Field(max_length=10)
    """What people call the item (`101` in « 101 - Biscuits »), unique in its activity."""
    max_quantity: int | None = None
    """The most one registration may take (None: the registration's own limit, 99)."""


class ActivityRegistration(SQLModel, table=True):
    """A student registered to an activity; it becomes an invoice."""

    __tablename__ = "activity_registration"
    __table_args__ = (UniqueConstraint("activity_id", "student_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    family_id: int = Field(foreign_key="family.id")
    registered_at: datetime
    registered_by_id: int = Field(foreign_key="staff_user.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", unique=True)
    override_reason: str = Field(default="")


class ActivityRegistrationItem(SQLModel, table=True):
    __tablename__ = "activity_registration_item"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    registration_id: int = Field(foreign_key="activity_registration.id", primary_key=True)
    item_id: int = Field(foreign_key="activity_item.id", primary_key=True)
    quantity: int

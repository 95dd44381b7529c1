"""Shared pieces of the table definitions: naming convention, enum columns, enums."""

from __future__ import annotations

import enum
from typing import Any, Protocol

from sqlalchemy import Column, Enum
from sqlmodel import SQLModel

# Deterministic constraint names: Alembic can compare and alter them (SQLite batch mode
# needs names to drop a constraint), and both backends end up with the same schema.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def require_id(row: _Row) -> int:
    """The row's primary key; ValueError when it has none yet (added but not flushed).

    A service reads ids only of rows it loaded or flushed: a missing one is a bug, and
    carrying on with 0 would point at no row (or, in an audit event, at a wrong one).
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def enum_column(enum_type: type[enum.Enum], *, nullable: bool = False, **kwargs: Any) -> Any:
    """A portable enumerated column: a VARCHAR with a CHECK constraint on both backends."""
    return Column(
        Enum(
            enum_type,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        nullable=nullable,
        **kwargs,
    )


class Season(enum.StrEnum):
    AUTUMN = "AUT"
    WINTER = "HIV"
    SUMMER = "ETE"


class Role(enum.StrEnum):
    CLERK = "clerk"
    REGISTRAR = "registrar"
    ADMIN = "admin"
    PORTAL = "portal"
    """A program, not a person: the family portal's account (one per API client). It never
    signs in to the terminal; its rows (online payments, submitted requests, audit events)
    name the client that sent them."""


class Language(enum.StrEnum):
    FRENCH = "fr_CA"
    ENGLISH = "en"


class StudentStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


class Sex(enum.StrEnum):
    FEMALE = "F"
    MALE = "M"


class DisciplineKind(enum.StrEnum):
    INSTRUMENT = "instrument"
    VOICE = "voice"
    THEORY = "theory"
    DRAMA = "drama"
    ENSEMBLE = "ensemble"


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    DROPPED = "dropped"
    COMPLETED = "completed"


class WaitingStatus(enum.StrEnum):
    """Where a student on a group's waiting list stands."""

    WAITING = "waiting"
    OFFERED = "offered"
    """A seat freed and is held for the student until the offer is accepted or declined."""
    ENROLLED = "enrolled"
    DECLINED = "declined"
    REMOVED = "removed"


class RepertoireEventKind(enum.StrEnum):
    CONCERT = "concert"
    EXAM = "exam"
    MASTERCLASS = "masterclass"
    COMPETITION = "competition"
    RECITAL = "recital"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class ReenrolmentKind(enum.StrEnum):
    ADMINISTRATIVE = "administrative"
    DISCIPLINES = "disciplines"


class ChangeTarget(enum.StrEnum):
    GUARDIAN = "guardian"
    STUDENT = "student"


class FeeKind(enum.StrEnum):
    TUITION = "tuition"
    REGISTRATION = "registration"
    VOLUNTARY = "voluntary"
    SCHEDULE_CHANGE = "schedule_change"
    LATE_CONFIRMATION = "late_confirmation"
    CERTIFICATE = "certificate"
    ACTIVITY = "activity"
    OTHER = "other"


class InvoiceStatus(enum.StrEnum):
    """Stored status: an invoice is issued or cancelled by a credit note.

    Paid, partial and overdue are computed from allocations and dates, never stored.
    """

    ISSUED = "issued"
    CANCELLED = "cancelled"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    DEBIT = "debit"
    CREDIT_CARD = "credit_card"
    CERTIFIED_CHEQUE = "certified_cheque"
    CHEQUE = "cheque"
    ONLINE = "online"
    """Paid by card on the family portal and reported by its payment processor (« en
    ligne »): brand, last 4, authorization number and the processor's transaction id."""


class RefundMethod(enum.StrEnum):
    CASH = "cash"
    CHEQUE = "cheque"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ActivityKind(enum.StrEnum):
    OUTING = "outing"
    FUNDRAISING = "fundraising"
    EVENT = "event"

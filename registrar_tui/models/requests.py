"""What families submit through the portal: identity changes and re-enrolment requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import ChangeTarget, ReenrolmentKind, RequestStatus, enum_column

_DECIDED = (
    "(status = 'pending' AND decided_at IS NULL) "
    "OR (status <> 'pending' AND decided_at IS NOT NULL)"
)


class ChangeRequest(SQLModel, table=True):
    """A family's request to change a guardian's or a student's identity data."""

    __tablename__ = "change_request"
    __table_args__ = (
        CheckConstraint(_DECIDED, name="decided"),
        CheckConstraint(
            "status <> 'rejected' OR length(decision_reason) > 0", name="rejection_reason"
        ),
        UniqueConstraint("submitted_by_id", "client_reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    target_kind: ChangeTarget = Field(sa_column=enum_column(ChangeTarget))
    target_id: int
    status: RequestStatus = Field(
        default=RequestStatus.PENDING, sa_column=enum_column(RequestStatus, index=True)
    )
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decision_reason: str = Field(default="")
    message_id: int | None = None
    """The outbox message the decision queued (None: none queued, or withdrawn by an undo).
    No foreign key: undoing a decision deletes its unsent message from the outbox."""
    submitted_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    """Who sent it: the portal's account (role portal), or the clerk who recorded it at
    the counter. None for a request recorded before this was kept."""
    client_reference: str | None = Field(default=None, max_length=64)
    """The submitter's own id for this submission (the portal's idempotency key): the
    same reference from the same account is the same request, never a second one."""
    request_fingerprint: str | None = Field(default=None, max_length=64)
    """SHA-256 of what was submitted with `client_reference`: a retry must match it."""


class ChangeRequestField(SQLModel, table=True):
    """One field of a change request: value when submitted → requested value."""

    __tablename__ = "change_request_field"
    __table_args__ = (UniqueConstraint("request_id", "field_name"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="change_request.id", index=True)
    field_name: str = Field(max_length=64)
    value_at_submission: str = Field(default="")
    requested_value: str = Field(default="")
    applied: bool | None = None


class ChangeDecisionEffect(SQLModel, table=True):
    """One value a change request's approval wrote: the decided record's, or a household
    member's moved with it. Undoing the decision puts `before_value` back (then the rows go).
    """

    __tablename__ = "change_decision_effect"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="change_request.id", index=True)
    target_kind: ChangeTarget = Field(sa_column=enum_column(ChangeTarget))
    target_id: int
    field_name: str = Field(max_length=64)
    before_value: str = Field(default="")
    after_value: str = Field(default="")


class ReenrolmentRequest(SQLModel, table=True):
    """A family's request to re-enrol a student for the next term."""

    __tablename__ = "reenrolment_request"
    __table_args__ = (
        CheckConstraint(_DECIDED, name="decided"),
        CheckConstraint(
            "status <> 'rejected' OR length(decision_reason) > 0", name="rejection_reason"
        ),
        Index(
            "uq_reenrolment_request_one_pending",
            "student_id",
            "term_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        UniqueConstraint("submitted_by_id", "client_reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    term_id: int = Field(foreign_key="term.id")
    kind: ReenrolmentKind = Field(sa_column=enum_column(ReenrolmentKind))
    note: str = Field(default="")
    status: RequestStatus = Field(
        default=RequestStatus.PENDING, sa_column=enum_column(RequestStatus, index=True)
    )
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decision_reason: str = Field(default="")
    submitted_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    """Who sent it: the portal's account (role portal), or the clerk who recorded it at
    the counter. None for a request recorded before this was kept."""
    client_reference: str | None = Field(default=None, max_length=64)
    """The submitter's own id for this submission (the portal's idempotency key): the
    same reference from the same account is the same request, never a second one."""
    request_fingerprint: str | None = Field(default=None, max_length=64)
    """SHA-256 of what was submitted with `client_reference`: a retry must match it."""


class ReenrolmentRequestDiscipline(SQLModel, table=True):
    __tablename__ = "reenrolment_request_discipline"

    request_id: int = Field(foreign_key="reenrolment_request.id", primary_key=True)
    discipline_id: int = Field(foreign_key="discipline.id", primary_key=True)

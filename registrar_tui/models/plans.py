"""Payment plans (échéancier, entente de paiement): a family's balance in instalments.

A plan is made once and never edited: its instalments are append-only (database
triggers), and the plan row changes only its state, from active to cancelled (by a
registrar, with a reason) or to completed (every instalment paid, noted when the family's
next plan is made). A family has at most one active plan (a partial unique index).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import enum_column
from registrar_tui.models.money import cents_column


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class PaymentPlan(SQLModel, table=True):
    """A family's balance split into instalments with due dates, agreed at the counter."""

    __tablename__ = "payment_plan"
    __table_args__ = (
        CheckConstraint("balance_cents > 0", name="balance"),
        CheckConstraint("payments_after_id >= 0", name="payments_after"),
        CheckConstraint(
            "status <> 'cancelled' OR (cancelled_at IS NOT NULL "
            "AND cancelled_by_id IS NOT NULL AND length(cancel_reason) > 0)",
            name="cancelled_fields",
        ),
        CheckConstraint(
            "status <> 'completed' OR completed_at IS NOT NULL", name="completed_fields"
        ),
        Index(
            "uq_payment_plan_family_active",
            "family_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    created_at: datetime
    created_by_id: int = Field(foreign_key="staff_user.id")
    balance: Decimal = Field(sa_column=cents_column("balance_cents"))
    """The family's balance the plan covers: the sum of its instalments."""
    payments_after_id: int = Field(default=0)
    """The family's last payment when the plan was made (0: none): the payments posted
    after it (a higher id) pay the instalments. An id rather than an instant, since a
    payment and the plan may share the same second; the family's row lock orders them."""
    status: PlanStatus = Field(sa_column=enum_column(PlanStatus))
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    cancel_reason: str | None = None
    completed_at: datetime | None = None


class PaymentPlanInstalment(SQLModel, table=True):
    """One instalment of a plan: its rank, due date and amount. Never edited."""

    __tablename__ = "payment_plan_instalment"
    __table_args__ = (
        UniqueConstraint("plan_id", "sequence"),
        UniqueConstraint("plan_id", "due_on"),
        CheckConstraint("amount_cents > 0", name="amount"),
        CheckConstraint("sequence >= 1", name="sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="payment_plan.id", index=True)
    sequence: int
    due_on: date
    amount: Decimal = Field(sa_column=cents_column("amount_cents"))

"""Tuition tax slips (Relevé 8, T2202) and the fee codes whose fees are eligible tuition.

A slip is append-only: an amendment (« A ») or a cancellation (« D ») is a new row that
names the slip it replaces; an issued slip is never edited. Its PDF is rendered from the
row itself (every box is stored), so the same slip always prints the same way.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import enum_column
from registrar_tui.models.money import cents_column


class SlipKind(enum.StrEnum):
    RL8 = "rl8"
    """Relevé 8 (Revenu Québec)."""
    T2202 = "t2202"
    """T2202, Tuition and Enrolment Certificate (CRA)."""


class SlipStatus(enum.StrEnum):
    """Revenu Québec's codes (the T2202 prints CRA's O/A/C for the same three)."""

    ORIGINAL = "R"
    AMENDED = "A"
    CANCELLED = "D"


class TaxFeeCode(SQLModel, table=True):
    """A fee code (`InvoiceLine.fee_code`) the admin marked as eligible tuition.

    Voluntary lines are never tuition, whatever their code (services/tax_slips/amounts.py).
    """

    __tablename__ = "tax_fee_code"

    code: str = Field(primary_key=True, max_length=16)
    marked_at: datetime
    marked_by_id: int = Field(foreign_key="staff_user.id")


class TaxSlip(SQLModel, table=True):
    """One slip of one student for one calendar year: original, amendment or cancellation."""

    __tablename__ = "tax_slip"
    __table_args__ = (
        UniqueConstraint("year", "kind", "number"),
        UniqueConstraint("amends_id"),
        CheckConstraint(
            "(status = 'R' AND amends_id IS NULL) OR (status <> 'R' AND amends_id IS NOT NULL)",
            name="amends_when_not_original",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    kind: SlipKind = Field(sa_column=enum_column(SlipKind))
    number: int
    """Gapless per year and kind, from 1 (`number_sequence` key `slip-<kind>-<year>`)."""
    status: SlipStatus = Field(sa_column=enum_column(SlipStatus))
    amends_id: int | None = Field(default=None, foreign_key="tax_slip.id")
    """The slip this one amends or cancels (None for an original); each slip is replaced
    at most once, so the latest slip of a chain is the one without a successor."""
    student_id: int = Field(foreign_key="student.id", index=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    eligible_tuition: Decimal = Field(sa_column=cents_column("eligible_tuition_cents"))
    """RL-8 box B and T2202 box 26: eligible tuition paid in the year."""
    full_time_sessions: int = Field(default=0)
    """RL-8 box A: full-time post-secondary sessions begun and completed in the year."""
    months_part_time: int = Field(default=0)
    """T2202 box 24."""
    months_full_time: int = Field(default=0)
    """T2202 box 25."""
    periods: str = Field(default="")
    """T2202 boxes 19-23, one session period a line: `YYYY-MM YYYY-MM part full`."""
    program_name: str = Field(default="", max_length=30)
    """T2202 box 13."""
    has_sin: bool
    """Whether the student's SIN was on file when the slip was built (box 17 blank if not)."""
    built_at: datetime
    built_by_id: int = Field(foreign_key="staff_user.id")

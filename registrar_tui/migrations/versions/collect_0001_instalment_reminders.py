"""Reminders of a payment plan's overdue instalments

Revision ID: collect_0001
Revises: deposits_0001
Create Date: 2026-12-04 21:00:00

A family behind on its payment plan is reminded of its overdue instalments (issue #16
part 2): `reminder.instalment_id` names the instalment, and an instalment gets each level
once only, as an invoice does (a unique index: NULL instalments, for invoices, are
distinct).
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "collect_0001"
down_revision: str | Sequence[str] | None = "deposits_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_reminder_instalment_id_level", "reminder", ["instalment_id", "level"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_reminder_instalment_id_level", table_name="reminder")

"""Enrolment: the invoice a course added at the counter was billed on

Revision ID: fees_0001
Revises: 0005_guardian_sin
Create Date: 2026-12-04 08:00:00

A course added at the counter is billed its tuition (and, once the term has started, the
schedule-change fee) on an invoice of its own; dropping it the same day cancels that
invoice by a credit note. The enrolment names the invoice so the drop finds exactly it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "fees_0001"
down_revision: str | Sequence[str] | None = "queue_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key only by rebuilding the table.
    with op.batch_alter_table("enrolment") as batch:
        batch.add_column(sa.Column("added_invoice_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_enrolment_added_invoice_id_invoice", "invoice", ["added_invoice_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_constraint("fk_enrolment_added_invoice_id_invoice", type_="foreignkey")
        batch.drop_column("added_invoice_id")

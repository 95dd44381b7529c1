"""Guardian: an optional social insurance number (for tax slips)

Revision ID: 0005_guardian_sin
Revises: 0004_receipt_chain_index
Create Date: 2026-11-23 15:00:00

Stored only when a tax slip needs it; the application shows it masked (`*** *** 123`)
everywhere except the one audited reveal of the guardian edit form (services/records/sin.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_guardian_sin"
down_revision: str | Sequence[str] | None = "0004_receipt_chain_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (nullable): no batch copy of the table on SQLite.
    op.add_column(
        "guardian", sa.Column("social_insurance_number", sa.String(length=9), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("guardian") as batch:
        batch.drop_column("social_insurance_number")

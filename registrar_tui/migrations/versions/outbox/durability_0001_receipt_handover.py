"""Receipt handover: the pending work of a posted payment (original PDF, e-mail, print)

Revision ID: durability_0001
Revises: 0005_guardian_sin
Create Date: 2026-12-04 07:31:49

Written in the payment's transaction and completed exactly once afterwards (by the
payment screen, by the app at its next start, or by `registrar-tui receipts resume`).
Payments posted before this revision have no row: nothing is pending for them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "durability_0001"
down_revision: str | Sequence[str] | None = "ledger_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipt_handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("pdf_path", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("email_done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("emailed_to", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("print_requested", sa.Boolean(), nullable=False),
        sa.Column("print_attempted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_receipt_handover_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_handover")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_receipt_handover_payment_id")),
    )
    op.create_index(
        op.f("ix_receipt_handover_completed_at"), "receipt_handover", ["completed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_receipt_handover_completed_at"), table_name="receipt_handover")
    op.drop_table("receipt_handover")

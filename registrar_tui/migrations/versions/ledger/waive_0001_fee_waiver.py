"""Fee waivers: credit notes for one line of an invoice, allocations that continue a reversed one

Revision ID: waive_0001
Revises: durability_0001
Create Date: 2026-12-04 09:00:00

A credit note names the line it waives (`invoice_line_id`, at most one note per line);
one without a line cancels the whole invoice, at most one per invoice (a partial unique
index replaces the former unique `invoice_id`). Existing notes all cancel an invoice:
their line stays NULL, so their ledger-chain digests are unchanged.

An allocation may continue one that a waiver reversed (`reallocates_id`): what the
payment still pays on the invoice once the excess went back to family credit.

SQLite changes a constraint only by rebuilding the table, which drops its append-only
triggers (0002_append_only): they are created again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "waive_0001"
down_revision: str | Sequence[str] | None = "durability_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHOLE_INVOICE = sa.text("invoice_line_id IS NULL")


def _sqlite_triggers() -> None:
    for table in ("credit_note", "allocation"):
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()}")
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} "
                f"ON {table} BEGIN SELECT RAISE(ABORT, "
                f"'append-only: {operation} on {table} refused'); END"
            )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("credit_note") as batch:
        batch.drop_constraint("uq_credit_note_invoice_id", type_="unique")
        batch.add_column(sa.Column("invoice_line_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_credit_note_invoice_line_id_invoice_line",
            "invoice_line",
            ["invoice_line_id"],
            ["id"],
        )
        batch.create_unique_constraint("uq_credit_note_invoice_line_id", ["invoice_line_id"])
    op.create_index("ix_credit_note_invoice_id", "credit_note", ["invoice_id"], unique=False)
    op.create_index(
        "uq_credit_note_invoice_cancelled",
        "credit_note",
        ["invoice_id"],
        unique=True,
        sqlite_where=_WHOLE_INVOICE,
        postgresql_where=_WHOLE_INVOICE,
    )
    with op.batch_alter_table("allocation") as batch:
        batch.add_column(sa.Column("reallocates_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_allocation_reallocates_id_allocation", "allocation", ["reallocates_id"], ["id"]
        )
        batch.create_unique_constraint("uq_allocation_reallocates_id", ["reallocates_id"])
    if dialect == "sqlite":
        _sqlite_triggers()


def downgrade() -> None:
    # Refused by the unique constraint if an invoice has line notes: they cannot go back
    # to one note per invoice without losing money records.
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("allocation") as batch:
        batch.drop_constraint("uq_allocation_reallocates_id", type_="unique")
        batch.drop_constraint("fk_allocation_reallocates_id_allocation", type_="foreignkey")
        batch.drop_column("reallocates_id")
    op.drop_index("uq_credit_note_invoice_cancelled", table_name="credit_note")
    op.drop_index("ix_credit_note_invoice_id", table_name="credit_note")
    with op.batch_alter_table("credit_note") as batch:
        batch.drop_constraint("uq_credit_note_invoice_line_id", type_="unique")
        batch.drop_constraint("fk_credit_note_invoice_line_id_invoice_line", type_="foreignkey")
        batch.drop_column("invoice_line_id")
        batch.create_unique_constraint("uq_credit_note_invoice_id", ["invoice_id"])
    if dialect == "sqlite":
        _sqlite_triggers()

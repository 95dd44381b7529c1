"""The whole ledger append-only and hash-chained; contribution choices as rows

Revision ID: ledger_0001
Revises: 0005_guardian_sin
Create Date: 2026-12-04 08:00:00

- `contribution_choice`: declining or restoring a voluntary line is a row (the line's
  latest choice wins) instead of an UPDATE of `invoice_line.is_declined`, which goes.
  Lines declined before this revision get one choice each, dated and signed by their
  latest `contribution.decline` audit event (else the invoice's creation, nobody).
- `ledger_link`: the ledger hash chain (services/audit/ledger_chain.py). This revision
  builds it for every existing money record (invoices, lines, choices, payments,
  allocations, voids, refunds, credit notes), kind by kind, oldest first; the services
  link what they write from then on.
- Append-only triggers (as 0002_append_only) on `invoice`, `invoice_line`,
  `contribution_choice` and `ledger_link`.

The downgrade gives `is_declined` back from the latest choices and drops the rest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from registrar_tui.services.audit.ledger_chain import link_unlinked

# revision identifiers, used by Alembic.
revision: str = "ledger_0001"
down_revision: str | Sequence[str] | None = "fees_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("invoice", "invoice_line", "contribution_choice", "ledger_link")
PG_FUNCTION = "registrar_refuse_change"  # created by 0002_append_only

_DECLINED_BEFORE = """
INSERT INTO contribution_choice (invoice_line_id, declined, chosen_at, chosen_by_id)
SELECT l.id, :declined,
       coalesce((SELECT e.occurred_at FROM audit_event e
                  WHERE e.entity_type = 'invoice_line' AND e.entity_id = l.id
                    AND e.action = 'contribution.decline'
                  ORDER BY e.id DESC LIMIT 1), i.created_at),
       (SELECT e.actor_id FROM audit_event e
         WHERE e.entity_type = 'invoice_line' AND e.entity_id = l.id
           AND e.action = 'contribution.decline'
         ORDER BY e.id DESC LIMIT 1)
  FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
 WHERE l.is_declined
 ORDER BY l.id
"""
_DECLINED_NOW = """
UPDATE invoice_line SET is_declined = :declined
 WHERE EXISTS (SELECT 1 FROM contribution_choice c
                WHERE c.invoice_line_id = invoice_line.id AND c.declined
                  AND NOT EXISTS (SELECT 1 FROM contribution_choice later
                                   WHERE later.invoice_line_id = c.invoice_line_id
                                     AND later.id > c.id))
"""


def _triggers_up(dialect: str) -> None:
    for table in APPEND_ONLY_TABLES:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
            continue
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on {table} refused'); END"
            )


def _triggers_down(dialect: str) -> None:
    for table in APPEND_ONLY_TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "contribution_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_line_id", sa.Integer(), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("chosen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"],
            ["staff_user.id"],
            name=op.f("fk_contribution_choice_chosen_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_line_id"],
            ["invoice_line.id"],
            name=op.f("fk_contribution_choice_invoice_line_id_invoice_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_choice")),
    )
    op.create_index(
        op.f("ix_contribution_choice_invoice_line_id"),
        "contribution_choice",
        ["invoice_line_id"],
        unique=False,
    )
    op.create_table(
        "ledger_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("previous_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_link")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_ledger_link_kind_record_id")),
        sa.UniqueConstraint("position", name=op.f("uq_ledger_link_position")),
    )
    bind.execute(sa.text(_DECLINED_BEFORE), {"declined": True})
    with op.batch_alter_table("invoice_line") as batch:
        batch.drop_constraint(op.f("ck_invoice_line_declined_voluntary"), type_="check")
        batch.drop_column("is_declined")
    link_unlinked(bind)
    _triggers_up(bind.dialect.name)


def downgrade() -> None:
    bind = op.get_bind()
    _triggers_down(bind.dialect.name)
    op.drop_table("ledger_link")
    op.add_column(
        "invoice_line",
        sa.Column("is_declined", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    bind.execute(sa.text(_DECLINED_NOW), {"declined": True})
    with op.batch_alter_table("invoice_line") as batch:
        batch.alter_column("is_declined", server_default=None)
        batch.create_check_constraint(
            op.f("ck_invoice_line_declined_voluntary"), "NOT is_declined OR is_voluntary"
        )
    op.drop_index(op.f("ix_contribution_choice_invoice_line_id"), table_name="contribution_choice")
    op.drop_table("contribution_choice")

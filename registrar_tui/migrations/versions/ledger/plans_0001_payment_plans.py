"""Payment plans (échéancier) and their instalments

Revision ID: plans_0001
Revises: imports_0001
Create Date: 2026-12-04 17:53:46

`payment_plan` is a family's balance agreed in instalments (at most one active plan per
family: a partial unique index); `payment_plan_instalment` its instalments, append-only
(triggers, as 0002_append_only): a plan is never edited, it is cancelled and a new one
made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "plans_0001"
down_revision: str | Sequence[str] | None = "slips_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("balance_cents", sa.Integer(), nullable=False),
        sa.Column("payments_after_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "cancelled",
                "completed",
                name="planstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status <> 'cancelled' OR (cancelled_at IS NOT NULL "
            "AND cancelled_by_id IS NOT NULL AND length(cancel_reason) > 0)",
            name=op.f("ck_payment_plan_cancelled_fields"),
        ),
        sa.CheckConstraint(
            "status <> 'completed' OR completed_at IS NOT NULL",
            name=op.f("ck_payment_plan_completed_fields"),
        ),
        sa.CheckConstraint("balance_cents > 0", name=op.f("ck_payment_plan_balance")),
        sa.CheckConstraint("payments_after_id >= 0", name=op.f("ck_payment_plan_payments_after")),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["staff_user.id"],
            name=op.f("fk_payment_plan_cancelled_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_user.id"],
            name=op.f("fk_payment_plan_created_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_payment_plan_family_id_family")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plan")),
    )
    op.create_index(op.f("ix_payment_plan_family_id"), "payment_plan", ["family_id"], unique=False)
    op.create_index(
        "uq_payment_plan_family_active",
        "payment_plan",
        ["family_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "payment_plan_instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payment_plan_instalment_amount")),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_payment_plan_instalment_sequence")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["payment_plan.id"],
            name=op.f("fk_payment_plan_instalment_plan_id_payment_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plan_instalment")),
        sa.UniqueConstraint(
            "plan_id", "due_on", name=op.f("uq_payment_plan_instalment_plan_id_due_on")
        ),
        sa.UniqueConstraint(
            "plan_id", "sequence", name=op.f("uq_payment_plan_instalment_plan_id_sequence")
        ),
    )
    op.create_index(
        op.f("ix_payment_plan_instalment_plan_id"),
        "payment_plan_instalment",
        ["plan_id"],
        unique=False,
    )
    _triggers_up(op.get_bind().dialect.name)


def downgrade() -> None:
    _triggers_down(op.get_bind().dialect.name)
    op.drop_index(op.f("ix_payment_plan_instalment_plan_id"), table_name="payment_plan_instalment")
    op.drop_table("payment_plan_instalment")
    op.drop_index("uq_payment_plan_family_active", table_name="payment_plan")
    op.drop_index(op.f("ix_payment_plan_family_id"), table_name="payment_plan")
    op.drop_table("payment_plan")


APPEND_ONLY = "payment_plan_instalment"
PG_FUNCTION = "registrar_refuse_change"  # created by 0002_append_only


def _triggers_up(dialect: str) -> None:
    table = APPEND_ONLY
    if dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on {table} refused'); END"
        )


def _triggers_down(dialect: str) -> None:
    table = APPEND_ONLY
    if dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")

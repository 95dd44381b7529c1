"""Online payments: when the processor accepted the card; who closed a drawer

Revision ID: online_0001
Revises: portalreq_0001
Create Date: 2026-12-04 15:10:00

An online payment is posted when the portal reports it (`received_at`, which decides its
day close), but the parent paid earlier, when the processor accepted the card: that
instant is kept too (`paid_at`, required for method « online », NULL for the counter),
for the receipt and for the reconciliation with the processor's settlement file.

A registrar closes the portal's « en ligne » drawer, which is not theirs: a day close
says who recorded it (`day_close.closed_by_id`; NULL for the closes recorded before).

SQLite changes a constraint only by rebuilding the table, which drops the payment's
append-only triggers (0002_append_only): they are created again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "online_0001"
down_revision: str | Sequence[str] | None = "portalreq_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_triggers() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS payment_no_{operation.lower()}")
        op.execute(
            f"CREATE TRIGGER payment_no_{operation.lower()} BEFORE {operation} "
            f"ON payment BEGIN SELECT RAISE(ABORT, "
            f"'append-only: {operation} on payment refused'); END"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("payment") as batch:
        batch.add_column(sa.Column("paid_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_check_constraint("online_paid_at", "method <> 'online' OR paid_at IS NOT NULL")
    if dialect == "sqlite":
        _sqlite_triggers()
    with op.batch_alter_table("day_close") as batch:
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_day_close_closed_by_id_staff_user", "staff_user", ["closed_by_id"], ["id"]
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("day_close") as batch:
        batch.drop_constraint("fk_day_close_closed_by_id_staff_user", type_="foreignkey")
        batch.drop_column("closed_by_id")
    with op.batch_alter_table("payment") as batch:
        batch.drop_constraint(op.f("ck_payment_online_paid_at"), type_="check")
        batch.drop_column("paid_at")
    if dialect == "sqlite":
        _sqlite_triggers()

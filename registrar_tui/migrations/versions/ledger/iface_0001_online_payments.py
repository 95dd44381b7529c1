"""Online payments and the portal's account: a payment method, a role, a transaction id

Revision ID: iface_0001
Revises: perf_0001
Create Date: 2026-12-04 15:00:00

The family portal reports card payments made online (method « online »), each with the
payment processor's transaction id (unique: the same transaction reported twice posts
once) and, as for a card at the counter, brand, last 4 and authorization number. The
portal acts through a staff account of its own (role « portal ») that never signs in.

SQLite changes a constraint only by rebuilding the table, which drops the payment's
append-only triggers (0002_append_only): they are created again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "iface_0001"
down_revision: str | Sequence[str] | None = "perf_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_METHODS = ("cash", "debit", "credit_card", "certified_cheque", "cheque")
_ROLES = ("clerk", "registrar", "admin")
_ONLINE_FIELDS = (
    "method <> 'online' OR (processor_transaction_id IS NOT NULL "
    "AND card_last4 IS NOT NULL AND authorization_number IS NOT NULL)"
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


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
        batch.drop_constraint(op.f("ck_payment_paymentmethod"), type_="check")
        batch.create_check_constraint("paymentmethod", _in("method", (*_METHODS, "online")))
        batch.add_column(sa.Column("processor_transaction_id", sa.String(64), nullable=True))
        batch.create_unique_constraint(
            "uq_payment_processor_transaction_id", ["processor_transaction_id"]
        )
        batch.create_check_constraint("online_fields", _ONLINE_FIELDS)
    with op.batch_alter_table("day_close_total") as batch:
        batch.drop_constraint(op.f("ck_day_close_total_paymentmethod"), type_="check")
        batch.create_check_constraint("paymentmethod", _in("method", (*_METHODS, "online")))
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_constraint(op.f("ck_staff_user_role"), type_="check")
        batch.create_check_constraint("role", _in("role", (*_ROLES, "portal")))
    if dialect == "sqlite":
        _sqlite_triggers()


def downgrade() -> None:
    # Refused by the constraints when online payments or portal accounts exist: money
    # records are never dropped to go back.
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_constraint(op.f("ck_staff_user_role"), type_="check")
        batch.create_check_constraint("role", _in("role", _ROLES))
    with op.batch_alter_table("day_close_total") as batch:
        batch.drop_constraint(op.f("ck_day_close_total_paymentmethod"), type_="check")
        batch.create_check_constraint("paymentmethod", _in("method", _METHODS))
    with op.batch_alter_table("payment") as batch:
        batch.drop_constraint(op.f("ck_payment_online_fields"), type_="check")
        batch.drop_constraint("uq_payment_processor_transaction_id", type_="unique")
        batch.drop_column("processor_transaction_id")
        batch.drop_constraint(op.f("ck_payment_paymentmethod"), type_="check")
        batch.create_check_constraint("paymentmethod", _in("method", _METHODS))
    if dialect == "sqlite":
        _sqlite_triggers()

"""Bank deposits: the cash and cheques of closed drawers taken to the bank

Revision ID: deposits_0001
Revises: imports_0001
Create Date: 2026-12-04 17:54:02

`deposit` is one deposit slip of an establishment, numbered without a gap; prepared, then
made (locked) or abandoned. `deposit_item` holds its payments, each in one deposit only
(unique `payment_id`); `deposit_adjustment` takes back, once, a payment voided after its
deposit was made or a cash refund handed out of a drawer; `deposit_cash_count` is the
count of the cash by denomination.

Triggers lock a deposit once it is made or abandoned: the row never changes again and its
lines (payments, adjustments, count) are never added, changed or removed; a line never
changes at all (abandoning a prepared deposit removes its payment and adjustment lines).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "deposits_0001"
down_revision: str | Sequence[str] | None = "reminders_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


LINE_TABLES = ("deposit_item", "deposit_adjustment", "deposit_cash_count")
PG_FUNCTION = "registrar_deposit_locked"
_REFUSAL = "locked: a made or abandoned deposit never changes"


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER deposit_locked BEFORE UPDATE ON deposit WHEN OLD.status <> 'prepared' "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    )
    op.execute(
        "CREATE TRIGGER deposit_no_delete BEFORE DELETE ON deposit "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    )
    for table in LINE_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
        )
        for operation, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table}_locked_{operation.lower()} BEFORE {operation} "
                f"ON {table} WHEN (SELECT status FROM deposit WHERE id = {row}.deposit_id) "
                f"<> 'prepared' BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
            )


def _sqlite_drop_triggers() -> None:
    op.execute("DROP TRIGGER IF EXISTS deposit_locked")
    op.execute("DROP TRIGGER IF EXISTS deposit_no_delete")
    for table in LINE_TABLES:
        for name in ("no_update", "locked_insert", "locked_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")


def _pg_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            parent_status text;
        BEGIN
            IF TG_TABLE_NAME = 'deposit' THEN
                IF TG_OP = 'DELETE' OR OLD.status <> 'prepared' THEN
                    RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END IF;
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                SELECT status INTO parent_status FROM deposit WHERE id = OLD.deposit_id;
            ELSE
                SELECT status INTO parent_status FROM deposit WHERE id = NEW.deposit_id;
            END IF;
            IF parent_status <> 'prepared' THEN
                RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER deposit_locked BEFORE UPDATE OR DELETE ON deposit "
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
    )
    for table in LINE_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_locked BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )


def _pg_drop_triggers() -> None:
    op.execute("DROP TRIGGER IF EXISTS deposit_locked ON deposit")
    for table in LINE_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_locked ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")


def upgrade() -> None:
    op.create_table(
        "deposit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "prepared",
                "made",
                "abandoned",
                name="depositstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("prepared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), nullable=False),
        sa.Column("made_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("abandoned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("abandoned_by_id", sa.Integer(), nullable=True),
        sa.Column("cash_total_cents", sa.Integer(), nullable=False),
        sa.Column("cheque_total_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status <> 'made' OR (made_at IS NOT NULL AND made_by_id IS NOT NULL)",
            name=op.f("ck_deposit_made"),
        ),
        sa.CheckConstraint("cash_total_cents >= 0", name=op.f("ck_deposit_cash_total")),
        sa.CheckConstraint("cheque_total_cents >= 0", name=op.f("ck_deposit_cheque_total")),
        sa.CheckConstraint("number > 0", name=op.f("ck_deposit_number")),
        sa.ForeignKeyConstraint(
            ["abandoned_by_id"],
            ["staff_user.id"],
            name=op.f("fk_deposit_abandoned_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishment.id"],
            name=op.f("fk_deposit_establishment_id_establishment"),
        ),
        sa.ForeignKeyConstraint(
            ["made_by_id"], ["staff_user.id"], name=op.f("fk_deposit_made_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"], ["staff_user.id"], name=op.f("fk_deposit_prepared_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit")),
        sa.UniqueConstraint(
            "establishment_id", "number", name=op.f("uq_deposit_establishment_id_number")
        ),
    )
    op.create_index(
        op.f("ix_deposit_establishment_id"), "deposit", ["establishment_id"], unique=False
    )
    op.create_table(
        "deposit_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("original_deposit_id", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_cents < 0", name=op.f("ck_deposit_adjustment_amount")),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (refund_id IS NULL)",
            name=op.f("ck_deposit_adjustment_one_source"),
        ),
        sa.CheckConstraint(
            "payment_id IS NULL OR original_deposit_id IS NOT NULL",
            name=op.f("ck_deposit_adjustment_original_deposit"),
        ),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["deposit.id"], name=op.f("fk_deposit_adjustment_deposit_id_deposit")
        ),
        sa.ForeignKeyConstraint(
            ["original_deposit_id"],
            ["deposit.id"],
            name=op.f("fk_deposit_adjustment_original_deposit_id_deposit"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_deposit_adjustment_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_deposit_adjustment_refund_id_refund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_adjustment")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_deposit_adjustment_payment_id")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_deposit_adjustment_refund_id")),
    )
    op.create_index(
        op.f("ix_deposit_adjustment_deposit_id"), "deposit_adjustment", ["deposit_id"], unique=False
    )
    op.create_table(
        "deposit_cash_count",
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("denomination_cents", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "denomination_cents > 0", name=op.f("ck_deposit_cash_count_denomination")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_deposit_cash_count_quantity")),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["deposit.id"], name=op.f("fk_deposit_cash_count_deposit_id_deposit")
        ),
        sa.PrimaryKeyConstraint(
            "deposit_id", "denomination_cents", name=op.f("pk_deposit_cash_count")
        ),
    )
    op.create_table(
        "deposit_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_deposit_item_amount")),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["deposit.id"], name=op.f("fk_deposit_item_deposit_id_deposit")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_deposit_item_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_item")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_deposit_item_payment_id")),
    )
    op.create_index(
        op.f("ix_deposit_item_deposit_id"), "deposit_item", ["deposit_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        _pg_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_drop_triggers()
    else:
        _sqlite_drop_triggers()
    op.drop_index(op.f("ix_deposit_item_deposit_id"), table_name="deposit_item")
    op.drop_table("deposit_item")
    op.drop_table("deposit_cash_count")
    op.drop_index(op.f("ix_deposit_adjustment_deposit_id"), table_name="deposit_adjustment")
    op.drop_table("deposit_adjustment")
    op.drop_index(op.f("ix_deposit_establishment_id"), table_name="deposit")
    op.drop_table("deposit")

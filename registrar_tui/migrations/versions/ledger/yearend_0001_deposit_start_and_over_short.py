"""Deposits: the date an establishment's deposits start, and the day closes' over/short

Revision ID: yearend_0001
Revises: collect_0001
Create Date: 2026-12-04 21:00:00

`establishment.deposits_start_on`: the first day whose cash and cheques go to the bank
through deposits (set once, before the first deposit); NULL: deposits not started, nothing
is offered (a school's older years were banked before the program knew of deposits).

`deposit_over_short`: a day close that counted more or less cash than expected, taken once
into a deposit (unique `day_close_id`) with its difference (counted − expected), so that
the deposit's cash is the cash the drawers actually held. Locked with the deposit like its
other lines (the same triggers, the same PostgreSQL function).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "yearend_0001"
down_revision: str | Sequence[str] | None = "collect_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "deposit_over_short"
PG_FUNCTION = "registrar_deposit_locked"
_REFUSAL = "locked: a made or abandoned deposit never changes"


def _sqlite_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    )
    for operation, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
        op.execute(
            f"CREATE TRIGGER {TABLE}_locked_{operation.lower()} BEFORE {operation} "
            f"ON {TABLE} WHEN (SELECT status FROM deposit WHERE id = {row}.deposit_id) "
            f"<> 'prepared' BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
        )


def upgrade() -> None:
    op.add_column("establishment", sa.Column("deposits_start_on", sa.Date(), nullable=True))
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("day_close_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_cents <> 0", name=op.f("ck_deposit_over_short_amount")),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["deposit.id"], name=op.f("fk_deposit_over_short_deposit_id_deposit")
        ),
        sa.ForeignKeyConstraint(
            ["day_close_id"],
            ["day_close.id"],
            name=op.f("fk_deposit_over_short_day_close_id_day_close"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_over_short")),
        sa.UniqueConstraint("day_close_id", name=op.f("uq_deposit_over_short_day_close_id")),
    )
    op.create_index(
        op.f("ix_deposit_over_short_deposit_id"), TABLE, ["deposit_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_locked BEFORE INSERT OR UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_locked ON {TABLE}")
    else:
        for name in ("no_update", "locked_insert", "locked_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
    op.drop_index(op.f("ix_deposit_over_short_deposit_id"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("establishment") as batch:
        batch.drop_column("deposits_start_on")

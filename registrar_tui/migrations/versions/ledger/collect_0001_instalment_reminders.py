"""Reminders of a payment plan's overdue instalments; running receivables by due date

Revision ID: collect_0001
Revises: speed_0001
Create Date: 2026-12-04 21:00:00

A family behind on its payment plan is reminded of its overdue instalments (issue #16
part 2): `reminder.instalment_id` names the instalment, and an instalment gets each level
once only, as an invoice does (a unique index: NULL instalments, for invoices, are
distinct).

`receivable_by_due_date` holds what the invoices owe summed by issue and due date, for
the office dashboard (issue #16 part 5): filled from the ledger here, then kept by
triggers on every row that changes a balance, in the writer's transaction:
an invoice line adds its amount; an allocation (a void's reversal is negative) and a
credit note take theirs off; a contribution choice that changes whether a voluntary line
is declined (against the line's previous choice, by id, as the statement reads it) takes
the line off or puts it back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "collect_0001"
down_revision: str | Sequence[str] | None = "speed_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = (
    "INSERT INTO receivable_by_due_date (issued_on, due_on, owed_cents) {select} "
    "ON CONFLICT (issued_on, due_on) "
    "DO UPDATE SET owed_cents = receivable_by_due_date.owed_cents + excluded.owed_cents"
)
_PREVIOUS_DECLINED = (
    "COALESCE((SELECT c.declined FROM contribution_choice c "
    "WHERE c.invoice_line_id = NEW.invoice_line_id AND c.id < NEW.id "
    "ORDER BY c.id DESC LIMIT 1), FALSE)"
)
# The table each trigger watches and the rows it adds (NEW is the inserted row).
_EFFECTS = {
    "invoice_line": (
        "SELECT i.issued_on, i.due_on, NEW.amount_cents FROM invoice i WHERE i.id = NEW.invoice_id"
    ),
    "allocation": (
        "SELECT i.issued_on, i.due_on, -NEW.amount_cents FROM invoice i WHERE i.id = NEW.invoice_id"
    ),
    "credit_note": (
        "SELECT i.issued_on, i.due_on, -NEW.amount_cents FROM invoice i WHERE i.id = NEW.invoice_id"
    ),
    "contribution_choice": (
        "SELECT i.issued_on, i.due_on, "
        "CASE WHEN NEW.declined THEN -l.amount_cents ELSE l.amount_cents END "
        "FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
        f"WHERE l.id = NEW.invoice_line_id AND l.is_voluntary "
        f"AND NEW.declined <> {_PREVIOUS_DECLINED}"
    ),
}
_BACKFILL = """
INSERT INTO receivable_by_due_date (issued_on, due_on, owed_cents)
SELECT issued_on, due_on, SUM(amount) FROM (
    SELECT i.issued_on, i.due_on, l.amount_cents AS amount
    FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
    UNION ALL
    SELECT i.issued_on, i.due_on, -a.amount_cents
    FROM allocation a JOIN invoice i ON i.id = a.invoice_id
    UNION ALL
    SELECT i.issued_on, i.due_on, -n.amount_cents
    FROM credit_note n JOIN invoice i ON i.id = n.invoice_id
    UNION ALL
    SELECT i.issued_on, i.due_on, -l.amount_cents
    FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
    WHERE l.is_voluntary AND COALESCE((
        SELECT c.declined FROM contribution_choice c WHERE c.invoice_line_id = l.id
        ORDER BY c.id DESC LIMIT 1), FALSE)
) effects
GROUP BY issued_on, due_on
"""


def _function(table: str) -> str:
    return f"registrar_receivable_{table}"


def upgrade() -> None:
    op.create_index(
        "uq_reminder_instalment_id_level", "reminder", ["instalment_id", "level"], unique=True
    )
    op.create_table(
        "receivable_by_due_date",
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owed_cents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("issued_on", "due_on", name=op.f("pk_receivable_by_due_date")),
    )
    op.execute(_BACKFILL)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, select in _EFFECTS.items():
        upsert = _UPSERT.format(select=select)
        if postgresql:
            op.execute(
                f"CREATE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {upsert}; RETURN NEW; END $$"
            )
            op.execute(
                f"CREATE TRIGGER receivable_{table} AFTER INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER receivable_{table} AFTER INSERT ON {table} BEGIN {upsert}; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _EFFECTS:
        op.execute(
            f"DROP TRIGGER IF EXISTS receivable_{table}" + (f" ON {table}" if postgresql else "")
        )
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {_function(table)}()")
    op.drop_table("receivable_by_due_date")
    op.drop_index("uq_reminder_instalment_id_level", table_name="reminder")

"""Running receivables by due date: kept at commit on PostgreSQL (deferred triggers)

Revision ID: chains2_0001
Revises: yearend_0001
Create Date: 2026-12-05 00:30:00

`receivable_by_due_date` (collect_0001) is kept by a trigger on each row that changes a
balance. Every invoice of a term shares its issue and due dates, so every payment of the
term updates the same row: on PostgreSQL its lock was taken at the allocation's insert
and held to the commit, and every payment of the term waited for it from that moment,
behind whatever the payment did next (receipt, chains, the receipt's content). The same
functions now run as constraint triggers deferred to the commit: the row is locked for
the commit only, once the writer holds the chains' locks that serialise it anyway. The
sums are the same (each row's effect is added once, at commit instead of at insert);
nothing reads them inside the writing transaction. SQLite keeps its triggers: it has
one writer at a time.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "chains2_0001"
down_revision: str | Sequence[str] | None = "yearend_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("invoice_line", "allocation", "credit_note", "contribution_choice")


def _function(table: str) -> str:
    return f"registrar_receivable_{table}"  # created by collect_0001


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER receivable_{table} ON {table}")
        op.execute(
            f"CREATE CONSTRAINT TRIGGER receivable_{table} AFTER INSERT ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER receivable_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER receivable_{table} AFTER INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
        )

"""An audited write's lock of the audit chain and the chain's last link in one call (PostgreSQL)

Revision ID: auditheads_0001
Revises: heads_0001
Create Date: 2026-12-05 07:30:00

Every audited write (a change request, a receipt's handover, the API's access log, most
of what the staff record) appends to one chain: it took the chain's lock in one
statement and read the last link in a second one (a statement that waited for a lock
still reads what was committed when it began), then inserted its event. Every other
audited write waits for that lock. `registrar_audit_chain_head` takes the lock and reads
the last link in one round trip, as `registrar_payment_chain_heads` does for payments:
inside a function each statement takes a fresh snapshot. SQLite has one writer at a
time and keeps the statements as they were.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "auditheads_0001"
down_revision: str | Sequence[str] | None = "heads_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION registrar_audit_chain_head(
    lock_key text, OUT locked integer, OUT previous_event text
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- The row missing (the chain's first writer): nothing locked; the caller creates it
    -- and calls again (services/audit/record.py, record_event).
    PERFORM 1 FROM number_sequence WHERE key = lock_key FOR UPDATE;
    GET DIAGNOSTICS locked = ROW_COUNT;
    IF locked = 0 THEN
        RETURN;
    END IF;
    -- Sees what was committed before the lock was granted.
    SELECT hash INTO previous_event FROM audit_event ORDER BY id DESC LIMIT 1;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION registrar_audit_chain_head(text)")

"""A payment's chain locks and the chains' last links in one call (PostgreSQL)

Revision ID: heads_0001
Revises: chains2_0001
Create Date: 2026-12-05 04:20:00

A payment's last writes hold the locks every other payment waits for (its
establishment's receipt chain, its yearly counter, the ledger's chain, the audit's):
they were taken in one statement, then the counter bumped and the three last links read
in a second one, since a statement that waited for a lock still reads what was committed
when it began. `registrar_payment_chain_heads` does both in one round trip: inside a
function each statement takes a fresh snapshot, so the links it reads after taking the
locks are the last ones. The locks are held for one round trip less. SQLite has one
writer at a time and keeps the statements as they were.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "heads_0001"
down_revision: str | Sequence[str] | None = "chains2_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION registrar_payment_chain_heads(
    lock_keys text[], counter_key text, establishment integer,
    OUT locked integer, OUT sequence integer, OUT previous_receipt text,
    OUT ledger_position integer, OUT previous_link text, OUT previous_event text
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- A row missing (a chain's first writer): none locked, nothing bumped; the caller
    -- creates the rows and calls again (services/audit/record.py, take_sequence_locks).
    IF (SELECT count(*) FROM number_sequence WHERE key = ANY(lock_keys))
            < cardinality(lock_keys) THEN
        locked := 0;
        RETURN;
    END IF;
    -- In the order given (every writer's order): rows are locked as the sort yields them.
    PERFORM 1 FROM number_sequence WHERE key = ANY(lock_keys)
        ORDER BY array_position(lock_keys, key::text) FOR UPDATE;
    GET DIAGNOSTICS locked = ROW_COUNT;
    -- Each statement below sees what was committed before the locks were granted.
    UPDATE number_sequence SET last_value = last_value + 1 WHERE key = counter_key
        RETURNING last_value INTO sequence;
    SELECT hash INTO previous_receipt FROM receipt
        WHERE establishment_id = establishment ORDER BY id DESC LIMIT 1;
    SELECT position, hash INTO ledger_position, previous_link FROM ledger_link
        ORDER BY position DESC LIMIT 1;
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
    op.execute(
        "DROP FUNCTION registrar_payment_chain_heads(text[], text, integer)"
    )

"""A payment's receipt, ledger links and audit event chained in one call (PostgreSQL)

Revision ID: chainone_0001
Revises: toast_0001
Create Date: 2026-12-05 11:30:00

Every payment, at every counter and from the portal, waits for the chains' locks (its
establishment's receipts, the ledger, the audit trail). A payment took them in one call
(`registrar_payment_chain_heads`), computed its links' hashes in the program, then wrote
them in a second statement: between the two, the process holding the locks every other
payment waits for had to be given a processor again. Under 20 clerks on 2 cores, 3 to 4
payments were queued on them at any instant.

`registrar_chain_payment` does it all under the locks: the counter bumped, the receipt's
number made, the three chains' last links read, each new link's SHA-256 computed over the
previous link's hash and the canonical content the program prepared around the two values
only known under the locks (the receipt's serial number, the ledger's positions), and the
receipt, the links and the event inserted. The hashes are those `verify` recomputes
(services/audit/chain.py `chain_hash`). SQLite has one writer at a time and keeps its
statements.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "chainone_0001"
down_revision: str | Sequence[str] | None = "toast_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION registrar_chain_payment(
    lock_keys text[], counter_key text, establishment integer, number_prefix text,
    receipt_before text, receipt_after text,
    paid_by integer, issued timestamptz,
    link_kinds text[], link_records integer[], link_before text[], link_after text[],
    event_at timestamptz, event_actor integer, event_action text, event_entity_type text,
    event_entity integer, event_before_json text, event_after_before text,
    event_after_after text, event_content_before text, event_content_after text,
    OUT locked integer, OUT receipt_id integer, OUT receipt_number text,
    OUT receipt_hash text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    counted integer;
    serial text;
    previous text;
    link_position integer;
    link_hash text;
    after_json text;
BEGIN
    -- A row missing (a chain's first writer): none locked, nothing written; the caller
    -- creates the rows and calls again (services/ledger/receipts.py).
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
        RETURNING last_value INTO counted;
    -- Python's f"{n:06d}".
    serial := CASE WHEN counted < 1000000 THEN lpad(counted::text, 6, '0')
                   ELSE counted::text END;
    receipt_number := number_prefix || serial;
    SELECT r.hash INTO previous FROM receipt r
        WHERE r.establishment_id = establishment ORDER BY r.id DESC LIMIT 1;
    previous := coalesce(previous, repeat('0', 64));
    receipt_hash := encode(sha256(convert_to(
        previous || receipt_before || serial || receipt_after, 'UTF8')), 'hex');
    INSERT INTO receipt (establishment_id, number, payment_id, refund_id, issued_at,
                         previous_hash, hash)
        VALUES (establishment, receipt_number, paid_by, NULL, issued, previous,
                receipt_hash)
        RETURNING id INTO receipt_id;
    SELECT l.position, l.hash INTO link_position, previous FROM ledger_link l
        ORDER BY l.position DESC LIMIT 1;
    link_position := coalesce(link_position, 0);
    previous := coalesce(previous, repeat('0', 64));
    FOR i IN 1 .. coalesce(cardinality(link_kinds), 0) LOOP
        link_position := link_position + 1;
        link_hash := encode(sha256(convert_to(
            previous || link_before[i] || link_position::text || link_after[i], 'UTF8')),
            'hex');
        INSERT INTO ledger_link (position, kind, record_id, previous_hash, hash)
            VALUES (link_position, link_kinds[i], link_records[i], previous, link_hash);
        previous := link_hash;
    END LOOP;
    SELECT e.hash INTO previous FROM audit_event e ORDER BY e.id DESC LIMIT 1;
    previous := coalesce(previous, repeat('0', 64));
    after_json := event_after_before || serial || event_after_after;
    INSERT INTO audit_event (occurred_at, actor_id, action, entity_type, entity_id,
                             before_json, after_json, previous_hash, hash)
        VALUES (event_at, event_actor, event_action, event_entity_type, event_entity,
                event_before_json, after_json, previous,
                encode(sha256(convert_to(
                    previous || event_content_before || serial || event_content_after,
                    'UTF8')), 'hex'));
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
        "DROP FUNCTION registrar_chain_payment(text[], text, integer, text, text, text, "
        "integer, timestamptz, text[], integer[], text[], text[], timestamptz, integer, "
        "text, text, integer, text, text, text, text, text)"
    )

"""A statement that must not be committed unless a condition holds (PostgreSQL)

Revision ID: chainlast_0001
Revises: chainone_0001
Create Date: 2026-12-05 16:30:00

A counter payment's last statement, the one that takes its chains' locks and writes its
receipt, is now sent together with its COMMIT (db.py `execute_last`): the locks every
payment waits for are released as soon as the server has run it, not once the clerk's
process is given a processor again to send the COMMIT. The program then cannot look at
the statement's answer before the commit: `registrar_chain_payment` answers `locked = 0`
and writes nothing when a lock's row is missing, which committed would leave a payment
without its receipt. `registrar_require` raises when its condition does not hold, so that
the statement fails, the COMMIT after it is not run and the transaction is rolled back
whole. (The payment creates the rows before, so it never happens: it must not be
possible either.) SQLite has one writer at a time and sends its COMMIT after.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "chainlast_0001"
down_revision: str | Sequence[str] | None = "chainone_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION registrar_require(holds boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF holds IS NOT TRUE THEN
        RAISE EXCEPTION '%', message USING ERRCODE = 'check_violation';
    END IF;
    RETURN true;
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
    op.execute("DROP FUNCTION registrar_require(boolean, text)")

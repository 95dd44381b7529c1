"""PDF bytes stored as they are, not compressed again (PostgreSQL)

Revision ID: toast_0001
Revises: ratecount_0001
Create Date: 2026-12-05 11:00:00

A PDF's streams are compressed already: PostgreSQL tried to compress each receipt queued
by e-mail again (49 KB at every counter payment), found nothing to gain, and stored it as
it was, having spent about a millisecond of its CPU per payment on the attempt (11 % of
its time on a clerk's payment). EXTERNAL keeps the bytes out of line, uncompressed: the
same storage as before, without the attempt. Existing rows are not rewritten (they were
stored uncompressed already). SQLite: nothing to change.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "toast_0001"
down_revision: str | Sequence[str] | None = "ratecount_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PDF_COLUMNS = (
    ("outbox_message", "attachment"),
    ("day_close", "report_pdf"),
    ("reminder_letter", "pdf"),
)


def _set_storage(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in PDF_COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE {storage}")


def upgrade() -> None:
    _set_storage("EXTERNAL")


def downgrade() -> None:
    _set_storage("EXTENDED")

"""Index the receipt chain: the last receipt of an establishment without a sort

Revision ID: 0004_receipt_chain_index
Revises: 0003_app_setting
Create Date: 2026-11-23 15:00:00

Issuing a receipt reads the previous receipt of its establishment (ORDER BY id DESC
LIMIT 1). With only the (establishment_id, number) unique index, SQLite sorted every
receipt of the establishment: 270 ms per payment on the 50,000-family benchmark base.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_receipt_chain_index"
down_revision: str | Sequence[str] | None = "0003_app_setting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX: no batch copy of the table (which would drop its triggers).
    op.create_index("ix_receipt_establishment_chain", "receipt", ["establishment_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_receipt_establishment_chain", table_name="receipt")

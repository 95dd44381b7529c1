"""Guardian: removed_at and removed_by_id (a guardian taken off a family, history kept)

Revision ID: admit_0001
Revises: marks_0001
Create Date: 2026-12-04 12:00:00

A guardian removed at the counter keeps its row (the audit trail and past portal requests
name it); `removed_at` says since when it is no longer one of the family's guardians and
`removed_by_id` who removed it. Existing guardians stay active (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "admit_0001"
down_revision: str | Sequence[str] | None = "marks_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guardian") as batch:
        batch.add_column(
            sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_guardian_removed_by_id_staff_user", "staff_user", ["removed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("guardian") as batch:
        batch.drop_constraint("fk_guardian_removed_by_id_staff_user", type_="foreignkey")
        batch.drop_column("removed_by_id")
        batch.drop_column("removed_at")

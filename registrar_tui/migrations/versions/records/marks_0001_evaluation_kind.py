"""Evaluations get a kind: exam, jury, assignment, audition or other

Revision ID: marks_0001
Revises: student_0001
Create Date: 2026-12-04 11:40:00

Staff now enter evaluations at the counter: the kind says what was evaluated (the title
names it). Existing evaluations, all made before kinds existed, become "other".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "marks_0001"
down_revision: str | Sequence[str] | None = "student_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("exam", "jury", "assignment", "audition", "other")


def upgrade() -> None:
    with op.batch_alter_table("evaluation") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=24), nullable=False, server_default="other")
        )
        batch.create_check_constraint(
            "evaluationkind", "kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")"
        )
    # The default only filled the existing rows; new rows get theirs from the model.
    with op.batch_alter_table("evaluation") as batch:
        batch.alter_column("kind", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("evaluation") as batch:
        batch.drop_constraint("evaluationkind", type_="check")
        batch.drop_column("kind")

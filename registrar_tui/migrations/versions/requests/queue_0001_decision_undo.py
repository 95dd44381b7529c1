"""Change decisions that can be undone: the values an approval wrote, the message it queued

Revision ID: queue_0001
Revises: 0005_guardian_sin
Create Date: 2026-12-04 08:00:00

`change_decision_effect` keeps, per value an approval wrote (the decided record's, and a
household's move applied with it), the value before and after; `change_request.message_id`
the outbox message the decision queued. Undoing a decision whose message is not sent puts
the values back and withdraws the message (services/requests/changes/undo.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "queue_0001"
down_revision: str | Sequence[str] | None = "0005_guardian_sin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (nullable, no foreign key): no batch copy of the table on SQLite.
    op.add_column("change_request", sa.Column("message_id", sa.Integer(), nullable=True))
    op.create_table(
        "change_decision_effect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "target_kind",
            sa.Enum(
                "guardian",
                "student",
                name="changetarget",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("field_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("before_value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("after_value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["change_request.id"],
            name=op.f("fk_change_decision_effect_request_id_change_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_decision_effect")),
    )
    op.create_index(
        op.f("ix_change_decision_effect_request_id"),
        "change_decision_effect",
        ["request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_change_decision_effect_request_id"), table_name="change_decision_effect"
    )
    op.drop_table("change_decision_effect")
    with op.batch_alter_table("change_request") as batch:
        batch.drop_column("message_id")

"""Course groups get a schedule: weekday, times, room, level, closing, rollover origin

Revision ID: year_0001
Revises: waive_0001
Create Date: 2026-12-04 11:30:00

A course (section) is the course group of DESIGN.md: it now says when and where it
meets and for which level. `closed_at` closes it to new enrolments; `rolled_from_id`
names the group of the term before that a rollover copied it from, unique so that
running a rollover twice creates nothing twice. Existing groups keep NULL schedules.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "year_0001"
down_revision: str | Sequence[str] | None = "waive_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("weekday", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("starts_at", sa.Time(), nullable=True))
        batch.add_column(sa.Column("ends_at", sa.Time(), nullable=True))
        batch.add_column(sa.Column("room", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("level", sa.String(length=40), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("rolled_from_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_course_rolled_from_id_course", "course", ["rolled_from_id"], ["id"]
        )
        batch.create_unique_constraint("uq_course_rolled_from_id", ["rolled_from_id"])
        batch.create_check_constraint("weekday", "weekday IS NULL OR (weekday BETWEEN 1 AND 7)")
        batch.create_check_constraint(
            "times_ordered", "starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at"
        )
    # The defaults only filled the existing rows; like every text column, new rows get
    # theirs from the model.
    with op.batch_alter_table("course") as batch:
        batch.alter_column("room", server_default=None)
        batch.alter_column("level", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.drop_constraint("times_ordered", type_="check")
        batch.drop_constraint("weekday", type_="check")
        batch.drop_constraint("uq_course_rolled_from_id", type_="unique")
        batch.drop_constraint("fk_course_rolled_from_id_course", type_="foreignkey")
        for column in (
            "rolled_from_id",
            "closed_at",
            "level",
            "room",
            "ends_at",
            "starts_at",
            "weekday",
        ):
            batch.drop_column(column)

"""Waiting lists: a student in line for a seat in a full course group

Revision ID: waitlist_0001
Revises: year_0001
Create Date: 2026-12-04 12:00:00

`waiting_list_entry` is one student in line for one course group, ordered by `position`.
A freed seat is offered to the first in line (status `offered`, `offered_at`); accepting
enrols the student (`enrolment_id`), declining or removing (with a `reason`) lets the next
one in line have it. Entries are never deleted: they are the list's history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "waitlist_0001"
down_revision: str | Sequence[str] | None = "year_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waiting_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "offered",
                "enrolled",
                "declined",
                "removed",
                name="waitingstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reenrolment_request_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("offered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_waiting_list_entry_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_waiting_list_entry_student_id_student")
        ),
        sa.ForeignKeyConstraint(
            ["reenrolment_request_id"],
            ["reenrolment_request.id"],
            name=op.f("fk_waiting_list_entry_reenrolment_request_id_reenrolment_request"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["staff_user.id"],
            name=op.f("fk_waiting_list_entry_added_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_waiting_list_entry_closed_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_waiting_list_entry_enrolment_id_enrolment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_list_entry")),
    )
    op.create_index(
        op.f("ix_waiting_list_entry_course_id"), "waiting_list_entry", ["course_id"], unique=False
    )
    op.create_index(
        op.f("ix_waiting_list_entry_student_id"), "waiting_list_entry", ["student_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_waiting_list_entry_student_id"), table_name="waiting_list_entry")
    op.drop_index(op.f("ix_waiting_list_entry_course_id"), table_name="waiting_list_entry")
    op.drop_table("waiting_list_entry")

"""Activities set up on screen: schools and levels as lists, item codes and limits, states

Revision ID: activities_0001
Revises: waitlist_0001
Create Date: 2026-12-04 11:40:00

An activity was open to one school and one level, typed as free text
(`school_filter`, `level_filter`); it is now open to any number of each, one row per
school (`activity_school`) and per level (`activity_level`), the old values carried
over. `closed_at` closes it to new registrations, `cancelled_at` records that its
invoices were credited. An item gets the code people call it by (« 101 - Biscuits »),
unique in its activity (existing items are numbered 1, 2, … in their activity, in the
order they were created), and an optional maximum quantity per registration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "activities_0001"
down_revision: str | Sequence[str] | None = "waitlist_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_school",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("school_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_activity_school_activity_id_activity")
        ),
        sa.PrimaryKeyConstraint("activity_id", "school_name", name=op.f("pk_activity_school")),
    )
    op.create_table(
        "activity_level",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_activity_level_activity_id_activity")
        ),
        sa.PrimaryKeyConstraint("activity_id", "level", name=op.f("pk_activity_level")),
    )
    op.execute(
        "INSERT INTO activity_school (activity_id, school_name) "
        "SELECT id, school_filter FROM activity WHERE school_filter <> ''"
    )
    op.execute(
        "INSERT INTO activity_level (activity_id, level) "
        "SELECT id, level_filter FROM activity WHERE level_filter <> ''"
    )
    with op.batch_alter_table("activity") as batch:
        batch.add_column(sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.drop_column("school_filter")
        batch.drop_column("level_filter")

    with op.batch_alter_table("activity_item") as batch:
        batch.add_column(
            sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch.add_column(sa.Column("max_quantity", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, activity_id FROM activity_item ORDER BY activity_id, id")
    ).all()
    numbers: dict[int, int] = {}
    for item_id, activity_id in rows:
        numbers[activity_id] = numbers.get(activity_id, 0) + 1
        connection.execute(
            sa.text("UPDATE activity_item SET code = :code WHERE id = :id"),
            {"code": str(numbers[activity_id]), "id": item_id},
        )
    with op.batch_alter_table("activity_item") as batch:
        batch.alter_column(
            "code", existing_type=sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False
        )
        batch.create_unique_constraint("uq_activity_item_activity_id_code", ["activity_id", "code"])
        batch.create_check_constraint("max_quantity", "max_quantity IS NULL OR max_quantity > 0")


def downgrade() -> None:
    with op.batch_alter_table("activity_item") as batch:
        batch.drop_constraint("max_quantity", type_="check")
        batch.drop_constraint("uq_activity_item_activity_id_code", type_="unique")
        batch.drop_column("max_quantity")
        batch.drop_column("code")
    # One school and one level survive the way down (the first of each, by name).
    with op.batch_alter_table("activity") as batch:
        batch.add_column(
            sa.Column(
                "school_filter",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(
            sa.Column(
                "level_filter",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
    op.execute(
        "UPDATE activity SET school_filter = COALESCE((SELECT MIN(school_name) "
        "FROM activity_school WHERE activity_school.activity_id = activity.id), '')"
    )
    op.execute(
        "UPDATE activity SET level_filter = COALESCE((SELECT MIN(level) "
        "FROM activity_level WHERE activity_level.activity_id = activity.id), '')"
    )
    with op.batch_alter_table("activity") as batch:
        batch.alter_column("school_filter", server_default=None)
        batch.alter_column("level_filter", server_default=None)
        batch.drop_column("cancelled_at")
        batch.drop_column("closed_at")
    op.drop_table("activity_level")
    op.drop_table("activity_school")

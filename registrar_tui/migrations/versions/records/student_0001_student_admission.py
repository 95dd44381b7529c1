"""Admission: the site digit of 9-digit student numbers, a student's status date and reason

Revision ID: student_0001
Revises: activities_0001
Create Date: 2026-12-04 11:40:00

A 9-digit student number is the entry year, the establishment's site digit and a
6-digit sequence (`261000042`); a 7-digit one has no site digit. Existing 9-digit
establishments take the digit their students' numbers already carry (the demo's MTL 1
and QC 3), else the demo's digit for their code, else 1. A student's status now says
since when (`status_changed_on`) and, for a withdrawal, why (`status_reason`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "student_0001"
down_revision: str | Sequence[str] | None = "activities_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SITE_DIGITS = {"MTL": "1", "QC": "3"}
"""The demo's site digits (demo/reference.py), for establishments without students yet."""


def upgrade() -> None:
    with op.batch_alter_table("establishment") as batch:
        batch.add_column(
            sa.Column(
                "student_number_site_digit",
                sa.String(length=1),
                nullable=False,
                server_default="",
            )
        )
    establishment = sa.table(
        "establishment",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("student_number_digits", sa.Integer()),
        sa.column("student_number_site_digit", sa.String()),
    )
    student = sa.table(
        "student",
        sa.column("establishment_id", sa.Integer()),
        sa.column("student_number", sa.String()),
    )
    connection = op.get_bind()
    sites = connection.execute(
        sa.select(establishment.c.id, establishment.c.code).where(
            establishment.c.student_number_digits == 9
        )
    ).all()
    for site_id, code in sites:
        # The digit most of its students' numbers carry: what the site has been using.
        used = connection.execute(
            sa.select(sa.func.substr(student.c.student_number, 3, 1).label("digit"))
            .where(
                student.c.establishment_id == site_id,
                sa.func.length(student.c.student_number) == 9,
            )
            .group_by(sa.text("digit"))
            .order_by(sa.func.count().desc(), sa.text("digit"))
            .limit(1)
        ).scalar_one_or_none()
        digit = used if used is not None and used.isdigit() else _SITE_DIGITS.get(code, "1")
        connection.execute(
            sa.update(establishment)
            .where(establishment.c.id == site_id)
            .values(student_number_site_digit=digit)
        )
    with op.batch_alter_table("establishment") as batch:
        batch.alter_column("student_number_site_digit", server_default=None)
        batch.create_check_constraint(
            "student_number_site_digit",
            "(student_number_digits = 7 AND student_number_site_digit = '') OR "
            "(student_number_digits = 9 AND student_number_site_digit IN "
            "('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))",
        )
    with op.batch_alter_table("student") as batch:
        batch.add_column(sa.Column("status_changed_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("status_reason", sa.String(), nullable=False, server_default="")
        )
    with op.batch_alter_table("student") as batch:
        batch.alter_column("status_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("student") as batch:
        batch.drop_column("status_reason")
        batch.drop_column("status_changed_on")
    with op.batch_alter_table("establishment") as batch:
        batch.drop_constraint("student_number_site_digit", type_="check")
        batch.drop_column("student_number_site_digit")

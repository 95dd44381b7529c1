"""Shared settings: the institution's name printed on every document

Revision ID: 0003_app_setting
Revises: 0002_append_only
Create Date: 2026-11-23 14:00:00

Settings that every terminal must agree on live in the database, not in a terminal's
environment: a receipt printed at one counter names the same institution as another's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003_app_setting"
down_revision: str | Sequence[str] | None = "0002_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )


def downgrade() -> None:
    op.drop_table("app_setting")

"""The API's rate counted per client and minute

Revision ID: ratecount_0001
Revises: searchpg_0001
Create Date: 2026-12-05 08:05:00

A client's rate was the number of its signatures accepted in the last minute, counted at
every call: at 100 calls a second, 6,000 rows counted for each (about 4 ms of the
database's time per call, the most of any part of a call). `api_call_count` keeps each
client's count per minute: this minute's and the previous one's, weighted by what is
left of the last 60 seconds, make its rate (services/staff/api_clients.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "ratecount_0001"
down_revision: str | Sequence[str] | None = "searchpg_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_call_count",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("minute", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_api_call_count_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint("client_id", "minute", name=op.f("pk_api_call_count")),
    )


def downgrade() -> None:
    op.drop_table("api_call_count")

"""The portal's API clients (a hashed key, a staff account each) and the signed requests seen

Revision ID: api_0001
Revises: online_0001
Create Date: 2026-12-04 15:00:00

An API client is created by an administrator (`registrar-tui api-key add NAME`): its key
is shown once and only its SHA-256 is kept, with a public prefix to find it by. It acts
through a staff account of role portal created with it. `api_request_seen` remembers the
signatures accepted in the last five minutes, so a replayed request is refused by every
worker alike; it is pruned as it goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "api_0001"
down_revision: str | Sequence[str] | None = "online_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_user.id"],
            name=op.f("fk_api_client_created_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["staff_user.id"],
            name=op.f("fk_api_client_revoked_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_api_client_staff_user_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_api_client_key_prefix")),
        sa.UniqueConstraint("name", name=op.f("uq_api_client_name")),
        sa.UniqueConstraint("staff_user_id", name=op.f("uq_api_client_staff_user_id")),
    )
    op.create_table(
        "api_request_seen",
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_api_request_seen_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_api_request_seen")),
    )
    op.create_index(
        "ix_api_request_seen_client_time",
        "api_request_seen",
        ["client_id", "seen_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_api_request_seen_seen_at"), "api_request_seen", ["seen_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_api_request_seen_seen_at"), table_name="api_request_seen")
    op.drop_index("ix_api_request_seen_client_time", table_name="api_request_seen")
    op.drop_table("api_request_seen")
    op.drop_table("api_client")

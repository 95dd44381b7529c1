"""Portal requests: who submitted a request, and the submitter's reference (idempotency)

Revision ID: portalreq_0001
Revises: iface_0001
Create Date: 2026-12-04 15:30:00

The portal submits change and re-enrolment requests through its own staff account (role
« portal »); a clerk records re-enrolments at the counter. `submitted_by_id` names who
sent a request; `client_reference` is the portal's own id for the submission (unique per
submitting account: a retry is the same request, never a second one) and
`request_fingerprint` what it carried (a reuse of the reference for something else is
refused). Requests recorded before keep NULL in all three.

SQLite adds the foreign key by rebuilding both tables; neither is append-only (no trigger
to re-create) and the batch copy keeps the partial « one pending re-enrolment » index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "portalreq_0001"
down_revision: str | Sequence[str] | None = "iface_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("change_request", "reenrolment_request")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("submitted_by_id", sa.Integer(), nullable=True))
            batch.add_column(
                sa.Column(
                    "client_reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
                )
            )
            batch.add_column(
                sa.Column(
                    "request_fingerprint",
                    sqlmodel.sql.sqltypes.AutoString(length=64),
                    nullable=True,
                )
            )
            batch.create_foreign_key(
                f"fk_{table}_submitted_by_id_staff_user", "staff_user", ["submitted_by_id"], ["id"]
            )
            batch.create_unique_constraint(
                f"uq_{table}_submitted_by_id_client_reference",
                ["submitted_by_id", "client_reference"],
            )


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_submitted_by_id_client_reference", type_="unique")
            batch.drop_constraint(f"fk_{table}_submitted_by_id_staff_user", type_="foreignkey")
            batch.drop_column("request_fingerprint")
            batch.drop_column("client_reference")
            batch.drop_column("submitted_by_id")

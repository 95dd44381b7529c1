"""Imports from the previous software: the files applied and each old id's record

Revision ID: imports_0001
Revises: api_0001
Create Date: 2026-12-04 15:15:00

`import_batch` is one file applied by `registrar-tui import KIND FILE --apply` (its name,
SHA-256, counts, who and when); `import_link` ties an old system's id to the record it
became (unique per kind), so importing the same file again creates nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "imports_0001"
down_revision: str | Sequence[str] | None = "api_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["staff_user.id"],
            name=op.f("fk_import_batch_imported_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_index(op.f("ix_import_batch_sha256"), "import_batch", ["sha256"], unique=False)
    op.create_table(
        "import_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("old_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_import_link_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_link")),
        sa.UniqueConstraint("kind", "old_id", name=op.f("uq_import_link_kind_old_id")),
    )
    op.create_index(op.f("ix_import_link_batch_id"), "import_link", ["batch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_import_link_batch_id"), table_name="import_link")
    op.drop_table("import_link")
    op.drop_index(op.f("ix_import_batch_sha256"), table_name="import_batch")
    op.drop_table("import_batch")

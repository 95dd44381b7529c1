"""Tax slips: the student's SIN, eligible fee codes, programme flags, the slips

Revision ID: slips_0001
Revises: imports_0001
Create Date: 2026-12-04 18:10:00

- `student.social_insurance_number`: nine digits, shown masked except by the audited reveal
  (services/records/sin.py), as the guardian's.
- `discipline.is_post_secondary`, `discipline.is_full_time`: the programme flags of RL-8
  box A and the T2202 months (docs/tax-slips.md says why they live on the discipline).
- `tax_fee_code`: the fee codes the admin marked eligible tuition.
- `tax_slip`: RL-8 and T2202 slips, append-only (triggers, as payments): an amendment or a
  cancellation is a new row naming the slip it replaces.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "slips_0001"
down_revision: str | Sequence[str] | None = "dashboard_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_FUNCTION = "registrar_refuse_change"  # created by 0002_append_only


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable, or with a server default): no batch copy on SQLite.
    op.add_column(
        "student", sa.Column("social_insurance_number", sa.String(length=9), nullable=True)
    )
    op.add_column(
        "discipline",
        sa.Column("is_post_secondary", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "discipline",
        sa.Column("is_full_time", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "tax_fee_code",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("marked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["staff_user.id"],
            name=op.f("fk_tax_fee_code_marked_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tax_fee_code")),
    )
    op.create_table(
        "tax_slip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rl8",
                "t2202",
                name="slipkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "R",
                "A",
                "D",
                name="slipstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("eligible_tuition_cents", sa.Integer(), nullable=False),
        sa.Column("full_time_sessions", sa.Integer(), nullable=False),
        sa.Column("months_part_time", sa.Integer(), nullable=False),
        sa.Column("months_full_time", sa.Integer(), nullable=False),
        sa.Column("periods", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("program_name", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("has_sin", sa.Boolean(), nullable=False),
        sa.Column("built_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("built_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'R' AND amends_id IS NULL) OR (status <> 'R' AND amends_id IS NOT NULL)",
            name=op.f("ck_tax_slip_amends_when_not_original"),
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"], ["tax_slip.id"], name=op.f("fk_tax_slip_amends_id_tax_slip")
        ),
        sa.ForeignKeyConstraint(
            ["built_by_id"], ["staff_user.id"], name=op.f("fk_tax_slip_built_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_tax_slip_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_tax_slip_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_slip")),
        sa.UniqueConstraint("amends_id", name=op.f("uq_tax_slip_amends_id")),
        sa.UniqueConstraint("year", "kind", "number", name=op.f("uq_tax_slip_year_kind_number")),
    )
    op.create_index(op.f("ix_tax_slip_year"), "tax_slip", ["year"], unique=False)
    op.create_index(op.f("ix_tax_slip_student_id"), "tax_slip", ["student_id"], unique=False)
    op.create_index(op.f("ix_tax_slip_family_id"), "tax_slip", ["family_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER tax_slip_no_{operation.lower()} BEFORE {operation} ON tax_slip "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on tax_slip refused'); END"
            )
    else:
        op.execute(
            "CREATE TRIGGER tax_slip_append_only BEFORE UPDATE OR DELETE ON tax_slip "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            "CREATE TRIGGER tax_slip_no_truncate BEFORE TRUNCATE ON tax_slip "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS tax_slip_no_update")
        op.execute("DROP TRIGGER IF EXISTS tax_slip_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS tax_slip_append_only ON tax_slip")
        op.execute("DROP TRIGGER IF EXISTS tax_slip_no_truncate ON tax_slip")
    op.drop_index(op.f("ix_tax_slip_family_id"), table_name="tax_slip")
    op.drop_index(op.f("ix_tax_slip_student_id"), table_name="tax_slip")
    op.drop_index(op.f("ix_tax_slip_year"), table_name="tax_slip")
    op.drop_table("tax_slip")
    op.drop_table("tax_fee_code")
    with op.batch_alter_table("discipline") as batch:
        batch.drop_column("is_full_time")
        batch.drop_column("is_post_secondary")
    with op.batch_alter_table("student") as batch:
        batch.drop_column("social_insurance_number")

"""Overdue reminders: the three levels, the policy, the letters and the reminders sent

Revision ID: reminders_0001
Revises: imports_0001
Create Date: 2026-12-04 17:53:42

`reminder_level` holds each level's days past due and its letter text in French and
English (seeded here with a default text per level, edited by the admin);
`reminder_policy` the one minimum balance under which a family gets no letter (seeded at
10,00 $); `reminder_letter` one family's letter (PDF, outbox e-mail) and `reminder` one
level sent for one invoice (unique per invoice and level). `reminder.instalment_id` is
reserved for the payment plans (no foreign key yet). Letters and reminders are
append-only (triggers, as 0002_append_only).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "reminders_0001"
down_revision: str | Sequence[str] | None = "plans_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_level",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("text_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("days_overdue > 0", name=op.f("ck_reminder_level_days_overdue")),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_reminder_level_level")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_reminder_level_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("level", name=op.f("pk_reminder_level")),
    )
    op.create_table(
        "reminder_policy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("min_balance_cents", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_reminder_policy_single_row")),
        sa.CheckConstraint("min_balance_cents >= 0", name=op.f("ck_reminder_policy_min_balance")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_reminder_policy_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_policy")),
    )
    op.create_table(
        "reminder_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "language",
            sa.Enum(
                "fr_CA", "en", name="language", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("total_overdue_cents", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_reminder_letter_level")),
        sa.CheckConstraint(
            "total_overdue_cents > 0", name=op.f("ck_reminder_letter_total_overdue")
        ),
        sa.CheckConstraint(
            "pdf IS NOT NULL OR outbox_message_id IS NOT NULL",
            name=op.f("ck_reminder_letter_pdf_kept"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_reminder_letter_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_reminder_letter_outbox_message_id_outbox_message"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["staff_user.id"], name=op.f("fk_reminder_letter_sent_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_letter")),
    )
    op.create_index(
        op.f("ix_reminder_letter_family_id"), "reminder_letter", ["family_id"], unique=False
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("instalment_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("amount_overdue_cents", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount_overdue_cents > 0", name=op.f("ck_reminder_amount_overdue")),
        sa.CheckConstraint(
            "invoice_id IS NOT NULL OR instalment_id IS NOT NULL", name=op.f("ck_reminder_target")
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_reminder_level")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_reminder_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_reminder_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["reminder_letter.id"],
            name=op.f("fk_reminder_letter_id_reminder_letter"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_reminder_outbox_message_id_outbox_message"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["staff_user.id"], name=op.f("fk_reminder_sent_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("invoice_id", "level", name=op.f("uq_reminder_invoice_id_level")),
    )
    op.create_index("ix_reminder_family_sent", "reminder", ["family_id", "sent_at"], unique=False)
    op.create_index(op.f("ix_reminder_letter_id"), "reminder", ["letter_id"], unique=False)
    _seed()
    _append_only()


_APPEND_ONLY = ("reminder_letter", "reminder")

DEFAULT_LEVELS = (
    (
        1,
        30,
        "Sauf erreur de notre part, les factures ci-dessous sont échues et demeurent impayées. "
        "Il s'agit peut-être d'un oubli : nous vous remercions de bien vouloir en acquitter "
        "le solde au comptoir, en ligne par le portail ou par chèque. Si votre paiement a été "
        "fait récemment, veuillez ne pas tenir compte de cet avis.",
        "According to our records, the invoices below are past due and remain unpaid. This "
        "may be an oversight: please pay the balance at the counter, online through the "
        "portal or by cheque. If you have paid recently, please disregard this notice.",
    ),
    (
        2,
        60,
        "Malgré notre premier avis, les factures ci-dessous demeurent impayées. Nous vous "
        "prions de régler le solde dans les quinze jours suivant la date de cette lettre ou "
        "de communiquer avec le secrétariat pour convenir d'une entente de paiement.",
        "Despite our first notice, the invoices below remain unpaid. Please pay the balance "
        "within fifteen days of the date of this letter, or contact the office to agree on a "
        "payment plan.",
    ),
    (
        3,
        90,
        "Dernier avis : les factures ci-dessous sont en souffrance depuis plus de 90 jours. "
        "Sans paiement ou entente de paiement dans les dix jours, la réinscription pourra "
        "être refusée et le dossier transmis à une agence de recouvrement.",
        "Final notice: the invoices below have been outstanding for more than 90 days. "
        "Without payment or a payment plan within ten days, re-enrolment may be refused and "
        "the account referred to a collection agency.",
    ),
)
DEFAULT_MIN_BALANCE_CENTS = 1000


def _seed() -> None:
    levels = sa.table(
        "reminder_level",
        sa.column("level", sa.Integer()),
        sa.column("days_overdue", sa.Integer()),
        sa.column("text_fr", sa.String()),
        sa.column("text_en", sa.String()),
    )
    op.bulk_insert(
        levels,
        [
            {"level": level, "days_overdue": days, "text_fr": fr, "text_en": en}
            for level, days, fr, en in DEFAULT_LEVELS
        ],
    )
    policy = sa.table(
        "reminder_policy",
        sa.column("id", sa.Integer()),
        sa.column("min_balance_cents", sa.Integer()),
    )
    op.bulk_insert(policy, [{"id": 1, "min_balance_cents": DEFAULT_MIN_BALANCE_CENTS}])


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION registrar_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION registrar_refuse_change()"
            )
        return
    for table in _APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on {table} refused'); END"
            )


def downgrade() -> None:
    # Dropping the tables drops their triggers on both backends.
    op.drop_index("ix_reminder_family_sent", table_name="reminder")
    op.drop_index(op.f("ix_reminder_letter_id"), table_name="reminder")
    op.drop_index(op.f("ix_reminder_letter_family_id"), table_name="reminder_letter")
    op.drop_table("reminder")
    op.drop_table("reminder_letter")
    op.drop_table("reminder_policy")
    op.drop_table("reminder_level")

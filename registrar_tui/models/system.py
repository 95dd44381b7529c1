"""Audit trail, outbox and the search index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, String, false, text
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import Language, OutboxStatus, enum_column


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, with before and after; hash-chained, append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        Index("ix_audit_event_actor_time", "actor_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=40)
    entity_id: int | None = None
    before_json: str = Field(default="{}")
    after_json: str = Field(default="{}")
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AppSetting(SQLModel, table=True):
    """A setting every terminal shares (e.g. `institution_name`), changed by an admin."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=500)


class OutboxMessage(SQLModel, table=True):
    """A confirmation e-mail waiting to be sent (or sent, or failed with its error)."""

    __tablename__ = "outbox_message"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    family_id: int | None = Field(default=None, foreign_key="family.id", index=True)
    kind: str = Field(max_length=40)
    recipient: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body: str
    language: Language = Field(sa_column=enum_column(Language))
    attachment_name: str | None = Field(default=None, max_length=200)
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    status: OutboxStatus = Field(
        default=OutboxStatus.PENDING, sa_column=enum_column(OutboxStatus, index=True)
    )
    attempts: int = Field(default=0)
    last_error: str = Field(default="")
    sent_at: datetime | None = None


class ReceiptHandover(SQLModel, table=True):
    """Handing a posted payment's original receipt over: pending work written in the
    payment's own transaction, then completed exactly once (services/outbox/handover.py).

    `pdf_path` is claimed (written and committed) before the file is written, so a crash
    between the file and `saved_at` finds the file again instead of writing a second
    original; the e-mail is queued in the transaction that sets `email_done_at`. A print
    is sent at most once: `print_attempted_at` is committed before the printer is asked.
    """

    __tablename__ = "receipt_handover"

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", unique=True)
    requested_at: datetime
    pdf_path: str | None = Field(default=None, max_length=1000)
    saved_at: datetime | None = None
    email_done_at: datetime | None = None
    emailed_to: str | None = Field(default=None, max_length=200)
    print_requested: bool = Field(default=False)
    print_attempted_at: datetime | None = None
    completed_at: datetime | None = Field(default=None, index=True)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)


RECORD_TOKEN_SEPARATOR = "\x1f"
"""Before each token in `SearchEntry.record_tokens`: a control character, which no token
nor typed word holds (`normalise` removes them)."""
RECORD_TOKENS_MAX = 1_000
"""Bytes of `SearchEntry.record_tokens` at most: an index entry has to fit a third of a
PostgreSQL page, and a family of ordinary size takes a few hundred."""


class SearchEntry(SQLModel, table=True):
    """One normalised token (lower case, accents stripped) pointing at a searchable record.

    The home screen's as-you-type search is a prefix range scan on `token`, which both
    SQLite and PostgreSQL answer from the index without scanning the tables. The token
    compares byte-wise on both (collation "C" on PostgreSQL), so `token >= 'tr' AND
    token < 'ts'` is exactly "starts with tr" whatever the database's locale. The second
    index answers "does this record also have a token starting with…" (multi-word
    queries) from the index alone.

    `record_tokens` repeats, on each entry, every token of its record, each after a
    `RECORD_TOKEN_SEPARATOR`: a multi-word query walking the first word's range checks
    the others in the entry it reads (in the token index too), instead of one index
    probe per entry. Empty when the record's tokens would not fit `RECORD_TOKENS_MAX`
    (or before the index is rebuilt): the query probes for that record then.

    The token index leads with `is_code_permanent`: a query typed in letters never
    matches a code permanent (`trem04031609`), and those tokens, which sort among the
    names (`trem0…` just before `tremblay`), are then not even walked past.
    """

    __tablename__ = "search_entry"
    __table_args__ = (
        Index(
            "ix_search_entry_token",
            "is_code_permanent",
            "token",
            "kind",
            "ref_id",
            "record_tokens",
        ),
        Index("ix_search_entry_ref", "kind", "ref_id", "token"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(
        sa_column=Column(
            String(120).with_variant(String(120, collation="C"), "postgresql"), nullable=False
        )
    )
    kind: str = Field(max_length=12)
    ref_id: int
    is_identifier: bool = Field(default=False)
    record_tokens: str = Field(
        default="",
        sa_column=Column(String(RECORD_TOKENS_MAX), nullable=False, server_default=text("''")),
    )
    is_code_permanent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """The token has a code permanent's shape, 4 letters then 8 digits (`is_code_token`),
    whatever it came from (an e-mail's local part may have it too)."""

"""The ledger hash chain: every money record linked in the order it was written.

Receipts have their own chain per establishment (services/ledger/receipts.py), and the
audit trail its own; this one covers every money record of every kind below (invoices
and their lines, contribution choices, payments, allocations, voids, refunds, credit
notes). Each `LedgerLink` is SHA-256 over the previous link's hash, the link's gapless
position, the record's kind and id and a digest of the record's content (the fields
listed per kind, money in cents), so a record changed, removed or added behind the
application's back breaks the chain at that record (services/audit/verify.py).

The services link what they write, in their transaction (`link_records`, after flush,
before the audit event). Rows that exist before the chain (a database migrated by
`ledger_0001`, the demo's bulk load) are linked by `link_unlinked`.

The field lists are the chain's format: a field added to a table later is not covered
unless a new kind version says so (changing a list breaks every existing link), or it is
an optional field: NULL in every record written before it, it enters a record's digest
only when set (a credit note's waived line), so older links keep their hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, inspect, null
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    Allocation,
    ContributionChoice,
    CreditNote,
    Invoice,
    InvoiceLine,
    LedgerLink,
    Payment,
    PaymentVoid,
    Refund,
)
from registrar_tui.services.audit.chain import GENESIS_HASH, canonical_json, chain_hash
from registrar_tui.services.audit.record import lock_sequence_row
from registrar_tui.services.core.money import to_cents

LEDGER_LOCK_KEY = "ledger-chain"
_BATCH = 1000


@dataclass(frozen=True)
class RecordKind:
    """A kind of money record in the chain: its table and the fields its hash covers."""

    name: str
    model: type[SQLModel]
    fields: tuple[str, ...]
    optional: tuple[str, ...] = ()
    """Fields added later, covered only when not NULL (older records keep their digest)."""

    @property
    def covered(self) -> tuple[str, ...]:
        """Every field the hash may cover, in the order `content_digest` takes them."""
        return self.fields + self.optional

    def column(self, name: str) -> Any:
        """The model's column `name` (an ORM attribute: its type converts the values)."""
        return col(getattr(self.model, name))


KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "invoice",
        Invoice,
        (
            "number",
            "family_id",
            "student_id",
            "term_id",
            "establishment_id",
            "description",
            "issued_on",
            "due_on",
            "created_at",
            "created_by_id",
        ),
    ),
    RecordKind(
        "invoice_line",
        InvoiceLine,
        ("invoice_id", "position", "fee_code", "description", "amount", "is_voluntary"),
    ),
    RecordKind(
        "contribution_choice",
        ContributionChoice,
        ("invoice_line_id", "declined", "chosen_at", "chosen_by_id"),
    ),
    RecordKind(
        "payment",
        Payment,
        (
            "establishment_id",
            "family_id",
            "clerk_id",
            "received_at",
            "amount",
            "method",
            "card_brand",
            "card_last4",
            "authorization_number",
            "cheque_number",
            "cheque_bank",
            "tendered",
            "change",
            "idempotency_key",
            "request_fingerprint",
        ),
        # Online payments (method « online »): NULL for every counter payment, whose
        # digests stay as they were.
        optional=("processor_transaction_id", "paid_at"),
    ),
    RecordKind(
        "allocation",
        Allocation,
        ("payment_id", "invoice_id", "amount", "created_at", "reverses_id"),
        optional=("reallocates_id",),
    ),
    RecordKind(
        "payment_void",
        PaymentVoid,
        ("payment_id", "voided_at", "voided_by_id", "reason", "override_reason"),
    ),
    RecordKind(
        "refund",
        Refund,
        (
            "family_id",
            "establishment_id",
            "amount",
            "method",
            "cheque_number",
            "reason",
            "refunded_at",
            "refunded_by_id",
        ),
    ),
    RecordKind(
        "credit_note",
        CreditNote,
        ("number", "invoice_id", "amount", "reason", "created_at", "created_by_id"),
        optional=("invoice_line_id",),
    ),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
_KIND_BY_MODEL: dict[type[SQLModel], RecordKind] = {kind.model: kind for kind in KINDS}


def _plain(value: Any) -> Any:
    """A field's value as the hash sees it: cents, ISO instants in UTC, enum values."""
    if isinstance(value, Decimal):
        return to_cents(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_digest(kind: RecordKind, values: Sequence[Any]) -> str:
    """SHA-256 of a record's covered fields (`values` in the order of `kind.covered`)."""
    content = {
        name: _plain(value)
        for name, value in zip(kind.covered, values, strict=True)
        if value is not None or name not in kind.optional
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def link_content(position: int, kind: str, record_id: int, digest: str) -> dict[str, Any]:
    """What a link's hash covers besides the previous link's hash."""
    return {"position": position, "kind": kind, "record_id": record_id, "content": digest}


def link_hash(previous_hash: str, position: int, kind: str, record_id: int, digest: str) -> str:
    """The hash of a link (what `verify` recomputes)."""
    return chain_hash(previous_hash, link_content(position, kind, record_id, digest))


LAST_LINK = (
    sa_select(col(LedgerLink.position), col(LedgerLink.hash))
    .order_by(col(LedgerLink.position).desc())
    .limit(1)
)
"""The chain's last link (read under its lock, in a statement of its own)."""


def _last_link(connection: Connection) -> tuple[int, str]:
    found = connection.execute(LAST_LINK).first()
    return (0, GENESIS_HASH) if found is None else (int(found[0]), str(found[1]))


@dataclass(frozen=True)
class PendingLink:
    """A new money record's link before its place in the chain is known: what its hash
    covers besides the previous link and the position (computed before the lock)."""

    kind: str
    record_id: int
    digest: str


def pending_links(records: Iterable[SQLModel]) -> list[PendingLink]:
    """The links of new money records (flushed: they have their ids), in this order.

    AssertionError for a record of a kind the chain does not know, or without an id.
    """
    pending: list[PendingLink] = []
    for record in records:
        kind = _KIND_BY_MODEL[type(record)]
        record_id = getattr(record, "id", None)
        assert isinstance(record_id, int), "link a record after it is flushed"
        digest = content_digest(kind, [getattr(record, name) for name in kind.covered])
        pending.append(PendingLink(kind.name, record_id, digest))
    return pending


def link_rows(pending: Sequence[PendingLink], position: int, previous: str) -> list[dict[str, Any]]:
    """The `ledger_link` rows of `pending` after the link (`position`, `previous` hash)."""
    links: list[dict[str, Any]] = []
    for link in pending:
        position += 1
        hashed = link_hash(previous, position, link.kind, link.record_id, link.digest)
        links.append(
            {
                "position": position,
                "kind": link.kind,
                "record_id": link.record_id,
                "previous_hash": previous,
                "hash": hashed,
            }
        )
        previous = hashed
    return links


def link_records(uow: UnitOfWork, records: Iterable[SQLModel]) -> None:
    """Append a link for each new money record (flushed: it has its id), in this order.

    Runs in the caller's write unit of work, before its audit event; refuses nothing
    (AssertionError for a record of a kind the chain does not know, or without an id).
    """
    assert uow.is_write, "link_records needs a write unit of work"
    rows = list(records)
    if not rows:
        return
    uow.session.flush()
    pending = pending_links(rows)
    # One chain for the whole ledger: serialise its writers (PostgreSQL).
    lock_sequence_row(uow, LEDGER_LOCK_KEY)
    position, previous = _last_link(uow.session.connection())
    uow.session.execute(insert(LedgerLink), link_rows(pending, position, previous))


def unlinked_query(kind: RecordKind, absent: frozenset[str] = frozenset()) -> Any:
    """The ids of a kind's records that no link covers, oldest first.

    `absent`: optional fields whose column a migration has not added yet (read as NULL).
    """
    model_id = kind.column("id")
    covered = (null() if name in absent else kind.column(name) for name in kind.covered)
    return (
        sa_select(model_id, *covered)
        .where(
            ~exists().where(
                and_(col(LedgerLink.kind) == kind.name, col(LedgerLink.record_id) == model_id)
            )
        )
        .order_by(model_id)
    )


def _absent_optional(connection: Connection, kind: RecordKind) -> frozenset[str]:
    """The kind's optional fields not in its table yet (an older revision migrating)."""
    if not kind.optional:
        return frozenset()
    table = kind.model.__tablename__
    present = {column["name"] for column in inspect(connection).get_columns(str(table))}
    return frozenset(name for name in kind.optional if name not in present)


def link_unlinked(connection: Connection) -> int:
    """Link every money record that has no link yet, kind by kind, oldest first.

    For rows written before the chain existed (migration `ledger_0001`) and the demo's
    bulk load; the services link their own records. Returns the number of links added.
    """
    position, previous = _last_link(connection)
    added = 0
    for kind in KINDS:
        after = 0
        model_id = kind.column("id")
        absent = _absent_optional(connection, kind)
        while True:
            # A chunk at a time, read in full before writing (SQLite cannot insert while
            # a cursor on the same connection is still reading).
            rows = connection.execute(
                unlinked_query(kind, absent).where(model_id > after).limit(_BATCH * 10)
            ).all()
            if not rows:
                break
            links: list[dict[str, Any]] = []
            for row in rows:
                record_id = int(row[0])
                position += 1
                link = link_hash(
                    previous, position, kind.name, record_id, content_digest(kind, row[1:])
                )
                links.append(
                    {
                        "position": position,
                        "kind": kind.name,
                        "record_id": record_id,
                        "previous_hash": previous,
                        "hash": link,
                    }
                )
                previous = link
            connection.execute(insert(LedgerLink), links)
            added += len(links)
            after = int(rows[-1][0])
    return added

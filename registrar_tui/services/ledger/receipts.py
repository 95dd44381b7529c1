"""Receipts: gapless numbers per establishment and year, hash-chained, and their content.

A receipt number (`MTL-2026-000123`) is taken from a `number_sequence` row incremented in
the transaction that posts the payment (or the refund), so a rollback gives it back and
the sequence never has a gap. Each receipt's hash covers the previous receipt of its
establishment (payload in INTERFACES.md § hash chains).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Integer, String, bindparam, func, insert, text, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    AuditEvent,
    Establishment,
    LedgerLink,
    NumberSequence,
    Receipt,
)
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.chain import GENESIS_HASH, canonical_json, chain_hash
from registrar_tui.services.audit.ledger_chain import (
    LAST_LINK,
    LEDGER_LOCK_KEY,
    PendingLink,
    link_content,
    link_rows,
)
from registrar_tui.services.audit.record import (
    AUDIT_LOCK_KEY,
    EVENT_COLUMNS,
    LAST_AUDIT_HASH,
    ensure_sequence_rows,
    event_content,
    event_row,
    lock_sequence_row,
    next_number,
    take_sequence_locks,
)
from registrar_tui.services.core.clock import local_year, utc_now
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import to_cents

POST_ACTION = "payment.post"


def receipt_sequence_key(establishment_id: int, year: int) -> str:
    return f"receipt:{establishment_id}:{year}"


def receipt_chain_key(establishment_id: int) -> str:
    return f"receipt-chain:{establishment_id}"


def payment_chain_keys(establishment_id: int, issued_at: datetime) -> tuple[str, ...]:
    """The lock rows a payment issued at `issued_at` takes, in the order every writer takes
    them: its establishment's receipt chain, that year's counter, the ledger, the audit."""
    return (
        receipt_chain_key(establishment_id),
        receipt_sequence_key(establishment_id, local_year(issued_at)),
        LEDGER_LOCK_KEY,
        AUDIT_LOCK_KEY,
    )


def receipt_payload(receipt: Receipt, amount_cents: int) -> dict[str, Any]:
    """What a receipt link's hash covers; `amount_cents` is negative for a refund."""
    return {
        "establishment_id": receipt.establishment_id,
        "number": receipt.number,
        "payment_id": receipt.payment_id,
        "refund_id": receipt.refund_id,
        "issued_at": receipt.issued_at,
        "amount_cents": amount_cents,
    }


def issue_receipt(
    uow: UnitOfWork,
    *,
    establishment_id: int,
    amount: Decimal,
    issued_at: datetime,
    payment_id: int | None = None,
    refund_id: int | None = None,
) -> Receipt:
    """Number and chain the receipt of a payment (amount > 0) or a refund (amount < 0)."""
    establishment = uow.session.get(Establishment, establishment_id)
    if establishment is None:
        raise NotFound(N_("Établissement introuvable."))
    year = local_year(issued_at)
    # One chain per establishment across years: serialise its writers (PostgreSQL).
    lock_sequence_row(uow, receipt_chain_key(establishment_id))
    sequence = next_number(uow, receipt_sequence_key(establishment_id, year))
    previous = uow.session.exec(
        select(Receipt.hash)
        .where(col(Receipt.establishment_id) == establishment_id)
        .order_by(col(Receipt.id).desc())
        .limit(1)
    ).first()
    receipt = Receipt(
        establishment_id=establishment_id,
        number=f"{establishment.code}-{year}-{sequence:06d}",
        payment_id=payment_id,
        refund_id=refund_id,
        issued_at=issued_at,
        previous_hash=previous or GENESIS_HASH,
        hash="",
    )
    # The chain's payload keeps cents: existing chains must still verify.
    receipt.hash = chain_hash(receipt.previous_hash, receipt_payload(receipt, to_cents(amount)))
    uow.session.add(receipt)
    uow.session.flush()
    return receipt


@dataclass(frozen=True)
class IssuedReceipt:
    """The receipt `issue_payment_receipt` numbered and chained."""

    receipt_id: int
    number: str
    hash: str


NOT_ISSUED_YET = IssuedReceipt(receipt_id=0, number="", hash="")
"""For `payment_receipt` read before the receipt is issued (its fields replaced after)."""


@dataclass(frozen=True)
class AuditDraft:
    """The audit event of a write whose after-values name its receipt's number."""

    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int | None
    after: Callable[[str], dict[str, Any]]
    """The event's after-values, given the receipt's number."""


_RECEIPT_COLUMNS = (
    "establishment_id",
    "number",
    "payment_id",
    "refund_id",
    "issued_at",
    "previous_hash",
    "hash",
)
_LINK_COLUMNS = ("position", "kind", "record_id", "previous_hash", "hash")


def _column_type(model: Any, name: str) -> Any:
    return model.__table__.c[name].type


def _bound(model: Any, names: Sequence[str], prefix: str) -> dict[str, Any]:
    """`model`'s columns `names` as bound parameters `prefix + name`, of the column's type."""
    return {name: bindparam(prefix + name, type_=_column_type(model, name)) for name in names}


def _as_params(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


# The statements of `issue_payment_receipt`, built once with bound parameters: a VALUES
# list written into a statement is compiled again at each call (SQLAlchemy caches no
# multi-row VALUES), which cost a payment more CPU than all its other statements.
_COUNTER = bindparam("counter", type_=String())
_SITE = bindparam("establishment_id", type_=Integer())
_BUMP = (
    update(NumberSequence)
    .where(col(NumberSequence.key) == _COUNTER)
    .values(last_value=col(NumberSequence.last_value) + 1)
    .returning(col(NumberSequence.last_value))
)
_LAST_RECEIPT = (
    select(Receipt.hash)
    .where(col(Receipt.establishment_id) == _SITE)
    .order_by(col(Receipt.id).desc())
    .limit(1)
    .scalar_subquery()
)
_LAST_LINK = LAST_LINK.subquery()
_CHAINS = (
    _LAST_RECEIPT,
    sa_select(_LAST_LINK.c.position).scalar_subquery(),
    sa_select(_LAST_LINK.c.hash).scalar_subquery(),
    LAST_AUDIT_HASH.scalar_subquery(),
)
_CHAIN_HEADS = text(
    "SELECT locked, sequence, previous_receipt, ledger_position, previous_link, "
    "previous_event FROM registrar_payment_chain_heads(:keys, :counter, :site)"
).bindparams(bindparam("keys", type_=ARRAY(String())))
"""PostgreSQL: a payment's chain locks taken (none when a row is missing), the counter
bumped and the chains' last links read, in one call (migration heads_0001)."""
_SQLITE_STATE = sa_select(*_CHAINS)
_NEW_RECEIPT = (
    insert(Receipt).values(_bound(Receipt, _RECEIPT_COLUMNS, "r_")).returning(col(Receipt.id))
)
_NEW_EVENT = insert(AuditEvent).values(_bound(AuditEvent, EVENT_COLUMNS, "e_"))
_LINK_ARRAYS = {
    name: bindparam(f"l_{name}", type_=ARRAY(_column_type(LedgerLink, name)))
    for name in _LINK_COLUMNS
}
_NEW_LINKS = insert(LedgerLink).from_select(
    _LINK_COLUMNS,
    # Several unnest() in one select list walk their arrays side by side (PostgreSQL).
    sa_select(*(func.unnest(array).label(name) for name, array in _LINK_ARRAYS.items())),
)
_RECEIPT_CTE = _NEW_RECEIPT.cte("new_receipt")
_PG_WRITE = sa_select(_RECEIPT_CTE.c.id).add_cte(
    _NEW_EVENT.cte("new_event"), _NEW_LINKS.cte("new_links")
)
"""PostgreSQL: the receipt, the audit event and the ledger links in one statement
(data-modifying CTEs), their rows as parameters (the links as arrays)."""


_SERIAL = "\x00"
"""Stands for the receipt's serial number in the content prepared for the server (JSON
writes it \\u0000, never found in a payment's own values)."""
_POSITION = -987654321
"""Stands for a ledger link's position (a minus sign is never in a link's other values)."""
_CALL_CHAIN_PAYMENT = (
    "SELECT locked, receipt_id, receipt_number, receipt_hash FROM registrar_chain_payment("
    ":keys, :counter, :site, :number_prefix, :receipt_before, :receipt_after, :payment, "
    ":issued, :link_kinds, :link_records, :link_before, :link_after, :event_at, "
    ":event_actor, :event_action, :event_entity_type, :event_entity, :event_before_json, "
    ":event_after_before, :event_after_after, :event_content_before, :event_content_after)"
)
_CHAIN_PAYMENT_TYPES = (
    bindparam("keys", type_=ARRAY(String())),
    bindparam("issued", type_=_column_type(Receipt, "issued_at")),
    bindparam("event_at", type_=_column_type(AuditEvent, "occurred_at")),
    bindparam("link_kinds", type_=ARRAY(String())),
    bindparam("link_records", type_=ARRAY(Integer())),
    bindparam("link_before", type_=ARRAY(String())),
    bindparam("link_after", type_=ARRAY(String())),
)
_CHAIN_PAYMENT = text(_CALL_CHAIN_PAYMENT).bindparams(*_CHAIN_PAYMENT_TYPES)
"""PostgreSQL: a payment's chains locked, its receipt numbered, and its receipt, ledger
links and audit event hashed and written, in one call (migration chainone_0001)."""
_CHAIN_PAYMENT_LAST = text(
    _CALL_CHAIN_PAYMENT + " WHERE registrar_require(locked = cardinality(:keys), "
    "'a lock row of the payment chains is missing: nothing written')"
).bindparams(*_CHAIN_PAYMENT_TYPES)
"""The same as its transaction's last statement, sent with the COMMIT (`execute_last`):
it fails, and the transaction is rolled back, unless every lock was taken (migration
chainlast_0001), where `_CHAIN_PAYMENT` answers `locked = 0` to a chain's first writer."""


def _around(text_: str, mark: str) -> tuple[str, str] | None:
    """`text_` cut around its one `mark`; None unless it holds exactly one."""
    parts = text_.split(mark)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _one_call(
    establishment: Establishment,
    year: int,
    amount: Decimal,
    issued_at: datetime,
    payment_id: int,
    links: Sequence[PendingLink],
    audit: AuditDraft,
    occurred_at: datetime,
) -> dict[str, Any] | None:
    """The parameters of `_CHAIN_PAYMENT`: every hashed content made canonical here,
    cut around the values the server fills in under the locks (the serial number, the
    positions). None when a cut is not clean (then the statements of old are used)."""
    prefix = f"{establishment.code}-{year}-"
    receipt = Receipt(
        establishment_id=require_id(establishment),
        number=prefix + _SERIAL,
        payment_id=payment_id,
        refund_id=None,
        issued_at=issued_at,
        previous_hash="",
        hash="",
    )
    escaped = json.dumps(_SERIAL)[1:-1]  # \u0000
    receipt_parts = _around(canonical_json(receipt_payload(receipt, to_cents(amount))), escaped)
    values = event_content(
        occurred_at, audit.actor_id, audit.action, audit.entity_type, audit.entity_id, {},
        audit.after(prefix + _SERIAL),
    )  # fmt: skip
    after_parts = _around(values["after_json"], escaped)
    content_parts = _around(canonical_json(values), json.dumps(escaped)[1:-1])
    link_parts = [
        _around(
            canonical_json(link_content(_POSITION, link.kind, link.record_id, link.digest)),
            str(_POSITION),
        )
        for link in links
    ]
    if receipt_parts is None or after_parts is None or content_parts is None:
        return None
    cut_links = [part for part in link_parts if part is not None]
    if len(cut_links) != len(link_parts):
        return None
    return {
        "site": receipt.establishment_id,
        "number_prefix": prefix,
        "receipt_before": receipt_parts[0],
        "receipt_after": receipt_parts[1],
        "payment": payment_id,
        "issued": issued_at,
        "link_kinds": [link.kind for link in links],
        "link_records": [link.record_id for link in links],
        "link_before": [part[0] for part in cut_links],
        "link_after": [part[1] for part in cut_links],
        "event_at": occurred_at,
        "event_actor": audit.actor_id,
        "event_action": audit.action,
        "event_entity_type": audit.entity_type,
        "event_entity": audit.entity_id,
        "event_before_json": values["before_json"],
        "event_after_before": after_parts[0],
        "event_after_after": after_parts[1],
        "event_content_before": content_parts[0],
        "event_content_after": content_parts[1],
    }


def _chain_in_one_call(
    uow: UnitOfWork, call: dict[str, Any], keys: Sequence[str], *, last: bool
) -> IssuedReceipt:
    if last:  # the rows exist (`payment_chain_keys`); it may commit with its COMMIT
        [state] = uow.execute_last(_CHAIN_PAYMENT_LAST, call)
        return IssuedReceipt(
            receipt_id=int(state.receipt_id), number=state.receipt_number, hash=state.receipt_hash
        )
    state = uow.execute(_CHAIN_PAYMENT, call).one()
    if state.locked != len(keys):  # a chain's first writer: none was locked
        take_sequence_locks(uow, keys)
        state = uow.execute(_CHAIN_PAYMENT, call).one()
    return IssuedReceipt(
        receipt_id=int(state.receipt_id), number=state.receipt_number, hash=state.receipt_hash
    )


def issue_payment_receipt(
    uow: UnitOfWork,
    *,
    establishment: Establishment,
    amount: Decimal,
    issued_at: datetime,
    payment_id: int,
    links: Sequence[PendingLink],
    audit: AuditDraft,
    last: bool = False,
) -> IssuedReceipt:
    """Number and chain a payment's receipt, link its money records in the ledger and
    append its audit event: the three chains' last links read and the new ones written
    together, last in the caller's transaction, so that their locks (every payment of
    the establishment and every money write waits for them) are held for two
    statements and the commit (PostgreSQL: the locks and the last links in one call).

    `last`: the caller's service ends here (`UnitOfWork.execute_last`: in a unit of work
    that is its one call, on PostgreSQL, the transaction commits with the chains' call, the
    locks held for the server's work alone); the rows of `payment_chain_keys` must exist
    already (`ensure_sequence_rows`).

    `links` were digested before (`ledger_chain.pending_links`); the caller wrote
    everything else of its transaction already. The locks are taken in the order every
    writer takes them: the receipt chain, its yearly counter, the ledger, the audit
    (`issue_receipt`, then `link_records`, then `record_event`).

    The chains' last links are read after the locks are granted, by statements of their
    own (SQLite; on PostgreSQL, inside the function, each with a fresh snapshot): a
    statement waiting for a lock still reads what was committed when it began, and would
    chain after a link that is no longer the last one (a fork).
    """
    session = uow.session
    establishment_id = require_id(establishment)
    year = local_year(issued_at)
    keys = payment_chain_keys(establishment_id, issued_at)
    counter = keys[1]
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        call = _one_call(
            establishment, year, amount, issued_at, payment_id, links, audit, utc_now(uow)
        )
        if call is not None:
            call["keys"], call["counter"] = list(keys), counter
            return _chain_in_one_call(uow, call, keys, last=last)
    where = {"counter": counter, "establishment_id": establishment_id}
    if postgresql:
        # The locks taken, the counter bumped and the three last links read in one round
        # trip (heads_0001: a function's statements see what the locks' holders committed).
        heads = {"keys": list(keys), "counter": counter, "site": establishment_id}
        state = session.execute(_CHAIN_HEADS, heads).one()
        if state.locked != len(keys):  # a chain's first writer: none was locked
            take_sequence_locks(uow, keys)
            state = session.execute(_CHAIN_HEADS, heads).one()
        sequence, previous_receipt = state.sequence, state.previous_receipt
        position, previous_link = state.ledger_position, state.previous_link
        previous_event = state.previous_event
    else:
        # SQLite takes no row locks: only the counter's row must exist (the year's first
        # receipt creates it).
        sequence = session.execute(_BUMP, where).scalar_one_or_none()
        if sequence is None:
            ensure_sequence_rows(uow, keys)
            sequence = session.execute(_BUMP, where).scalar_one()
        previous_receipt, position, previous_link, previous_event = session.execute(
            _SQLITE_STATE, where
        ).one()
    receipt = Receipt(
        establishment_id=establishment_id,
        number=f"{establishment.code}-{year}-{int(sequence):06d}",
        payment_id=payment_id,
        refund_id=None,
        issued_at=issued_at,
        previous_hash=previous_receipt or GENESIS_HASH,
        hash="",
    )
    # The chain's payload keeps cents: existing chains must still verify.
    receipt.hash = chain_hash(receipt.previous_hash, receipt_payload(receipt, to_cents(amount)))
    ledger_rows = link_rows(links, int(position or 0), previous_link or GENESIS_HASH)
    event = event_row(
        previous_event or GENESIS_HASH,
        utc_now(uow),
        audit.actor_id,
        audit.action,
        audit.entity_type,
        audit.entity_id,
        {},
        audit.after(receipt.number),
    )
    values = {
        **_as_params({name: getattr(receipt, name) for name in _RECEIPT_COLUMNS}, "r_"),
        **_as_params(event, "e_"),
    }
    if postgresql and ledger_rows:
        for name in _LINK_COLUMNS:
            values[f"l_{name}"] = [row[name] for row in ledger_rows]
        receipt_id = session.execute(_PG_WRITE, values).scalar_one()
    else:
        receipt_id = session.execute(_NEW_RECEIPT, values).scalar_one()
        if ledger_rows:
            session.execute(insert(LedgerLink), ledger_rows)
        session.execute(_NEW_EVENT, values)
    return IssuedReceipt(receipt_id=int(receipt_id), number=receipt.number, hash=receipt.hash)

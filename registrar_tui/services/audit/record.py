"""The audit trail: who did what to which record, hash-chained, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    case,
    column,
    func,
    insert,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.models import AuditEvent, NumberSequence
from registrar_tui.services.audit.chain import GENESIS_HASH, canonical_json, chain_hash
from registrar_tui.services.core.clock import utc_now

AUDIT_LOCK_KEY = "audit"


def lock_sequence_row(uow: UnitOfWork, key: str) -> None:
    """Take the row lock of a `number_sequence` row (creating it), serialising writers.

    SQLite already serialises writers (every write unit of work is BEGIN IMMEDIATE); on
    PostgreSQL two transactions appending to the same chain would otherwise both read
    the same last link and fork it.
    """
    session = uow.session
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = select(col(NumberSequence.key)).where(col(NumberSequence.key) == key).with_for_update()
    # Locked at once: the row exists but for the chain's first writer, which creates it
    # (waiting, should another first writer be creating it too) and locks it then.
    if session.execute(lock).first() is None:
        ensure_sequence_row(uow, key)
        session.execute(lock)


def ensure_sequence_row(uow: UnitOfWork, key: str) -> None:
    """Create the counter row `key` at 0 unless it exists (safe against a concurrent insert)."""
    ensure_sequence_rows(uow, (key,))


def ensure_sequence_rows(uow: UnitOfWork, keys: Sequence[str]) -> None:
    """Create the counter rows `keys` at 0 unless they exist, in one statement.

    Inserted in the order given, which is the order their locks are taken in: a writer
    creating a row another one is creating waits for it (the insert's unique check) as it
    would for its lock, in the same order, so two first writers never deadlock. An
    existing row is left alone, without waiting for whoever holds its lock.
    """
    session = uow.session
    key_column = col(NumberSequence.key)
    # Looked up first: on PostgreSQL an insert meeting a row that a running transaction
    # updated (a counter bumped by a payment not yet committed) waits for that
    # transaction to end, which would queue this writer behind the chains' lock holders
    # before it asked for the locks. The rows exist but for a chain's first writer.
    existing = set(session.execute(select(key_column).where(key_column.in_(keys))).scalars())
    missing = [key for key in keys if key not in existing]
    if not missing:
        return
    postgresql = session.get_bind().dialect.name == "postgresql"
    # Rows as parameters (not a VALUES list in the statement): one statement, compiled once.
    session.execute(
        _ENSURE_PG if postgresql else _ENSURE_SQLITE,
        [{"key": key, "last_value": 0} for key in missing],
    )


_ENSURE_PG = pg_insert(NumberSequence).on_conflict_do_nothing(index_elements=["key"])
_ENSURE_SQLITE = sqlite_insert(NumberSequence).on_conflict_do_nothing(index_elements=["key"])


def lock_sequence_rows(uow: UnitOfWork, keys: Sequence[str]) -> None:
    """Take the row locks of several `number_sequence` rows, in the order given, in one
    statement (PostgreSQL; SQLite serialises writers already). The rows must exist
    (`ensure_sequence_rows` first, before the locked part of the transaction).

    `keys` in the order every writer takes them: a receipt chain, its counter, the
    ledger's chain, the audit's (see `receipts.issue_payment_receipt`).
    """
    if uow.session.get_bind().dialect.name != "postgresql":
        return
    locked = _lock_rows(uow, keys)
    assert locked == len(keys), "lock rows missing: ensure_sequence_rows first"


def _all_present(keys: Sequence[str]) -> Any:
    """SQL: every one of `keys` has its row (read on the statement's snapshot)."""
    key = col(NumberSequence.key)
    return select(func.count()).where(key.in_(keys)).scalar_subquery() == len(keys)


def take_sequence_locks(uow: UnitOfWork, keys: Sequence[str]) -> None:
    """Take the row locks of `number_sequence` rows `keys` in the order given (PostgreSQL;
    SQLite serialises writers already), creating the missing ones: one statement when they
    all exist, which is every time but the first.

    A row missing locks none of them: the rows are then created (`ensure_sequence_rows`)
    and locked as before, so a first writer never holds a later lock while it waits to
    create an earlier row (the order every writer takes them in stays whole).
    """
    if uow.session.get_bind().dialect.name != "postgresql":
        return
    if _lock_rows(uow, keys, _all_present(keys)) == len(keys):
        return
    ensure_sequence_rows(uow, keys)
    lock_sequence_rows(uow, keys)


def _lock_rows(uow: UnitOfWork, keys: Sequence[str], *where: Any) -> int:
    key = col(NumberSequence.key)
    # ORDER BY under FOR UPDATE: PostgreSQL locks the rows as they come out of the sort.
    locked = uow.session.execute(
        select(key)
        .where(key.in_(keys), *where)
        .order_by(case({k: n for n, k in enumerate(keys)}, value=key))
        .with_for_update()
    ).all()
    return len(locked)


def audit_payload(event: AuditEvent) -> dict[str, Any]:
    """What an audit link's hash covers (see INTERFACES.md § hash chains)."""
    return {
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before_json": event.before_json,
        "after_json": event.after_json,
    }


LAST_AUDIT_HASH = select(col(AuditEvent.hash)).order_by(col(AuditEvent.id).desc()).limit(1)
"""The audit chain's last link (read under its lock, in a statement of its own)."""


def event_content(
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> dict[str, Any]:
    """What an audit event's hash covers, as it is stored (`audit_payload` of the row)."""
    return {
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before_json": canonical_json(before),
        "after_json": canonical_json(after),
    }


def event_row(
    previous_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> dict[str, Any]:
    """The values of an audit event chained after `previous_hash` (its hash computed), for
    a writer inserting it with other chains' links in one statement."""
    content = event_content(occurred_at, actor_id, action, entity_type, entity_id, before, after)
    return {
        **content,
        "previous_hash": previous_hash,
        "hash": chain_hash(previous_hash, content),
    }


EVENT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "before_json",
    "after_json",
    "previous_hash",
    "hash",
)


def record_event(
    uow: UnitOfWork,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Append one audit event, chained to the previous one, in the caller's transaction.

    Refuses nothing; it must run inside a write unit of work (AssertionError otherwise).
    """
    assert uow.is_write, "record_event needs a write unit of work"
    session = uow.session
    session.flush()  # the caller's own rows: before the lock, not while holding it
    now = utc_now(uow)
    if session.get_bind().dialect.name == "postgresql":
        _append_event(uow, now, actor_id, action, entity_type, entity_id, before, after)
        return
    previous = _audit_chain_head(uow) or GENESIS_HASH
    row = event_row(previous, now, actor_id, action, entity_type, entity_id, before, after)
    session.execute(insert(AuditEvent).values(row))


_EVENTS: Any = AuditEvent.__table__  # type: ignore[attr-defined]
_CONTENT_COLUMNS = EVENT_COLUMNS[:7]
"""What an event's hash covers (`audit_payload`), in the table's order."""


def append_event_statement(after: Any = None) -> Any:
    """PostgreSQL: the audit chain's lock, its last link and a new event chained after it,
    in one statement (`registrar_audit_chain_head` reads the last link once the lock is
    granted); nothing inserted when the lock's row does not exist yet. Its parameters:
    `event_params`, and `key` (AUDIT_LOCK_KEY). Returns the new event's id.

    `after`: a data-modifying CTE of the same statement (it returns `id`): the event is
    appended for each row it returns, after it wrote that row (the lock is not taken
    before, nor at all when it writes nothing)."""
    key: Any = bindparam("key", type_=String())
    if after is not None:  # a function of `after`'s row: called once that row is written
        key = case((after.c.id.is_not(None), key))
    head = (
        func.registrar_audit_chain_head(key)
        .table_valued(column("locked", Integer()), column("previous_event", String()))
        .render_derived(name="head")
    )
    previous = func.coalesce(head.c.previous_event, GENESIS_HASH)
    source = select(
        *(bindparam(f"e_{name}", type_=_EVENTS.c[name].type) for name in _CONTENT_COLUMNS),
        previous,
        # chain_hash, by the server: SHA-256 of the previous link's hash (ASCII) and the
        # canonical content (UTF-8), in hexadecimal.
        func.encode(
            func.sha256(
                func.convert_to(previous.op("||")(bindparam("content", type_=String())), "UTF8")
            ),
            "hex",
        ),
    )
    if after is None:
        source = source.select_from(head)
    else:  # a function in FROM reads the items before it (PostgreSQL: implicitly LATERAL)
        source = source.select_from(after).join(head, true())
    return (
        insert(_EVENTS)
        .from_select([*_CONTENT_COLUMNS, "previous_hash", "hash"], source.where(head.c.locked == 1))
        .returning(_EVENTS.c.id)
    )


_APPEND_EVENT = append_event_statement()


def event_params(content: dict[str, Any]) -> dict[str, Any]:
    """The parameters of `append_event_statement` for an event's `content` (`event_content`:
    made canonical here, what `audit_payload` gives `verify` to check), but its `key`."""
    params = {f"e_{name}": value for name, value in content.items()}
    params["content"] = canonical_json(content)
    return params


def _append_event(
    uow: UnitOfWork,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """`record_event` on PostgreSQL: the event's content made canonical before the lock,
    then one round trip that takes the lock, reads the last link, hashes and inserts:
    the lock every audited write waits for is held for that call and the commit, with
    no work of this process in between (under load, a process holding it between two
    statements waited for a processor while every other audited write waited for it)."""
    params = event_params(
        event_content(occurred_at, actor_id, action, entity_type, entity_id, before, after)
    )
    params["key"] = AUDIT_LOCK_KEY
    if _inserted(uow, params) == 0:  # the chain's first writer: no lock row yet
        ensure_sequence_row(uow, AUDIT_LOCK_KEY)
        inserted = _inserted(uow, params)
        assert inserted == 1, "the audit chain's lock row exists once created"


def _inserted(uow: UnitOfWork, params: dict[str, Any]) -> int:
    return len(uow.execute(_APPEND_EVENT, params).all())


_AUDIT_CHAIN_HEAD = text("SELECT locked, previous_event FROM registrar_audit_chain_head(:key)")


def _audit_chain_head(uow: UnitOfWork) -> str | None:
    """The audit chain's last link, read under the chain's lock (taken here).

    PostgreSQL: one call (`registrar_audit_chain_head`, migration auditheads_0001: a
    statement that waited for the lock would read what was committed when it began; a
    function's statements each read afresh); the chain's first writer creates the lock's
    row, then calls again. SQLite serialises writers already: the last link, read."""
    session = uow.session
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(LAST_AUDIT_HASH).scalar_one_or_none()
    locked, previous = session.execute(_AUDIT_CHAIN_HEAD, {"key": AUDIT_LOCK_KEY}).one()
    if not locked:
        ensure_sequence_row(uow, AUDIT_LOCK_KEY)
        locked, previous = session.execute(_AUDIT_CHAIN_HEAD, {"key": AUDIT_LOCK_KEY}).one()
        assert locked, "the audit chain's lock row exists once created"
    return str(previous) if previous is not None else None


def record_events(
    uow: UnitOfWork,
    events: list[tuple[int | None, str, str, int | None, dict[str, Any], dict[str, Any]]],
) -> None:
    """Append several audit events at once, chained in the order given: the chain's lock
    taken and its last link read once, the rows inserted in one statement (what a batch
    of calls to the API costs: the lock is held for three round trips, not for each event).

    Each event is (actor_id, action, entity_type, entity_id, before, after), as for
    `record_event`.
    """
    assert uow.is_write, "record_events needs a write unit of work"
    if not events:
        return
    session = uow.session
    session.flush()  # the caller's own rows: before the lock, not while holding it
    now = utc_now(uow)
    ensure_sequence_rows(uow, (AUDIT_LOCK_KEY,))
    lock_sequence_rows(uow, (AUDIT_LOCK_KEY,))
    # The chain is read by id: each event's id must follow the previous one's. On
    # PostgreSQL the ids are taken from the table's sequence with the last link (under
    # the lock, as every writer's insert takes its own), sorted, given in the chain's
    # order, and the rows inserted in one statement; SQLite numbers rows as inserted.
    postgresql = session.get_bind().dialect.name == "postgresql"
    ids: list[int] = []
    if postgresql:
        found = session.execute(
            text(
                "SELECT (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), "
                "ARRAY(SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) "
                "FROM generate_series(1, :count))"
            ),
            {"count": len(events)},
        ).one()
        previous, ids = found[0] or GENESIS_HASH, sorted(int(i) for i in found[1])
    else:
        previous = session.execute(LAST_AUDIT_HASH).scalar_one_or_none() or GENESIS_HASH
    rows: list[dict[str, Any]] = []
    for actor_id, action, entity_type, entity_id, before, after in events:
        row = event_row(previous, now, actor_id, action, entity_type, entity_id, before, after)
        previous = row["hash"]
        rows.append(row)
    for row, event_id in zip(rows, ids, strict=False):
        row["id"] = event_id
    # Executemany, not one VALUES list: its statement is compiled once whatever the batch's
    # size (the driver still sends the rows in one round trip: "insertmanyvalues").
    session.connection().execute(insert(AuditEvent.__table__), rows)  # type: ignore[attr-defined]


def next_number(uow: UnitOfWork, key: str) -> int:
    """Take the next value of a gapless counter, in the caller's transaction.

    The counter row is updated (hence locked) until commit; a rollback gives the number
    back, so numbers are never skipped.
    """
    ensure_sequence_row(uow, key)
    bumped = uow.session.execute(
        update(NumberSequence)
        .where(col(NumberSequence.key) == key)
        .values(last_value=col(NumberSequence.last_value) + 1)
        .returning(col(NumberSequence.last_value))
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(bumped)

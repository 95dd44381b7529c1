"""Bulk row writer for the demo generator: precomputed ids, buffered rows, fast inserts.

Rows are plain dicts keyed by column name (missing keys take the model's default), with
the values the models hold (money as `Decimal`: the `Cents` type converts it).
They are buffered per table and flushed in foreign-key order. Each value goes through
the column type's own SQLAlchemy bind processor, so the stored representation is exactly
what the ORM would store (SQLite date/time strings, enum validation, aware UTC datetimes),
but without SQLAlchemy's per-row statement machinery: SQLite gets one DBAPI
`executemany` per chunk, PostgreSQL gets `COPY ... FROM STDIN`.

Writing runs on one background thread (FIFO, so parents still precede children) while
the generator keeps producing rows: the database driver releases the GIL while SQLite
or PostgreSQL works, so on two cores generation and storage overlap.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Connection, Table, text
from sqlmodel import Session, SQLModel

import registrar_tui.models  # noqa: F401  (registers every table)

Row = dict[str, Any]
Batch = list[tuple[Table, list[Row]]]
FLUSH_THRESHOLD = 60_000
CHUNK = 20_000

RUNNING_SUM_TABLES = ("invoice_line", "allocation", "credit_note", "contribution_choice")
"""Tables whose rows a trigger adds to `receivable_by_due_date` (migration collect_0001).
On PostgreSQL each row's trigger updates one of a few hot rows, and a row updated many
times in one transaction leaves a chain of versions every next update walks: a 50,000-
family load took hours. The bulk load suspends those triggers and sums once at the end."""

_REBUILD_RUNNING_SUMS = """
INSERT INTO receivable_by_due_date (issued_on, due_on, owed_cents)
SELECT issued_on, due_on, SUM(amount) FROM (
    SELECT i.issued_on, i.due_on, l.amount_cents AS amount
    FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
    UNION ALL
    SELECT i.issued_on, i.due_on, -a.amount_cents
    FROM allocation a JOIN invoice i ON i.id = a.invoice_id
    UNION ALL
    SELECT i.issued_on, i.due_on, -n.amount_cents
    FROM credit_note n JOIN invoice i ON i.id = n.invoice_id
    UNION ALL
    SELECT i.issued_on, i.due_on, -l.amount_cents
    FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
    WHERE l.is_voluntary AND COALESCE((
        SELECT c.declined FROM contribution_choice c WHERE c.invoice_line_id = l.id
        ORDER BY c.id DESC LIMIT 1), FALSE)
) effects
GROUP BY issued_on, due_on
"""
"""The running sums from the rows themselves (as migration collect_0001 first filled them)."""


def _model_defaults() -> dict[str, dict[str, Any]]:
    defaults: dict[str, dict[str, Any]] = {}
    for mapper in SQLModel._sa_registry.mappers:
        model = mapper.class_
        table = getattr(model, "__tablename__", None)
        if not isinstance(table, str):
            continue
        values: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            if info.default is not PydanticUndefined:
                values[name] = info.default
            elif info.default_factory is None:
                values[name] = None
        defaults[table] = values
    return defaults


def _convert(values: list[Any], proc: Callable[[Any], Any]) -> list[Any]:
    """Apply a bind processor to a column's values, once per distinct value."""
    memo: dict[Any, Any] = {None: None}
    out: list[Any] = []
    append = out.append
    for value in values:
        try:
            append(memo[value])
        except KeyError:
            converted = memo[value] = proc(value)
            append(converted)
    return out


class IdAllocator:
    """Hands out consecutive ids per table, starting at 1, so no RETURNING is needed."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next(self, table: str) -> int:
        value = self._last.get(table, 0) + 1
        self._last[table] = value
        return value

    def last(self, table: str) -> int:
        return self._last.get(table, 0)


class BulkWriter:
    """Buffers rows per table and writes them in dependency order."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._conn: Connection = session.connection()
        self._dialect = self._conn.dialect
        self.backend = self._dialect.name
        self._tables: list[Table] = list(SQLModel.metadata.sorted_tables)
        self._by_name = {t.name: t for t in self._tables}
        self._buffers: dict[str, list[Row]] = {t.name: [] for t in self._tables}
        self._defaults = _model_defaults()
        self.counts: dict[str, int] = {t.name: 0 for t in self._tables}
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self._worker: threading.Thread | None = None
        self._error: BaseException | None = None
        self._sums_suspended = False
        if self.backend == "sqlite":
            # A big page cache keeps the index B-trees in memory during the bulk load.
            self._conn.exec_driver_sql("PRAGMA cache_size=-262144")
        else:
            # In the load's own transaction: rolled back with it if it fails.
            for table in RUNNING_SUM_TABLES:
                self._conn.exec_driver_sql(
                    f"ALTER TABLE {table} DISABLE TRIGGER receivable_{table}"
                )
            self._sums_suspended = True

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.finish()
        else:  # stop the worker before the transaction is rolled back
            self._error = self._error or exc
            self._stop()

    def add(self, table: str, row: Row) -> None:
        """Buffer a row; call `maybe_flush` now and then (cheaper than counting every row)."""
        self._buffers[table].append(row)

    def maybe_flush(self) -> None:
        if sum(len(rows) for rows in self._buffers.values()) >= FLUSH_THRESHOLD:
            self.flush()

    def flush(self) -> None:
        """Hand every buffered row to the writer thread, parents before children."""
        batch: Batch = []
        for table in self._tables:
            rows = self._buffers[table.name]
            if rows:
                self._buffers[table.name] = []
                batch.append((table, rows))
        self._raise_worker_error()
        if not batch:
            return
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="demo-writer", daemon=True)
            self._worker.start()
        self._queue.put(batch)

    def finish(self) -> None:
        """Write everything still buffered and wait until it is stored (PostgreSQL: the
        running sums computed and their triggers back on)."""
        self.flush()
        self._stop()
        self._raise_worker_error()
        if self._sums_suspended:
            self._sums_suspended = False
            # Statistics first: tables filled in this transaction look empty to the planner,
            # which would join them row by row (minutes on 50,000 families, not seconds).
            self._conn.exec_driver_sql(f"ANALYZE invoice, {', '.join(RUNNING_SUM_TABLES)}")
            self._conn.exec_driver_sql("DELETE FROM receivable_by_due_date")
            self._conn.exec_driver_sql(_REBUILD_RUNNING_SUMS)
            for table in RUNNING_SUM_TABLES:
                self._conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER receivable_{table}")

    def _stop(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join()
            self._worker = None

    def _raise_worker_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # drain without writing
            try:
                for table, rows in batch:
                    self._write(table, rows)
            except BaseException as error:  # reported to the generating thread
                self._error = error

    def _prepare(self, table: Table, rows: list[Row]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column-wise: each column's values, bind-processed, then zipped into rows."""
        defaults = self._defaults.get(table.name, {})
        columns: list[str] = []
        data: list[list[Any]] = []
        for column in table.columns:
            name = column.name
            try:
                values = [row[name] for row in rows]
            except KeyError:
                default = defaults.get(name)
                values = [row.get(name, default) for row in rows]
            proc = column.type._cached_bind_processor(self._dialect)
            if proc is not None:
                values = _convert(values, proc)
            columns.append(name)
            data.append(values)
        return columns, list(zip(*data, strict=True))

    def _write(self, table: Table, rows: list[Row]) -> None:
        columns, values = self._prepare(table, rows)
        self.counts[table.name] += len(values)
        quote = self._dialect.identifier_preparer.quote
        column_list = ", ".join(quote(c) for c in columns)
        dbapi = self._conn.connection.dbapi_connection
        assert dbapi is not None
        if self.backend == "postgresql":
            with dbapi.cursor() as cursor:  # type: ignore[attr-defined]
                sql = f"COPY {quote(table.name)} ({column_list}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for row in values:
                        copy.write_row(row)
            return
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {quote(table.name)} ({column_list}) VALUES ({placeholders})"
        cursor = dbapi.cursor()
        try:
            for start in range(0, len(values), CHUNK):
                cursor.executemany(sql, values[start : start + CHUNK])
        finally:
            cursor.close()

    def advance_sequences(self, ids: IdAllocator) -> None:
        """PostgreSQL: move each serial sequence past the ids we assigned ourselves."""
        self.finish()
        if self.backend != "postgresql":
            return
        for table in self._tables:
            if "id" not in table.columns or not table.columns["id"].primary_key:
                continue
            last = ids.last(table.name)
            self._conn.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, :called)").bindparams(
                    t=table.name, v=max(last, 1), called=last > 0
                )
            )

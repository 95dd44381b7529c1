"""Database engines and the unit of work every service runs in.

SQLite is the embedded default (WAL, foreign keys, busy timeout, synchronous=FULL,
write transactions begin IMMEDIATE so two writers queue instead of failing late with
"database is locked"). PostgreSQL (psycopg 3) is selected by URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from registrar_tui.dburl import (  # re-exported: callers import them from here too
    ENV_DB_URL as ENV_DB_URL,
)
from registrar_tui.dburl import default_database_path as default_database_path
from registrar_tui.dburl import normalise_url as normalise_url
from registrar_tui.dburl import resolve_url as resolve_url

Clock = Callable[[], datetime]
"""Returns the current instant as an aware datetime (tests inject a fixed one)."""

SQLITE_BUSY_TIMEOUT_MS = 10_000


def system_clock() -> datetime:
    """The real clock: the current instant in UTC."""
    return datetime.now(tz=UTC)


def _configure_sqlite(engine: Engine, url: URL) -> None:
    in_memory = url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); the driver must not open transactions.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the write lock at BEGIN, where busy_timeout applies, rather
        # than upgrading a read lock mid-transaction (which fails without waiting).
        write = conn.get_execution_options().get("registrar_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    """Create an engine for `url` with this application's settings for its backend.

    Database errors leave out the statement's parameters: their text reaches the app's
    log, and a parameter may be a social insurance number or a guardian's address.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        _configure_sqlite(engine, parsed)
        return engine
    return create_engine(
        parsed, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True
    )


@dataclass
class UnitOfWork:
    """One transaction: a session plus the clock it runs under."""

    session: Session
    clock: Clock
    is_write: bool

    def now(self) -> datetime:
        """The current instant in UTC, aware (datetime columns store aware UTC)."""
        return self.clock().astimezone(UTC)


@dataclass
class Database:
    """An opened database: the engine plus the application clock."""

    url: str
    engine: Engine
    clock: Clock = field(default=system_clock)

    @classmethod
    def open(cls, url: str | None = None, clock: Clock | None = None) -> Database:
        resolved = resolve_url(url)
        return cls(url=resolved, engine=make_engine(resolved), clock=clock or system_clock)

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """A read-only unit of work (rolled back at the end)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield UnitOfWork(session=session, clock=self.clock, is_write=False)
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """A write unit of work: committed if the block succeeds, rolled back otherwise."""
        bind = self.engine.execution_options(registrar_write=True)
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield UnitOfWork(session=session, clock=self.clock, is_write=True)
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()

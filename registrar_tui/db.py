"""Database engines and the unit of work every service runs in.

SQLite is the embedded default (WAL, foreign keys, busy timeout, synchronous=FULL,
write transactions begin IMMEDIATE so two writers queue instead of failing late with
"database is locked"). PostgreSQL (psycopg 3) is selected by URL.

A database that cannot be used says why, as a `DatabaseUnavailable` (a DomainError: the
CLI prints it, the login screen shows it): an address that is not one, a kind of
database other than these two, a driver that is not installed (`parse_url`), a server
that cannot be reached, with its host, port and the cause (`explain_failures`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, ExceptionContext, Result, Row, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session

from registrar_tui.dburl import (  # re-exported: callers import them from here too
    ENV_DB_URL as ENV_DB_URL,
)
from registrar_tui.dburl import default_database_path as default_database_path
from registrar_tui.dburl import normalise_url as normalise_url
from registrar_tui.dburl import resolve_url as resolve_url
from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import DatabaseUnavailable, PhraseParam

Clock = Callable[[], datetime]
"""Returns the current instant as an aware datetime (tests inject a fixed one)."""

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10
"""A server that does not answer is reported after this long, not after minutes."""
PING_AFTER_IDLE_S = 1.0
"""A pooled PostgreSQL connection given back longer ago than this is pinged before it is
used again (`ping_when_idle`)."""
POSTGRES_DEFAULT_PORT = 5432
SUPPORTED_BACKENDS = ("sqlite", "postgresql")

MSG_NOT_A_URL = N_(
    "« {url} » n'est pas une adresse de base de données : donnez le chemin d'un fichier "
    "SQLite ou une URL postgresql://utilisateur@hôte:port/base (--db ou $REGISTRAR_DB_URL)."
)
MSG_UNSUPPORTED = N_(
    "Base de données « {backend} » non prise en charge : registrar-tui fonctionne avec un "
    "fichier SQLite (son chemin) ou PostgreSQL (postgresql://utilisateur@hôte:port/base)."
)
MSG_NO_DRIVER = N_(
    "Le pilote « {driver} » n'est pas installé : pour PostgreSQL, écrivez "
    "postgresql://… (son pilote, psycopg, est installé avec registrar-tui)."
)
MSG_UNREACHABLE = N_("Base de données injoignable ({host}, port {port})\u00a0: {cause}.")
MSG_LOST = N_("Connexion à la base de données perdue ({host}, port {port})\u00a0: {cause}.")
MSG_SQLITE_OPEN = N_(
    "Impossible d'ouvrir le fichier de base de données {path} : {detail}. Vérifiez que "
    "son dossier existe et que vous avez le droit d'y écrire."
)
CAUSE_REFUSED = N_(
    "connexion refusée, aucun serveur n'écoute à cette adresse. Vérifiez que le serveur "
    "PostgreSQL est démarré et que le port est le bon"
)
CAUSE_UNKNOWN_HOST = N_(
    "hôte inconnu. Vérifiez le nom du serveur dans l'adresse (--db ou $REGISTRAR_DB_URL)"
)
CAUSE_TIMEOUT = N_("le serveur ne répond pas. Vérifiez le réseau, le nom du serveur et le pare-feu")
CAUSE_AUTHENTICATION = N_(
    "l'utilisateur « {user} » ou son mot de passe est refusé. Vérifiez-les dans l'adresse"
)
CAUSE_NO_DATABASE = N_(
    "la base « {database} » n'existe pas sur ce serveur. Vérifiez son nom, ou créez-la "
    "puis lancez « registrar-tui db upgrade »"
)
CAUSE_OTHER = N_(
    "{detail}. Vérifiez l'adresse et le serveur ; si cela persiste, appelez le "
    "responsable informatique"
)


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


def parse_url(url: str) -> URL:
    """`url` parsed, for a backend we support whose driver is installed.

    Refuses with DatabaseUnavailable: a string that is no database address, a kind of
    database other than SQLite and PostgreSQL (mysql://…), a driver not installed.
    """
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        _port = parsed.port  # a port that is not a number fails here
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(MSG_NOT_A_URL, url=_without_password(url)) from None
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUnavailable(MSG_UNSUPPORTED, backend=backend) from None
    try:
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, ImportError):
        raise DatabaseUnavailable(MSG_NO_DRIVER, driver=parsed.drivername) from None
    return parsed


def _without_password(url: str) -> str:
    """An address as it may be shown: the part between ':' and '@' (a password) hidden."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def _cause(url: URL, detail: str) -> PhraseParam:
    """What went wrong reaching the server, and what to do about it."""
    text = detail.lower()
    if "connection refused" in text:
        return PhraseParam(CAUSE_REFUSED)
    if any(
        sign in text
        for sign in (
            "name or service not known",
            "failed to resolve host",
            "could not translate host name",
            "nodename nor servname",
            "name resolution",
        )
    ):
        return PhraseParam(CAUSE_UNKNOWN_HOST)
    if "timeout" in text or "timed out" in text:
        return PhraseParam(CAUSE_TIMEOUT)
    if (
        "authentication failed" in text
        or "no password supplied" in text
        or ("role " in text and "does not exist" in text)
    ):
        return PhraseParam(CAUSE_AUTHENTICATION, (("user", url.username or ""),))
    if "database " in text and "does not exist" in text:
        return PhraseParam(CAUSE_NO_DATABASE, (("database", url.database or ""),))
    return PhraseParam(CAUSE_OTHER, (("detail", detail),))


def explain_failure(url: URL, error: BaseException, *, lost: bool = False) -> DatabaseUnavailable:
    """The DatabaseUnavailable that says why `url` could not be reached (or was lost)."""
    detail = _first_line(error)
    if url.get_backend_name() == "sqlite":
        return DatabaseUnavailable(MSG_SQLITE_OPEN, path=url.database or "", detail=detail)
    return DatabaseUnavailable(
        MSG_LOST if lost else MSG_UNREACHABLE,
        host=url.host or "localhost",
        port=url.port or POSTGRES_DEFAULT_PORT,
        cause=_cause(url, detail),
    )


def explain_failures(engine: Engine) -> None:
    """Make `engine` raise DatabaseUnavailable when it cannot connect or loses its server
    (SQLAlchemy's `handle_error` hook; pre-ping failures are left to the pool)."""

    @event.listens_for(engine, "handle_error")
    def _explain(context: ExceptionContext) -> None:
        if context.is_pre_ping:
            return
        if context.connection is None:
            raise explain_failure(engine.url, context.original_exception)
        if context.is_disconnect:
            raise explain_failure(engine.url, context.original_exception, lost=True)


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use when it has been idle more than
    PING_AFTER_IDLE_S, not at every checkout (SQLAlchemy's `pool_pre_ping`).

    A connection given back a moment ago (the API's, the clerks' under load: every
    request takes one or two) is alive; its ping was one more round trip each time. One
    that sat idle, maybe through a server restart or a broken network link, is pinged as
    before, and replaced by a fresh one if the server is gone (the pool retries on
    DisconnectionError). A connection lost while in use invalidates the whole pool
    (SQLAlchemy does it on any disconnect error), so the next checkout is a new one."""

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_connection: Any, record: Any) -> None:
        record.info["given_back_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        given_back = record.info.get("given_back_at")
        if given_back is None or time.monotonic() - given_back < PING_AFTER_IDLE_S:
            return  # just opened (`info` is cleared with a replaced connection), or warm
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError() from error
            raise


def roll_back_keeping_prepared_statements(engine: Engine) -> None:
    """Roll PostgreSQL transactions back without forgetting the connection's prepared
    statements.

    psycopg's `rollback()` also deallocates every statement the connection prepared
    (DEALLOCATE ALL): a rolled-back transaction may have dropped or created what one of
    them uses. This program's connections never change the schema (migrations run on
    their own connection, `registrar_tui.migrate`), so a refusal was paying that price
    for nothing: every StaleBalance, every refused write, made its connection parse and
    plan each statement again, five times unprepared then five custom plans. Under 20
    clerks paying the same families, 4 in 10 of PostgreSQL's CPU was spent planning.

    The ROLLBACK is sent by libpq itself (psycopg's prepared-statement bookkeeping never
    sees it); a ROLLBACK that fails (connection lost) is left to psycopg's own, which
    raises the error SQLAlchemy recognises as a disconnect."""
    from psycopg import pq

    def do_rollback(dbapi_connection: Any) -> None:
        connection = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        pgconn = connection.pgconn
        if pgconn.transaction_status == pq.TransactionStatus.IDLE:
            return
        if connection._pipeline is None:  # never in pipeline mode: psycopg's own then
            result = pgconn.exec_(b"ROLLBACK")
            if result.status == pq.ExecStatus.COMMAND_OK:
                return
        connection.rollback()

    engine.dialect.do_rollback = do_rollback  # type: ignore[method-assign]


COMMIT_WITH_IT = "registrar_commit_with_it"
"""Execution option of a statement whose transaction commits with it (`execute_last`)."""


def commit_with_last_statements(engine: Engine) -> None:
    """Send a transaction's COMMIT with its last statement, in one round trip (psycopg's
    pipeline mode), for a statement run with the execution option COMMIT_WITH_IT.

    The locks that statement takes are released as soon as the server has run it and
    written the commit: not once this process, one of many on a busy machine, is scheduled
    again to send the COMMIT (under 20 clerks, the receipt chains' locks were held twice as
    long waiting for that). A statement that fails raises as ever and leaves the
    transaction to roll back (the COMMIT queued after it is not run); a COMMIT that fails
    raises as the statement's error."""
    default = engine.dialect.do_execute

    def do_execute(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        if context is None or not context.execution_options.get(COMMIT_WITH_IT):
            default(cursor, statement, parameters, context)
            return
        connection = cursor.connection
        with connection.pipeline():
            cursor.execute(statement, parameters)
            connection.commit()  # queued after the statement; the pipeline's sync sends both

    engine.dialect.do_execute = do_execute  # type: ignore[method-assign]


def make_engine(url: str) -> Engine:
    """Create an engine for `url` with this application's settings for its backend.

    Database errors leave out the statement's parameters: their text reaches the app's
    log, and a parameter may be a social insurance number or a guardian's address.
    Refuses with DatabaseUnavailable what `parse_url` refuses; the engine raises it too
    when it cannot connect (`explain_failures`).
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        _configure_sqlite(engine, parsed)
        explain_failures(engine)
        return engine
    engine = create_engine(
        parsed,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        # Ten kept, none beyond: an overflow connection is closed when given back, and
        # under a burst (the API's 40 threads per worker) each request past the fifth
        # opened a new one (a PostgreSQL backend started, then ended, per request). The
        # eleventh waits for one instead, as it did for the eleventh before.
        pool_size=10,
        max_overflow=0,
        hide_parameters=True,
    )
    roll_back_keeping_prepared_statements(engine)
    commit_with_last_statements(engine)
    ping_when_idle(engine)
    explain_failures(engine)
    return engine


CoreParams = Mapping[str, Any] | Sequence[Mapping[str, Any]]
"""A statement's parameters: one set, or several (one row each)."""


@dataclass
class UnitOfWork:
    """One transaction: a session plus the clock it runs under."""

    session: Session
    clock: Clock
    is_write: bool
    one_call: bool = False
    """A write unit of work that is one service's call: it may commit with the service's
    last statement (`execute_last`)."""

    def now(self) -> datetime:
        """The current instant in UTC, aware (datetime columns store aware UTC)."""
        return self.clock().astimezone(UTC)

    def execute(
        self, statement: Executable, params: CoreParams | None = None
    ) -> Result[*tuple[Any, ...]]:
        """Run a Core statement (it selects columns, not mapped objects; or it inserts or
        updates without the ORM's bookkeeping) on this transaction's connection, past the
        ORM's layer: about 0.06 ms less per statement, paid by every statement of every
        payment. What the session holds unwritten is flushed first, as the ORM would."""
        self.session.flush()
        return self.session.connection().execute(statement, params)

    def execute_last(
        self, statement: Executable, params: CoreParams | None = None
    ) -> Sequence[Row[Any]]:
        """Run a service's last statement and return its rows. In a unit of work that is
        that one service's call (`Database.write(one_call=True)`), the transaction commits
        with it: on PostgreSQL in the same round trip (`commit_with_last_statements`), so
        that the locks it takes are held for the server's work only; nothing may follow it
        then (a statement after it would begin another transaction, which the unit of work
        refuses when it ends: AssertionError, rolled back). Otherwise, a statement like
        any other, and the caller's unit of work goes on."""
        self.session.flush()
        connection = self.session.connection()
        if not self.one_call:
            return connection.execute(statement, params).all()
        if connection.dialect.name == "postgresql":
            statement = statement.execution_options(**{COMMIT_WITH_IT: True})
        rows = connection.execute(statement, params).all()
        self.session.commit()
        self.session.info[_COMMITTED] = True
        return rows

    def commit_without_disk_wait(self) -> None:
        """On PostgreSQL, this transaction's commit does not wait for the disk
        (`synchronous_commit` off for it alone: a few milliseconds less, and its locks
        released that much sooner). A server crash in the next fraction of a second may
        lose the transaction whole, never part of it, nor a later one that waited (those
        reach the disk after it). Only for bookkeeping whose loss harms nothing: the API's
        record of accepted signatures (a replayed payment or request is idempotent anyway)
        and its access log of answered calls. Never for money, records or their audit.
        SQLite: nothing changes."""
        assert self.is_write, "only a write unit of work commits"
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


_FLUSHED = "registrar_flushed"
_COMMITTED = "registrar_committed"
"""Marks a write unit of work committed by its last statement (`execute_last`)."""


_LOOSE = "registrar_loose_read"
"""Marks the session of a `Database.loose_read`: nothing it would write may be flushed."""


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: object) -> None:
    """Marks a session that sent changes to the database: a read that did is rolled back.
    (One listener for every session, not one registered per read.)"""
    session.info[_FLUSHED] = True


@event.listens_for(Session, "before_flush")
def _refuse_loose_flush(session: Session, _context: object, _instances: object) -> None:
    """A loose read never writes: in autocommit, a flush would be kept at once."""
    assert not session.info.get(_LOOSE), "a loose read writes nothing"


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
        """A read-only unit of work, ended by COMMIT when it wrote nothing, else rolled back.

        Not ROLLBACK every time: psycopg forgets the statements it prepared on a connection
        at each ROLLBACK, so on PostgreSQL every read would be planned again (the search's
        queries cost more to plan than to run). A read that flushed anything (none should)
        is rolled back as before: nothing a read does is ever kept.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield UnitOfWork(session=session, clock=self.clock, is_write=False)
            except BaseException:
                session.rollback()
                raise
            if session.info.get(_FLUSHED) or session.new or session.dirty or session.deleted:
                session.rollback()
            else:
                session.commit()

    @contextmanager
    def write(self, *, one_call: bool = False) -> Iterator[UnitOfWork]:
        """A write unit of work: committed if the block succeeds, rolled back otherwise.

        `one_call`: the block calls one service and does nothing after it, which lets the
        service commit with its last statement (`UnitOfWork.execute_last`)."""
        bind = self.engine.execution_options(registrar_write=True)
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield UnitOfWork(
                    session=session, clock=self.clock, is_write=True, one_call=one_call
                )
                if session.info.get(_COMMITTED):
                    assert not session.in_transaction() and not (session.new or session.dirty), (
                        "nothing may follow execute_last in its unit of work"
                    )
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def loose_read(self) -> Iterator[UnitOfWork]:
        """A read-only unit of work whose statements each see the database as it is when
        they run, not all as of one moment: on PostgreSQL in autocommit, without the BEGIN
        and COMMIT round trips around them. For a read asked for at every keystroke whose
        figures that must agree come from one statement (the payment preview: the chosen
        invoices' balances, checked again when posting). On SQLite a `read`. Either way
        it refuses to flush a change (AssertionError)."""
        if self.backend != "postgresql":
            with self.read() as uow:
                uow.session.info[_LOOSE] = True
                yield uow
            return
        with self._autocommit.connect() as link, Session(link, expire_on_commit=False) as session:
            session.info[_LOOSE] = True
            yield UnitOfWork(session=session, clock=self.clock, is_write=False)

    @cached_property
    def _autocommit(self) -> Engine:
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def standalone(self) -> Iterator[UnitOfWork]:
        """A write unit of work whose statements each commit on their own, for work done
        in one statement: on PostgreSQL in autocommit, without the BEGIN and COMMIT round
        trips around it (the API's check of each call's signature). On SQLite a `write`."""
        if self.backend != "postgresql":
            with self.write() as uow:
                yield uow
            return
        with self._autocommit.connect() as link, Session(link, expire_on_commit=False) as session:
            yield UnitOfWork(session=session, clock=self.clock, is_write=True)
            session.commit()  # the session's own (nothing left to send: autocommit)

    def dispose(self) -> None:
        self.engine.dispose()

"""Alembic environment for registrar-tui, over `SQLModel.metadata`.

The database URL comes, in this order, from:
1. `config.attributes["url"]` — set by `registrar_tui.migrate` (`registrar-tui db upgrade`);
2. `-x db=URL` on the alembic command line;
3. `$REGISTRAR_DB_URL`.
`alembic.ini` deliberately holds no URL.

SQLite: migrations run in one `BEGIN IMMEDIATE` transaction with foreign keys OFF
(batch mode rebuilds tables by copy-and-rename, which must not cascade or fail on the
way), and `PRAGMA foreign_key_check` must come back empty before the commit.
PostgreSQL: one transaction (transactional DDL).
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, event, pool, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import registrar_tui.models  # noqa: F401  (registers every table on SQLModel.metadata)
from registrar_tui.db import SQLITE_BUSY_TIMEOUT_MS, explain_failures, normalise_url

config = context.config
target_metadata = SQLModel.metadata


def _database_url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("db")
    url = url or os.environ.get("REGISTRAR_DB_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(
            "No database URL: use `registrar-tui db upgrade --db URL`, "
            "`alembic -x db=URL ...` or set $REGISTRAR_DB_URL."
        )
    return normalise_url(url)


def _tidy_index_ops(_context: Any, _revision: Any, directives: list[Any]) -> None:
    """Autogenerate clean-up: indexes as plain `op.create_index`/`op.drop_index`.

    With render_as_batch every index op is wrapped in `batch_alter_table`, but SQLite
    creates and drops indexes natively, so the wrapper only adds noise; and dropping the
    indexes of a table that is dropped in the same step is redundant.
    """
    from alembic.operations import ops

    for script in directives:
        for container in (script.upgrade_ops, script.downgrade_ops):
            dropped = {op.table_name for op in container.ops if isinstance(op, ops.DropTableOp)}
            flat: list[Any] = []
            for op in container.ops:
                index_only = isinstance(op, ops.ModifyTableOps) and all(
                    isinstance(sub, (ops.CreateIndexOp, ops.DropIndexOp)) for sub in op.ops
                )
                if not index_only:
                    flat.append(op)
                    continue
                flat.extend(
                    sub
                    for sub in op.ops
                    if not (isinstance(sub, ops.DropIndexOp) and sub.table_name in dropped)
                )
            container.ops = flat


def _configure(connection: Connection | None = None, **kwargs: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move instead
        compare_type=True,
        compare_server_default=True,
        process_revision_directives=_tidy_index_ops,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`) instead of running it."""
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_engine(url: str) -> Any:
    engine = create_engine(url, poolclass=pool.NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (transactional DDL)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite DDL is transactional once we BEGIN ourselves: run everything in one go.
    _configure(connection, transactional_ddl=True if sqlite else None)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = _database_url()
    if make_url(url).get_backend_name() == "sqlite":
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, poolclass=pool.NullPool)
    explain_failures(engine)  # a server out of reach is said plainly (host, port, cause)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Throw-away PostgreSQL databases for tests: per-worker templates, one copy per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, pool, text
from sqlalchemy.engine import make_url

from registrar_tui.db import normalise_url


def _admin_engine(server_url: str) -> Engine:
    base = make_url(normalise_url(server_url))
    return create_engine(
        base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`."""
    base = make_url(normalise_url(server_url))
    return base.set(database=name).render_as_string(hide_password=False)


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create database `name` (empty, or a copy of `template`); returns its URL."""
    clause = f' TEMPLATE "{template}"' if template else ""
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    finally:
        admin.dispose()
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@contextmanager
def temporary_pg_database(server_url: str, *, template: str | None = None) -> Iterator[str]:
    """A new database (a copy of `template` when given), dropped afterwards; yields its URL."""
    name = unique_name("registrar_test")
    try:
        yield create_database(server_url, name, template=template)
    finally:
        drop_database(server_url, name)


DROP_THREADS = 8
"""Drops in flight at once, per pytest worker (see `BackgroundDropper`)."""


class BackgroundDropper:
    """Drops finished test databases on background threads.

    DROP DATABASE waits for a checkpoint of the whole server (PostgreSQL 15 forces one,
    with CHECKPOINT_WAIT): about a second each, one after another. Off the test's critical
    path the next test starts meanwhile; several drops in flight share the same
    checkpoint. With one thread a worker's drops fell behind its tests: 16 drops took
    20.9 s one at a time and 1.5 s eight at a time, and at the end of a run on a busy
    machine the workers waited up to eight minutes for their queues of drops.
    `close()` waits for every drop and re-raises the first failure.
    """

    def __init__(self, server_url: str) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._server_url = server_url
        self._executor = ThreadPoolExecutor(max_workers=DROP_THREADS, thread_name_prefix="pg-drop")
        self._futures: list[Any] = []

    def drop(self, name: str) -> None:
        self._futures.append(self._executor.submit(drop_database, self._server_url, name))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        for future in self._futures:
            future.result()

"""Throw-away PostgreSQL databases for tests: per-worker templates, one copy per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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

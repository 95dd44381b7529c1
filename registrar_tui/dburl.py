"""Which database to open, decided without importing SQLAlchemy (start-up is a feature)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB_URL = "REGISTRAR_DB_URL"
_SQLITE_PREFIX = "sqlite:///"


def default_database_path() -> Path:
    """Where the SQLite file lives when no URL is given: the user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("registrar-tui", appauthor=False)) / "registrar.db"


def normalise_url(url: str) -> str:
    """Accept a bare file path or a plain postgresql:// URL and return a SQLAlchemy URL."""
    if "://" not in url:
        return f"{_SQLITE_PREFIX}{Path(url).expanduser().resolve()}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: explicit, then $REGISTRAR_DB_URL, then the default file."""
    if url:
        return normalise_url(url)
    env = os.environ.get(ENV_DB_URL)
    if env:
        return normalise_url(env)
    return f"{_SQLITE_PREFIX}{default_database_path()}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database)."""
    if not url.startswith(_SQLITE_PREFIX):
        return None
    path = url[len(_SQLITE_PREFIX) :].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None

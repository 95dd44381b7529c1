"""Schema migrations (Alembic), for the CLI, the app's start-up check and the tests.

The Alembic configuration is built here, in code, with the URL the caller gives: the
scripts are in this package's `migrations` folder (a wheel carries them). Alembic itself is
imported only by `upgrade`/`downgrade`: the start-up check (`check_schema`) reads the
revision files and the `alembic_version` table directly, so opening the app stays fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import SchemaOutOfDate

if TYPE_CHECKING:
    from alembic.config import Config

    from registrar_tui.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
VERSION_TABLE = "alembic_version"

_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.MULTILINE)


class SchemaTooNew(SchemaOutOfDate):
    """The database was migrated by a newer registrar-tui than this one."""

    message = N_(
        "La base de données a été créée par une version plus récente de registrar-tui "
        "(révision {revision}) : mettez le logiciel à jour."
    )


def alembic_config(url: str) -> Config:
    """The Alembic configuration for `url` (a SQLAlchemy URL or a bare SQLite path)."""
    from alembic.config import Config

    from registrar_tui.db import normalise_url

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("recursive_version_locations", "true")  # versions/<domain>/
    # Through attributes, not set_main_option: a URL may contain '%' (ConfigParser syntax).
    config.attributes["url"] = normalise_url(url)
    return config


def _prepare(url: str) -> Config:
    from registrar_tui.db import parse_url

    config = alembic_config(url)
    parsed = parse_url(config.attributes["url"])  # DatabaseUnavailable: said, not a traceback
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations up to `revision`; creates the SQLite file and its folder."""
    from alembic import command

    command.upgrade(_prepare(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Revert the migrations down to `revision` ('base' for an empty database)."""
    from alembic import command

    command.downgrade(_prepare(url), revision)


def _read_revisions() -> dict[str, tuple[str, ...]]:
    """revision id → ids it revises, from the revision files (without importing them)."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(VERSIONS_DIR.rglob("*.py")):  # a folder per domain
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        down = _DOWN.search(source)
        if not found or not down:
            continue
        graph[found.group(1)] = tuple(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return graph


def head_revision() -> str:
    """The revision the code expects the database to be at."""
    graph = _read_revisions()
    revised = {parent for parents in graph.values() for parent in parents}
    heads = sorted(set(graph) - revised)
    if len(heads) != 1:
        raise RuntimeError(f"expected exactly one migration head, found {heads}")
    return heads[0]


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from sqlalchemy import inspect, text

    with db.engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows: list[Any] = list(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")))
    if not rows:
        return None
    if len(rows) > 1:  # several branches: not something this project creates
        return ",".join(sorted(str(row[0]) for row in rows))
    return str(rows[0][0])


def sqlite_file_revision(path: Path) -> str | None:
    """The revision of a SQLite file, read with the standard library only (start-up path)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
        ).fetchone()
        if found is None:
            return None
        rows = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    finally:
        conn.close()
    return ",".join(sorted(str(row[0]) for row in rows)) if rows else None


def check_schema(db: Database) -> None:
    """Raise SchemaOutOfDate unless the database is at the head revision."""
    check_revision(current_revision(db))


def check_revision(current: str | None) -> None:
    """Raise SchemaOutOfDate (or SchemaTooNew) unless `current` is the head revision."""
    if current == head_revision():
        return
    if current is not None and current not in _read_revisions():
        raise SchemaTooNew(revision=current)
    raise SchemaOutOfDate()

"""Backups of the SQLite database, and restoring one.

These work on the database FILE, not through a unit of work: a backup must be a
consistent copy of everything, taken while the app keeps running, which is what
SQLite's online backup API gives (`sqlite3.Connection.backup`: the copy is one
snapshot, even with other connections writing). A PostgreSQL database is backed up
with the server's own tools (pg_dump / pg_restore); these functions say so.

Every file written here is first written under a temporary name in the destination
folder, then renamed (`os.replace`): a backup or a restore interrupted half-way never
leaves a half-written file under the real name. Backups are readable by their owner
only (they hold families' personal data).

Restoring refuses a file that is not a registrar-tui database, one migrated by a newer
version of the program, a damaged one, the live database itself, and a live database
still in use (open in the app on some workstation). The database being replaced is
first copied to the backups folder.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

from registrar_tui.dburl import normalise_url, sqlite_path
from registrar_tui.i18n import N_
from registrar_tui.migrate import (
    VERSION_TABLE,
    SchemaTooNew,
    check_revision,
    head_revision,
    sqlite_file_revision,
)
from registrar_tui.services.core.errors import DomainError, SchemaOutOfDate

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_DIR_NAME = "backups"
REQUIRED_TABLES = frozenset({"staff_user", "family", "payment", "receipt", "audit_event"})
"""Tables every registrar-tui database has, from the first migration on."""
BUSY_TIMEOUT_S = 2.0


class BackupRefused(DomainError):
    message = N_("Sauvegarde ou restauration refusée.")


MSG_POSTGRES_BACKUP = N_(
    "La base est sur PostgreSQL : sauvegardez-la avec pg_dump "
    "(par exemple « pg_dump --format=custom --file=registrar.dump {database} ») "
    "et restaurez-la avec pg_restore."
)
MSG_MISSING = N_("Aucune base de données à {path}.")
MSG_EXISTS = N_("Le fichier {path} existe déjà : choisissez un autre nom.")
MSG_SAME_FILE = N_("{path} est la base de données en service : choisissez une sauvegarde.")
MSG_NOT_SQLITE = N_("{path} n'est pas une base de données SQLite.")
MSG_NOT_OURS = N_("{path} n'est pas une base de données de registrar-tui.")
MSG_TOO_NEW = N_(
    "{path} vient d'une version plus récente de registrar-tui (révision {revision}) : "
    "mettez le logiciel à jour avant de la restaurer."
)
MSG_DAMAGED = N_("{path} est endommagé : {detail}")
MSG_IN_USE = N_(
    "La base de données {path} est en cours d'utilisation : fermez registrar-tui sur "
    "tous les postes, puis recommencez."
)

MSG_SQLITE_ERROR = N_("SQLite a refusé l'opération : {detail}")

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _refusing_sqlite_errors(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """A failure of SQLite itself (locked too long, disk full…) becomes a BackupRefused
    naming it, like every other refusal (the CLI prints it; no traceback)."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except sqlite3.Error as error:
            raise BackupRefused(MSG_SQLITE_ERROR, detail=str(error)) from error

    return wrapper


@dataclass(frozen=True)
class BackupFile:
    """A backup written, or a file checked before restoring it."""

    path: Path
    revision: str
    size_bytes: int
    payments: int
    receipts: int

    @property
    def needs_upgrade(self) -> bool:
        """True when the file is at an older revision than this program's schema."""
        return self.revision != head_revision()


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupFile
    database: Path
    previous_copy: Path | None  # where the replaced database was kept (None: there was none)


def database_file(url: str) -> Path:
    """The SQLite file behind `url`; refuses PostgreSQL (BackupRefused naming pg_dump)."""
    path = sqlite_path(normalise_url(url))
    if path is None:
        from sqlalchemy.engine import make_url

        shown = make_url(normalise_url(url)).database or ""
        raise BackupRefused(MSG_POSTGRES_BACKUP, database=shown)
    return path


def backup_name(database: Path, now: datetime, reason: str = "") -> Path:
    """`<folder>/backups/<name>-<UTC time>[-reason].db`, not yet existing."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    folder = database.parent / BACKUP_DIR_NAME
    base = f"{database.stem}-{stamp}" + (f"-{reason}" if reason else "")
    candidate = folder / f"{base}.db"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{base}-{counter}.db"
    return candidate


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)


def _private_file(path: Path) -> None:
    """Create `path` empty, readable and writable by its owner only (refuses if it exists)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _copy(source: sqlite3.Connection, destination: Path, *, check: bool = True) -> None:
    """Copy `source` into `destination` (created here) as one self-contained file, then
    check the copy (unless `check` is False); the caller renames it into place."""
    # A read transaction first, where the busy timeout applies: the backup itself would
    # retry forever on a database another program keeps locked.
    source.execute("BEGIN")
    source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    _private_file(destination)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # all pages in one step: one consistent snapshot
        # No -wal file beside a backup: everything is in the one file.
        target.execute("PRAGMA journal_mode=DELETE")
        if check:
            _check_integrity(target, destination)
    finally:
        target.close()


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.OperationalError:
        raise  # locked, unreadable: not a verdict on the file's content
    except sqlite3.DatabaseError as error:
        raise BackupRefused(MSG_DAMAGED, path=str(path), detail=str(error)) from None
    if result != "ok":
        raise BackupRefused(MSG_DAMAGED, path=str(path), detail=str(result))


def _describe(path: Path) -> BackupFile:
    """Check that `path` is a registrar-tui database this program can open, and count."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupRefused(MSG_MISSING, path=str(path)) from None
    if magic != SQLITE_MAGIC:
        raise BackupRefused(MSG_NOT_SQLITE, path=str(path))
    conn = _connect_ro(path)
    try:
        _check_integrity(conn, path)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if VERSION_TABLE not in tables or not tables >= REQUIRED_TABLES:
            raise BackupRefused(MSG_NOT_OURS, path=str(path))
        revision = sqlite_file_revision(path)
        try:
            check_revision(revision)
        except SchemaTooNew:
            raise BackupRefused(MSG_TOO_NEW, path=str(path), revision=revision) from None
        except SchemaOutOfDate:
            if revision is None:
                raise BackupRefused(MSG_NOT_OURS, path=str(path)) from None
        payments = conn.execute("SELECT count(*) FROM payment").fetchone()[0]
        receipts = conn.execute("SELECT count(*) FROM receipt").fetchone()[0]
    finally:
        conn.close()
    assert revision is not None
    return BackupFile(path, revision, path.stat().st_size, int(payments), int(receipts))


@_refusing_sqlite_errors
def inspect_backup(url: str, source: Path) -> BackupFile:
    """What the backup `source` holds, checked as `restore_database(url, source)` would
    check it (same refusals, BackupRefused)."""
    database = database_file(url)
    if source.exists() and database.exists() and source.resolve() == database.resolve():
        raise BackupRefused(MSG_SAME_FILE, path=str(source))
    return _describe(source)


@_refusing_sqlite_errors
def backup_database(url: str, destination: Path | None, now: datetime) -> BackupFile:
    """Copy the live database to `destination` (a file, or a folder to put a dated file
    in; None: the `backups` folder beside the database), while the app may be running.

    Refuses (BackupRefused): PostgreSQL (use pg_dump), a missing database, an existing
    destination file, a destination that is the database itself.
    """
    database = database_file(url)
    if not database.exists():
        raise BackupRefused(MSG_MISSING, path=str(database))
    if destination is None:
        target = backup_name(database, now)
    elif destination.is_dir():
        target = destination / backup_name(database, now).name
    else:
        target = destination
    if target.exists():
        if target.resolve() == database.resolve():
            raise BackupRefused(MSG_SAME_FILE, path=str(target))
        raise BackupRefused(MSG_EXISTS, path=str(target))
    return _write_backup(database, target)


def _write_backup(database: Path, target: Path) -> BackupFile:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    source = _connect_ro(database)
    try:
        _copy(source, temporary)
        os.replace(temporary, target)
    finally:
        source.close()
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return _describe(target)


@_refusing_sqlite_errors
def backup_before_upgrade(url: str, now: datetime) -> BackupFile | None:
    """Before `db upgrade`: a copy of an existing SQLite database whose schema is older
    than this program's, in the `backups` folder; None when there is nothing to keep
    (PostgreSQL, no file yet, an empty file, already up to date)."""
    database = sqlite_path(normalise_url(url))
    if database is None or not database.exists():
        return None
    revision = sqlite_file_revision(database)
    if revision is None or revision == head_revision():
        return None
    return _write_backup(database, backup_name(database, now, f"before-upgrade-{revision}"))


@_refusing_sqlite_errors
def restore_database(url: str, source: Path, now: datetime) -> RestoreResult:
    """Replace the database with the backup `source`, keeping a copy of the replaced one.

    Refuses (BackupRefused): PostgreSQL (use pg_restore), `source` missing, not SQLite,
    not a registrar-tui database, newer than this program, damaged, or the database
    itself; a database still open elsewhere (MSG_IN_USE).
    """
    database = database_file(url)
    checked = inspect_backup(url, source)
    temporary = database.with_name(f".{database.name}.restore-{os.getpid()}.tmp")
    reader = _connect_ro(source)
    try:
        _copy(reader, temporary)
        if database.exists():  # the restored file keeps the access rights of the replaced one
            os.chmod(temporary, stat.S_IMODE(database.stat().st_mode))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    finally:
        reader.close()
    try:
        previous = _set_aside(database, now)
        os.replace(temporary, database)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return RestoreResult(checked, database, previous)


def _set_aside(database: Path, now: datetime) -> Path | None:
    """Copy the database about to be replaced to the backups folder; refuse if in use.

    Leaving WAL mode needs every other connection closed: it is how we know nobody
    has the database open (and it folds the -wal file into the database first, so no
    stale -wal file is left to be applied to the restored one). A file SQLite cannot
    read at all (the reason to restore, sometimes) is moved aside as it is.
    """
    if not database.exists():
        return None
    kept = backup_name(database, now, "before-restore")
    conn = sqlite3.connect(database, timeout=BUSY_TIMEOUT_S)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = None  # locked: someone has it open
        except sqlite3.DatabaseError:
            conn.close()
            kept.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(database, kept)
            return kept
        if mode != "delete":
            raise BackupRefused(MSG_IN_USE, path=str(database))
        temporary = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        try:
            _copy(conn, temporary, check=False)  # a damaged database is kept as it is
            os.replace(temporary, kept)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    finally:
        conn.close()
    return kept

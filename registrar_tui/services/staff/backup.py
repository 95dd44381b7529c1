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

A restore never rewinds silently: what the live database holds that the backup lacks
(payments and refunds by receipt number, voids) is listed first (`restore_losses`), the
caller must confirm that count, the list is written to a report beside the kept copy,
and every number sequence of the restored database is carried forward above the highest
number either database issued, so that no receipt number is ever issued twice. The
receipt numbers so skipped are recorded in the restored audit trail (`backup.restore`),
which `verify` reads: they are not a gap.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from registrar_tui.dburl import normalise_url, sqlite_path
from registrar_tui.i18n import N_, _, format_money
from registrar_tui.migrate import (
    VERSION_TABLE,
    SchemaTooNew,
    check_revision,
    head_revision,
    sqlite_file_revision,
)
from registrar_tui.services.core.errors import DomainError, SchemaOutOfDate
from registrar_tui.services.core.money import from_cents

if TYPE_CHECKING:
    from registrar_tui.db import UnitOfWork

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_DIR_NAME = "backups"
REQUIRED_TABLES = frozenset({"staff_user", "family", "payment", "receipt", "audit_event"})
"""Tables every registrar-tui database has, from the first migration on."""
BUSY_TIMEOUT_S = 2.0
RESTORE_ACTION = "backup.restore"
"""The audit event a restore writes in the restored database (with the numbers skipped)."""
_RECEIPT_SEQUENCE = re.compile(r"^receipt:(?P<establishment>\d+):(?P<year>\d{4})$")
"""`services.ledger.receipts.receipt_sequence_key` (a room this one may not import)."""


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
MSG_NO_FOLDER = N_(
    "Le dossier {path} n'existe pas : créez-le d'abord, ou choisissez un dossier existant "
    "(une sauvegarde ne crée pas de dossier)."
)
MSG_LOSS_NOT_CONFIRMED = N_(
    "Enregistrements de la base en service que la sauvegarde n'a pas : {count} ; nombre "
    "confirmé : {confirmed}. Rien n'a changé."
)

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
class LostRecord:
    """A payment, refund or void the live database holds and the backup lacks."""

    kind: str
    """"payment", "refund" or "void" (of a payment the backup keeps, unvoided)."""
    receipt_number: str
    occurred_at: str
    """When it was issued (UTC, as the database stores it)."""
    family_number: str
    family_name: str
    amount: Decimal
    """Negative for a refund."""


@dataclass(frozen=True)
class RestoreLosses:
    """What restoring a backup would take away from the live database."""

    records: tuple[LostRecord, ...]
    readable: bool = True
    """False: the live database cannot be read (damaged), so nothing could be listed."""

    @property
    def count(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class SkippedNumbers:
    """Receipt numbers the restored database will never issue (the live one did)."""

    establishment_id: int
    prefix: str  # "MTL-2026"
    first: int
    last: int


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupFile
    database: Path
    previous_copy: Path | None  # where the replaced database was kept (None: there was none)
    losses: RestoreLosses = RestoreLosses(())
    report: Path | None = None
    """The list of what was lost, beside the kept copy (None: nothing was lost)."""
    skipped: tuple[SkippedNumbers, ...] = ()


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
def backup_database(
    url: str, destination: Path | None, now: datetime, *, as_folder: bool = False
) -> BackupFile:
    """Copy the live database to `destination` (a file, or an existing folder to put a
    dated file in; None: the `backups` folder beside the database, created if needed),
    while the app may be running. `as_folder`: `destination` was written as a folder
    (`backups/`).

    Refuses (BackupRefused): PostgreSQL (use pg_dump), a missing database, an existing
    destination file, a destination that is the database itself, a folder that does not
    exist (MSG_NO_FOLDER: never created).
    """
    database = database_file(url)
    if not database.exists():
        raise BackupRefused(MSG_MISSING, path=str(database))
    if destination is None:
        target = backup_name(database, now)
    elif destination.is_dir():
        target = destination / backup_name(database, now).name
    elif as_folder:
        raise BackupRefused(MSG_NO_FOLDER, path=str(destination))
    elif not destination.parent.is_dir():
        # A mistyped folder is not created: the backup would land where nobody looks.
        raise BackupRefused(MSG_NO_FOLDER, path=str(destination.parent))
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


_LIVE_RECEIPTS = """
SELECT r.number, r.hash, r.issued_at,
       coalesce(pf.family_number, rf.family_number), coalesce(pf.name, rf.name),
       p.amount_cents, x.amount_cents
FROM receipt r
LEFT JOIN payment p ON p.id = r.payment_id
LEFT JOIN family pf ON pf.id = p.family_id
LEFT JOIN refund x ON x.id = r.refund_id
LEFT JOIN family rf ON rf.id = x.family_id
ORDER BY r.id
"""
_LIVE_VOIDS = """
SELECT r.number, r.hash, v.voided_at, f.family_number, f.name, p.amount_cents
FROM payment_void v
JOIN payment p ON p.id = v.payment_id
JOIN receipt r ON r.payment_id = p.id
JOIN family f ON f.id = p.family_id
ORDER BY v.id
"""
_VOIDED_HASHES = "SELECT r.hash FROM payment_void v JOIN receipt r ON r.payment_id = v.payment_id"


def _lost_records(live: sqlite3.Connection, backup: sqlite3.Connection) -> RestoreLosses:
    """Receipts (payments, refunds) and voids of `live` that `backup` does not hold.

    A receipt is the same when its hash is: the hash covers its number, amount, instant
    and the whole chain before it, so a number the backup holds with other content
    (another history) is listed too.
    """
    kept = {row[0] for row in backup.execute("SELECT hash FROM receipt")}
    kept_voids = {row[0] for row in backup.execute(_VOIDED_HASHES)}
    records: list[LostRecord] = []
    for number, link, issued_at, family_number, name, paid, refunded in live.execute(
        _LIVE_RECEIPTS
    ):
        if link in kept:
            continue
        kind = "payment" if paid is not None else "refund"
        cents = int(paid) if paid is not None else -int(refunded or 0)
        records.append(
            LostRecord(kind, number, str(issued_at), family_number or "", name or "",
                       from_cents(cents))
        )  # fmt: skip
    for number, link, voided_at, family_number, name, paid in live.execute(_LIVE_VOIDS):
        if link in kept and link not in kept_voids:
            records.append(
                LostRecord("void", number, str(voided_at), family_number, name,
                           from_cents(int(paid)))
            )  # fmt: skip
    return RestoreLosses(tuple(records))


def _losses_between(live: Path, backup: Path) -> RestoreLosses:
    try:
        live_conn = _connect_ro(live)
    except sqlite3.DatabaseError:
        return RestoreLosses((), readable=False)
    backup_conn = _connect_ro(backup)
    try:
        return _lost_records(live_conn, backup_conn)
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            raise
        return RestoreLosses((), readable=False)
    except sqlite3.DatabaseError:
        return RestoreLosses((), readable=False)
    finally:
        live_conn.close()
        backup_conn.close()


@_refusing_sqlite_errors
def restore_losses(url: str, source: Path) -> RestoreLosses:
    """What replacing the live database by the backup `source` would lose: the payments
    and refunds (by receipt number, family, amount) and the voids the live database holds
    and the backup lacks. Nothing when there is no live database yet.

    Refuses as `inspect_backup` does (BackupRefused).
    """
    database = database_file(url)
    inspect_backup(url, source)
    if not database.exists() or database.stat().st_size == 0:
        return RestoreLosses(())
    return _losses_between(database, source)


def _sequences(conn: sqlite3.Connection) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute("SELECT key, last_value FROM number_sequence")}


def _carry_forward(
    live: Path, restored: Path, source: Path, now: datetime, losses: RestoreLosses
) -> tuple[SkippedNumbers, ...]:
    """Raise every number sequence of `restored` to at least the live database's, and
    record the restore (with the receipt numbers skipped) in its audit trail."""
    from registrar_tui.db import Database
    from registrar_tui.models import NumberSequence
    from registrar_tui.services.audit.record import ensure_sequence_row, record_event

    live_conn = _connect_ro(live)
    try:
        live_numbers = _sequences(live_conn)
        codes = dict(live_conn.execute("SELECT id, code FROM establishment").fetchall())
        handed_over = _handed_over(live_conn)
    finally:
        live_conn.close()
    skipped: list[SkippedNumbers] = []
    carried: dict[str, list[int]] = {}
    database = Database.open(f"sqlite:///{restored}", clock=lambda: now)
    try:
        with database.write() as uow:
            for key, live_last in sorted(live_numbers.items()):
                row = uow.session.get(NumberSequence, key)
                restored_last = row.last_value if row is not None else 0
                if live_last <= restored_last:
                    continue
                ensure_sequence_row(uow, key)
                row = uow.session.get(NumberSequence, key, populate_existing=True)
                assert row is not None
                row.last_value = live_last
                uow.session.add(row)
                carried[key] = [restored_last, live_last]
                match = _RECEIPT_SEQUENCE.match(key)
                if match is None or int(match.group("establishment")) not in codes:
                    continue
                establishment = int(match.group("establishment"))
                prefix = f"{codes[establishment]}-{match.group('year')}"
                skipped.append(SkippedNumbers(establishment, prefix, restored_last + 1, live_last))
            _copy_handovers(uow, handed_over)
            record_event(
                uow,
                None,
                RESTORE_ACTION,
                "database",
                None,
                {},
                {
                    "source": source.name,
                    "lost": [[r.kind, r.receipt_number] for r in losses.records],
                    "sequences_carried": carried,
                    "receipt_numbers_skipped": [
                        [s.establishment_id, s.prefix, s.first, s.last] for s in skipped
                    ],
                },
            )
    finally:
        database.dispose()
    # Fold the write-ahead log into the file: the -wal file would not follow the rename.
    conn = sqlite3.connect(restored, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    return tuple(skipped)


_HANDED_OVER = """
SELECT r.hash, h.pdf_path, h.saved_at, h.email_done_at, h.emailed_to, h.completed_at,
       r.number, p.family_id
FROM receipt_handover h
JOIN receipt r ON r.payment_id = h.payment_id
JOIN payment p ON p.id = h.payment_id
WHERE h.completed_at IS NOT NULL
"""
_OUTBOX_COLUMNS = (
    "created_at", "family_id", "kind", "recipient", "subject", "body", "language",
    "attachment_name", "attachment", "status", "attempts", "last_error", "sent_at",
)  # fmt: skip
_RECEIPT_EMAIL = (
    f"SELECT {', '.join(_OUTBOX_COLUMNS)} FROM outbox_message "
    "WHERE kind = 'receipt' AND family_id = ? AND attachment_name = ? ORDER BY id LIMIT 1"
)


def _handed_over(live: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """Receipt hash -> how its handover was completed in the live database, and the
    e-mail it queued there (None: no e-mail on file)."""
    try:
        rows = live.execute(_HANDED_OVER).fetchall()
    except sqlite3.OperationalError:
        return {}  # a database from before receipt handovers
    done: dict[str, tuple[Any, ...]] = {}
    for link, *state, number, family_id in rows:
        email = live.execute(_RECEIPT_EMAIL, (family_id, f"{number}.pdf")).fetchone()
        done[link] = (*state, dict(zip(_OUTBOX_COLUMNS, email, strict=True)) if email else None)
    return done


def _copy_handovers(uow: UnitOfWork, handed_over: dict[str, tuple[Any, ...]]) -> None:
    """A receipt the backup caught half handed over (posted a moment before the backup)
    was completed in the live database: say so in the restored one, with the e-mail it
    queued there (sent or not), or the restored app would save a second original and
    queue a second e-mail, and an e-mail still waiting would be lost."""
    from sqlalchemy import text

    exists = uow.session.execute(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'receipt_handover'")
    ).scalar_one()
    if not handed_over or not exists:  # an older schema: nothing pending there
        return
    pending = uow.session.execute(
        text(
            "SELECT h.id, r.hash FROM receipt_handover h "
            "JOIN receipt r ON r.payment_id = h.payment_id WHERE h.completed_at IS NULL"
        )
    ).all()
    for handover_id, link in pending:
        if link not in handed_over:
            continue
        path, saved_at, email_done_at, emailed_to, completed_at, email = handed_over[link]
        uow.session.execute(
            text(
                "UPDATE receipt_handover SET pdf_path = :path, saved_at = :saved, "
                "email_done_at = :emailed, emailed_to = :to, completed_at = :completed "
                "WHERE id = :id"
            ),
            {
                "path": path, "saved": saved_at, "emailed": email_done_at, "to": emailed_to,
                "completed": completed_at, "id": handover_id,
            },
        )  # fmt: skip
        if email is not None:
            columns = ", ".join(_OUTBOX_COLUMNS)
            values = ", ".join(f":{column}" for column in _OUTBOX_COLUMNS)
            uow.session.execute(
                text(f"INSERT INTO outbox_message ({columns}) VALUES ({values})"), email
            )


_KINDS = {"payment": N_("paiement"), "refund": N_("remboursement"), "void": N_("annulation")}


def _write_report(
    kept: Path, database: Path, source: Path, now: datetime, losses: RestoreLosses,
    skipped: tuple[SkippedNumbers, ...],
) -> Path:  # fmt: skip
    """The list of what the restore took away, beside the kept copy (owner only)."""
    lines = [
        _("Restauration du {when} (UTC) : {database} remplacée par la sauvegarde {source}.").format(
            when=now.strftime("%Y-%m-%d %H:%M"), database=database, source=source
        ),
        _("La base remplacée est gardée dans {path}.").format(path=kept),
        _("Ce qu'elle contenait et que la sauvegarde n'a pas ({count}) :").format(
            count=losses.count
        ),
        "\t".join((_("n° de reçu"), _("nature"), _("date (UTC)"), _("famille"), _("montant"))),
    ]
    for record in losses.records:
        lines.append(
            "\t".join(
                (
                    record.receipt_number,
                    _(_KINDS[record.kind]),
                    record.occurred_at[:16],
                    f"{record.family_number} {record.family_name}".strip(),
                    format_money(record.amount),
                )
            ).replace("\n", " ")
        )
    for numbers in skipped:
        lines.append(
            _("Numéros {prefix}-{first:06d} à {prefix}-{last:06d} : jamais réémis.").format(
                prefix=numbers.prefix, first=numbers.first, last=numbers.last
            )
        )
    report = kept.with_name(f"{kept.stem}-perdus.txt")
    temporary = report.with_name(f".{report.name}.{os.getpid()}.tmp")
    _private_file(temporary)
    try:
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(temporary, report)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return report


@_refusing_sqlite_errors
def restore_database(
    url: str, source: Path, now: datetime, *, confirmed_losses: int = 0
) -> RestoreResult:
    """Replace the database with the backup `source`, keeping a copy of the replaced one.

    `confirmed_losses` is the count of `restore_losses` the person typed: the restore goes
    on only when what would be lost, counted again once the database is closed everywhere,
    is exactly that many records. Their list is written beside the kept copy, and every
    number sequence is carried forward above the highest number either database issued.

    Refuses (BackupRefused): PostgreSQL (use pg_restore), `source` missing, not SQLite,
    not a registrar-tui database, newer than this program, damaged, or the database
    itself; a database still open elsewhere (MSG_IN_USE); a count that is not what would
    be lost (MSG_LOSS_NOT_CONFIRMED, nothing changed).
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
    report: Path | None = None
    losses = RestoreLosses(())
    skipped: tuple[SkippedNumbers, ...] = ()
    try:
        previous = _set_aside(database, now)
        if previous is not None:
            losses = _losses_between(previous, temporary)
            if losses.readable and losses.count != confirmed_losses:
                if database.exists():  # the live database stays: its copy is not needed
                    previous.unlink()
                raise BackupRefused(
                    MSG_LOSS_NOT_CONFIRMED, count=losses.count, confirmed=confirmed_losses
                )
            if losses.readable:
                skipped = _carry_forward(previous, temporary, source, now, losses)
            if losses.count:
                report = _write_report(previous, database, source, now, losses, skipped)
        os.replace(temporary, database)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return RestoreResult(checked, database, previous, losses, report, skipped)


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

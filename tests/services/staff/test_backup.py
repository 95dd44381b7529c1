"""Backups of the SQLite database and restoring them (PostgreSQL: pg_dump is named)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.migrate import head_revision, sqlite_file_revision, upgrade
from registrar_tui.models import AuditEvent, PaymentMethod
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.staff.backup import (
    BackupRefused,
    backup_before_upgrade,
    backup_database,
    restore_database,
    restore_losses,
)
from tests.conftest import fixed_clock
from tests.services.ledger_data import add_family, add_invoice, build_school, cash

NOW = datetime(2026, 11, 23, 19, 45, 10, tzinfo=UTC)
LEDGER = text(
    "SELECT p.id, p.amount_cents, p.method, r.number, r.hash "
    "FROM payment p JOIN receipt r ON r.payment_id = p.id ORDER BY p.id"
)


@pytest.fixture(scope="module")
def ledger_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with three payments and receipts (built once, copied)."""
    path = tmp_path_factory.mktemp("ledger") / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    school = build_school(db)
    family = add_family(db, school)
    add_invoice(db, school, family)
    with db.write() as uow:
        for amount, seen in (("100.00", "275.00"), ("50.00", "175.00"), ("25.25", "125.00")):
            post_payment(uow, cash(school, family, amount, seen))
    db.dispose()  # the last connection folds the -wal file in: one file to copy
    return path


@pytest.fixture
def live(ledger_file: Path, tmp_path: Path) -> Iterator[Database]:
    """The office's live database, in its own folder."""
    folder = tmp_path / "office"
    folder.mkdir()
    shutil.copyfile(ledger_file, folder / "registrar.db")
    db = Database.open(str(folder / "registrar.db"), clock=fixed_clock)
    yield db
    db.dispose()


def ledger(url: str) -> list[tuple[object, ...]]:
    db = Database.open(url)
    try:
        with db.read() as uow:
            assert verify_chains(uow).ok
            return [tuple(row) for row in uow.session.execute(LEDGER)]
    finally:
        db.dispose()


def test_a_restored_backup_has_every_payment_and_verifies(live: Database, tmp_path: Path) -> None:
    before = ledger(live.url)
    written = backup_database(live.url, tmp_path / "copy.db", NOW)
    elsewhere = tmp_path / "new-server" / "registrar.db"
    elsewhere.parent.mkdir()

    result = restore_database(str(elsewhere), written.path, NOW)

    assert (written.payments, written.receipts, written.revision) == (3, 3, head_revision())
    assert result.previous_copy is None
    assert len(before) == 3 and ledger(str(elsewhere)) == before
    assert (written.path.stat().st_mode & 0o777) == 0o600  # personal data: owner only


def test_backup_is_a_consistent_snapshot_while_a_writer_is_busy(
    live: Database, tmp_path: Path
) -> None:
    with live.write() as uow:
        uow.session.execute(text("UPDATE staff_user SET full_name = 'En cours' WHERE id = 1"))
        uow.session.flush()  # uncommitted while the backup runs
        written = backup_database(live.url, tmp_path, NOW)

    copy = sqlite3.connect(written.path)
    try:
        names = {row[0] for row in copy.execute("SELECT full_name FROM staff_user")}
        journal = copy.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        copy.close()
    assert "En cours" not in names
    assert written.path.name == "registrar-20261123T194510Z.db"
    assert journal == "delete"  # one self-contained file, no -wal beside it


def test_default_place_is_the_backups_folder_and_never_overwrites(
    live: Database, tmp_path: Path
) -> None:
    first = backup_database(live.url, None, NOW)
    second = backup_database(live.url, None, NOW)
    with pytest.raises(BackupRefused, match="existe déjà"):
        backup_database(live.url, first.path, NOW)
    with pytest.raises(BackupRefused, match="en service"):
        backup_database(live.url, Path(live.url.removeprefix("sqlite:///")), NOW)

    folder = Path(live.url.removeprefix("sqlite:///")).parent / "backups"
    assert first.path == folder / "registrar-20261123T194510Z.db"
    assert second.path == folder / "registrar-20261123T194510Z-2.db"


def test_restore_over_a_database_keeps_the_replaced_one(
    live: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, empty)
    before = ledger(live.url)
    live.dispose()  # the app is closed everywhere
    live_path = Path(live.url.removeprefix("sqlite:///"))
    live_path.chmod(0o640)  # shared with the office's group

    result = restore_database(live.url, empty, NOW, confirmed_losses=3)

    assert ledger(live.url) == []
    assert (live_path.stat().st_mode & 0o777) == 0o640
    assert result.previous_copy is not None
    assert result.previous_copy.name == "registrar-20261123T194510Z-before-restore.db"
    assert ledger(str(result.previous_copy)) == before
    assert result.report == result.previous_copy.with_name(
        "registrar-20261123T194510Z-before-restore-perdus.txt"
    )


def test_restore_refuses_while_the_database_is_open(
    live: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, empty)
    before = ledger(live.url)

    with live.read() as uow:
        uow.session.execute(text("SELECT 1"))
        with pytest.raises(BackupRefused, match="en cours d'utilisation"):
            restore_database(live.url, empty, NOW)

    assert ledger(live.url) == before


def _future(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0999_from_the_future'")
    conn.commit()
    conn.close()


def _stranger(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("INSERT INTO alembic_version VALUES ('0001_initial')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("prepare", "refusal"),
    [
        (lambda path: path.write_text("nom,montant\n"), "n'est pas une base de données SQLite"),
        (_stranger, "n'est pas une base de données de registrar-tui"),
        (_future, "version plus récente de registrar-tui (révision 0999_from_the_future)"),
        (None, "Aucune base de données"),
    ],
)
def test_restore_refuses_what_is_not_a_backup_of_ours(
    live: Database, tmp_path: Path, prepare: object, refusal: str
) -> None:
    source = tmp_path / "candidate.db"
    if prepare is _future:
        backup_database(live.url, source, NOW)
    if callable(prepare):
        prepare(source)
    before = ledger(live.url)
    live.dispose()

    with pytest.raises(BackupRefused) as error:
        restore_database(live.url, source, NOW)

    assert refusal in error.value.translated()
    assert ledger(live.url) == before
    assert not (tmp_path / "office" / "backups").exists()  # nothing set aside either


def test_restore_refuses_the_live_database_itself(live: Database) -> None:
    with pytest.raises(BackupRefused, match="en service"):
        restore_database(live.url, Path(live.url.removeprefix("sqlite:///")), NOW)


def test_postgresql_is_sent_to_pg_dump() -> None:
    url = "postgresql://registrar@db.example/registrar"
    with pytest.raises(BackupRefused) as error:
        backup_database(url, None, NOW)
    with pytest.raises(BackupRefused, match="pg_restore"):
        restore_database(url, Path("x.db"), NOW)
    assert "pg_dump --format=custom --file=registrar.dump registrar" in error.value.translated()


def test_backup_before_upgrade_only_for_an_older_existing_file(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    upgrade(str(old), "0003_app_setting")

    saved = backup_before_upgrade(str(old), NOW)
    upgrade(str(old))

    assert saved is not None and saved.revision == "0003_app_setting"
    assert saved.path.name == "old-20261123T194510Z-before-upgrade-0003_app_setting.db"
    assert sqlite_file_revision(saved.path) == "0003_app_setting"
    assert backup_before_upgrade(str(old), NOW) is None  # now at head
    assert backup_before_upgrade(str(tmp_path / "new.db"), NOW) is None
    assert backup_before_upgrade("postgresql://registrar@db.example/registrar", NOW) is None


def test_a_database_locked_too_long_is_a_refusal_not_a_crash(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "rollback-journal.db"
    shutil.copyfile(sqlite_template, path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")  # another program writing for a long time
    try:
        with pytest.raises(BackupRefused, match="SQLite a refusé l'opération : database is locked"):
            backup_database(str(path), tmp_path / "copy.db", NOW)
    finally:
        holder.rollback()
        holder.close()
    assert not (tmp_path / "copy.db").exists()


def _post(db: Database, amount: str, seen: str) -> str:
    """Post a payment on the Tremblay family (the ledger's only family); its number."""
    from registrar_tui.models import Establishment, Family, StaffUser
    from registrar_tui.services.ledger.payments import PaymentRequest

    with db.write() as uow:
        family = uow.session.exec(select(Family)).one()
        site = uow.session.exec(select(Establishment).where(Establishment.code == "MTL")).one()
        clerk = uow.session.exec(select(StaffUser).where(StaffUser.username == "clerk")).one()
        return post_payment(
            uow,
            PaymentRequest(
                idempotency_key=f"after-backup-{amount}",
                family_id=require_id(family),
                establishment_id=require_id(site),
                clerk_id=require_id(clerk),
                amount=Decimal(amount),
                method=PaymentMethod.CASH,
                seen_balance=Decimal(seen),
            ),
        ).receipt_number


def test_a_restore_lists_what_it_would_lose_and_never_reissues_a_number(
    live: Database, tmp_path: Path
) -> None:
    """Issue #13, point 4: backup, a payment, restore: the payment is named, not lost
    silently, and the next payment does not take its number again."""
    written = backup_database(live.url, tmp_path, NOW)
    lost_number = _post(live, "20.00", "99.75")
    live_path = Path(live.url.removeprefix("sqlite:///"))
    live.dispose()

    losses = restore_losses(live.url, written.path)
    with pytest.raises(BackupRefused, match="sauvegarde n'a pas : 1 ; nombre confirmé : 0"):
        restore_database(live.url, written.path, NOW, confirmed_losses=0)
    untouched = [row[3] for row in ledger(live.url)]
    leftovers = sorted(p.name for p in (live_path.parent / "backups").glob("*before-restore*"))
    result = restore_database(live.url, written.path, NOW, confirmed_losses=1)
    restored = Database.open(live.url, clock=fixed_clock)
    next_number = _post(restored, "5.00", "99.75")

    assert lost_number == "MTL-2026-000004"
    [record] = losses.records
    assert (record.kind, record.receipt_number, record.amount) == (
        "payment", "MTL-2026-000004", Decimal("20.00"),
    )  # fmt: skip
    assert record.family_name == "Famille Tremblay" and record.family_number
    assert untouched[-1] == "MTL-2026-000004" and leftovers == []  # refused: nothing changed
    assert result.report is not None and result.report.parent == live_path.parent / "backups"
    report = result.report.read_text(encoding="utf-8")
    assert "MTL-2026-000004\tpaiement\t" in report and "Famille Tremblay" in report
    assert "20,00" in report and "MTL-2026-000004 à MTL-2026-000004 : jamais réémis" in report
    assert (result.report.stat().st_mode & 0o777) == 0o600
    assert [(s.prefix, s.first, s.last) for s in result.skipped] == [("MTL-2026", 4, 4)]
    assert next_number == "MTL-2026-000005"  # never MTL-2026-000004 a second time
    numbers = [row[3] for row in ledger(live.url)]  # ledger() asserts the chains verify
    assert numbers == ["MTL-2026-000001", "MTL-2026-000002", "MTL-2026-000003", next_number]
    with restored.read() as uow:
        [after] = uow.session.exec(
            select(AuditEvent.after_json).where(AuditEvent.action == "backup.restore")
        ).all()
    restored.dispose()
    assert json.loads(after)["lost"] == [["payment", "MTL-2026-000004"]]


def test_a_void_the_backup_lacks_is_listed(live: Database, tmp_path: Path) -> None:
    from registrar_tui.models import Payment, StaffUser
    from registrar_tui.services.ledger.voids import void_payment

    written = backup_database(live.url, tmp_path, NOW)
    with live.write() as uow:
        first = uow.session.exec(select(Payment).order_by(Payment.id)).first()
        registrar = uow.session.exec(
            select(StaffUser).where(StaffUser.username == "registrar")
        ).one()
        assert first is not None
        void_payment(uow, require_id(first), "Erreur de saisie", require_id(registrar))
    live.dispose()

    [record] = restore_losses(live.url, written.path).records

    assert (record.kind, record.receipt_number, record.amount) == (
        "void", "MTL-2026-000001", Decimal("100.00"),
    )  # fmt: skip


def test_nothing_lost_nothing_to_confirm_and_no_report(live: Database, tmp_path: Path) -> None:
    written = backup_database(live.url, tmp_path, NOW)
    live.dispose()

    assert restore_losses(live.url, written.path).records == ()
    result = restore_database(live.url, written.path, NOW)

    assert result.report is None and result.skipped == ()
    assert len(ledger(live.url)) == 3


def test_backup_into_a_folder_that_does_not_exist_is_refused(
    live: Database, tmp_path: Path
) -> None:
    with pytest.raises(BackupRefused, match="n'existe pas"):
        backup_database(live.url, tmp_path / "mistyped" / "copy.db", NOW)
    with pytest.raises(BackupRefused, match="n'existe pas"):
        backup_database(live.url, tmp_path / "mistyped", NOW, as_folder=True)

    assert not (tmp_path / "mistyped").exists()


def test_a_receipt_handed_over_after_the_backup_is_not_handed_over_again(
    live: Database, tmp_path: Path
) -> None:
    """The backup caught a payment a moment before its receipt was saved and e-mailed."""
    from registrar_tui.models import OutboxMessage, Receipt
    from registrar_tui.services.documents.output import OutputSettings
    from registrar_tui.services.outbox.handover import hand_over_receipt, resume_handovers

    with live.write() as uow:
        uow.session.execute(text("UPDATE guardian SET email = 'helene@example.ca'"))
    number = _post(live, "20.00", "99.75")
    written = backup_database(live.url, tmp_path, NOW)  # its handover still pending there
    with live.read() as uow:
        payment_id = uow.session.exec(
            select(Receipt.payment_id).where(Receipt.number == number)
        ).one()
    settings = OutputSettings(tmp_path / "documents", None)
    assert payment_id is not None
    handed = hand_over_receipt(live, payment_id, settings, print_now=False)
    live.dispose()

    restore_database(live.url, written.path, NOW)
    restored = Database.open(live.url, clock=fixed_clock)
    resumed = resume_handovers(restored, settings)
    with restored.read() as uow:
        emails = uow.session.exec(select(OutboxMessage.attachment_name)).all()
    restored.dispose()

    assert handed.completed and handed.path is not None
    assert handed.emailed_to == "helene@example.ca"
    assert number not in [done.receipt_number for done in resumed.completed]
    assert sorted(p.name for p in (tmp_path / "documents" / "receipts").iterdir()) == [
        "MTL-2026-000001.pdf",  # the seeded ledger's three payments were never handed over
        "MTL-2026-000002.pdf",
        "MTL-2026-000003.pdf",
        f"{number}.pdf",
    ]
    assert emails.count(f"{number}.pdf") == 1  # queued in the live database: kept, once

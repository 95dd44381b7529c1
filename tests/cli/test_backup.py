"""`registrar-tui backup|restore` and the copy `db upgrade` makes first."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.migrate import head_revision, sqlite_file_revision, upgrade
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import add_family, add_invoice, build_school, cash


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=stdin)


def numbers(path: Path) -> list[str]:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            query = text("SELECT number FROM receipt ORDER BY id")
            return [str(n) for n in uow.session.execute(query).scalars()]
    finally:
        db.dispose()


@pytest.fixture
def office(sqlite_template: Path, tmp_path: Path) -> Path:
    """A live database with two payments, in its own folder."""
    path = tmp_path / "office" / "registrar.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path))
    school = build_school(db)
    family = add_family(db, school)
    add_invoice(db, school, family)
    with db.write() as uow:
        post_payment(uow, cash(school, family, "100.00", "275.00"))
        post_payment(uow, cash(school, family, "75.00", "175.00"))
    db.dispose()
    return path


def test_backup_then_restore_elsewhere_finds_every_payment(office: Path, tmp_path: Path) -> None:
    saved = run("--db", str(office), "backup", str(tmp_path))
    [backup] = tmp_path.glob("registrar-*.db")
    target = tmp_path / "new" / "registrar.db"

    restored = run("--db", str(target), "restore", str(backup), "--yes")

    assert saved.exit_code == 0, saved.output
    assert f"Sauvegarde écrite : {backup} (paiements : 2 ; reçus : 2 ;" in saved.output
    assert restored.exit_code == 0, restored.output
    assert f"Base de données {target} restaurée." in restored.output
    assert "Chaînes de hachage intactes (reçus : 2 ;" in restored.output
    assert numbers(target) == numbers(office) == ["MTL-2026-000001", "MTL-2026-000002"]


def test_restore_asks_first_and_keeps_the_replaced_database(
    office: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, empty)

    declined = run("--db", str(office), "restore", str(empty), stdin="oui\n")
    kept_numbers = numbers(office)
    accepted = run("--db", str(office), "restore", str(empty), stdin="2\n")

    assert declined.exit_code == 1
    assert "tapez ce nombre (2)" in declined.output  # "oui" is not the count
    assert "Restauration annulée : rien n'a changé." in declined.output
    assert kept_numbers == ["MTL-2026-000001", "MTL-2026-000002"]
    assert accepted.exit_code == 0, accepted.output
    assert numbers(office) == []
    [kept] = (office.parent / "backups").glob("registrar-*-before-restore.db")
    assert f"L'ancienne base est gardée dans {kept}." in accepted.output
    assert numbers(kept) == kept_numbers


def test_restore_refuses_a_file_from_a_newer_version(office: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    run("--db", str(office), "backup", str(newer))
    db = Database.open(str(newer))
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999_next_year'"))
    db.dispose()

    result = run("--db", str(office), "restore", str(newer), "--yes")

    assert result.exit_code == 1
    assert "version plus récente de registrar-tui (révision 0999_next_year)" in result.output
    assert "Traceback" not in result.output
    assert numbers(office) == ["MTL-2026-000001", "MTL-2026-000002"]


def test_postgresql_backup_names_pg_dump() -> None:
    result = run("--db", "postgresql://registrar@db.example/registrar", "backup")
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "pg_restore" in result.output


def test_db_upgrade_copies_an_older_database_first(tmp_path: Path) -> None:
    path = tmp_path / "registrar.db"
    upgrade(str(path), "0003_app_setting")

    result = run("--db", str(path), "db", "upgrade")
    again = run("--db", str(path), "db", "upgrade")

    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "backups").glob("registrar-*-before-upgrade-0003_app_setting.db")
    assert f"Copie de la base avant la mise à jour : {copy}" in result.output
    assert sqlite_file_revision(copy) == "0003_app_setting"
    assert sqlite_file_revision(path) == head_revision()
    assert "Copie de la base" not in again.output  # already at head: nothing to keep


def _pay(path: Path, amount: str, seen: str) -> str:
    """One more cash payment at the counter of `path`'s office; its receipt number."""
    from registrar_tui.models import Establishment, Family, PaymentMethod, StaffUser
    from registrar_tui.models.base import require_id
    from registrar_tui.services.ledger.payments import PaymentRequest

    db = Database.open(str(path))
    try:
        with db.write() as uow:
            family = uow.session.exec(select(Family)).one()
            site = uow.session.exec(select(Establishment).where(Establishment.code == "MTL")).one()
            clerk = uow.session.exec(select(StaffUser).where(StaffUser.username == "clerk")).one()
            return post_payment(
                uow,
                PaymentRequest(
                    idempotency_key=f"counter-{amount}",
                    family_id=require_id(family),
                    establishment_id=require_id(site),
                    clerk_id=require_id(clerk),
                    amount=Decimal(amount),
                    method=PaymentMethod.CASH,
                    seen_balance=Decimal(seen),
                ),
            ).receipt_number
    finally:
        db.dispose()


def test_restore_never_rewinds_silently_nor_reissues_a_number(office: Path, tmp_path: Path) -> None:
    """Issue #13, point 4: backup, a payment, quit, `restore --yes`."""
    run("--db", str(office), "backup", str(tmp_path))
    [backup] = tmp_path.glob("registrar-*.db")
    lost = _pay(office, "30.00", "100.00")

    with_yes = run("--db", str(office), "restore", str(backup), "--yes")
    wrong_count = run("--db", str(office), "restore", str(backup), "--confirm-loss", "2")
    typed_wrong = run("--db", str(office), "restore", str(backup), stdin="oui\n")
    kept = numbers(office)
    typed = run("--db", str(office), "restore", str(backup), stdin="1\n")
    after = _pay(office, "30.00", "100.00")

    assert lost == "MTL-2026-000003"
    for refused in (with_yes, wrong_count, typed_wrong):
        assert refused.exit_code == 1
        assert "La base en service contient 1 enregistrement que cette sauvegarde n'a pas" in (
            refused.output
        )
        assert "MTL-2026-000003\tpaiement\t" in refused.output
        assert "Famille Tremblay" in refused.output and "30,00" in refused.output
    assert "--yes ne suffit pas" in with_yes.output and "--confirm-loss 1" in with_yes.output
    assert "--confirm-loss 2 ne correspond pas" in wrong_count.output
    assert kept == ["MTL-2026-000001", "MTL-2026-000002", "MTL-2026-000003"]
    assert typed.exit_code == 0, typed.output
    [report] = (office.parent / "backups").glob("registrar-*-before-restore-perdus.txt")
    assert f"Liste de ce qui a été retiré : {report}." in typed.output
    assert "MTL-2026-000003\tpaiement" in report.read_text(encoding="utf-8")
    assert "le prochain reçu sera MTL-2026-000004" in typed.output
    assert "Chaînes de hachage intactes" in typed.output
    assert after == "MTL-2026-000004"  # two receipts never share MTL-2026-000003
    assert numbers(office) == ["MTL-2026-000001", "MTL-2026-000002", "MTL-2026-000004"]
    verified = run("--db", str(office), "verify")
    assert verified.exit_code == 0, verified.output


def test_a_script_confirms_the_exact_loss(office: Path, tmp_path: Path) -> None:
    run("--db", str(office), "backup", str(tmp_path))
    [backup] = tmp_path.glob("registrar-*.db")
    _pay(office, "30.00", "100.00")

    result = run("--db", str(office), "restore", str(backup), "--yes", "--confirm-loss", "1")

    assert result.exit_code == 0, result.output
    assert numbers(office) == ["MTL-2026-000001", "MTL-2026-000002"]


def test_backup_into_a_missing_folder_is_refused_not_created(office: Path, tmp_path: Path) -> None:
    missing = tmp_path / "clé-usb"

    as_folder = run("--db", str(office), "backup", f"{missing}/")
    as_file = run("--db", str(office), "backup", str(missing / "registrar.db"))

    for refused in (as_folder, as_file):
        assert refused.exit_code == 1
        assert f"Le dossier {missing} n'existe pas" in refused.output
        assert "Traceback" not in refused.output
    assert not missing.exists()

"""Tamper evidence: rows changed behind the application's back, found by `verify`.

The tamperer here has full access to the database: they drop the append-only triggers
(migrations/versions/0002_append_only.py) and edit rows with raw SQL, as another tool
would. `registrar-tui verify` must then exit 1 and name the first broken record.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.migrate import VERSIONS_DIR
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import add_family, add_invoice, build_school, cash


def _append_only_migration() -> ModuleType:
    path = VERSIONS_DIR / "0002_append_only.py"
    spec = importlib.util.spec_from_file_location("append_only_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIGRATION = _append_only_migration()
POCKET_TEN_DOLLARS = (
    # The 50 $ payment now says 40 $ paid and 10 $ given back.
    "UPDATE payment SET amount_cents = 4000, change_cents = 1000 WHERE amount_cents = 5000"
)


@pytest.fixture
def ledger(database: Database) -> Database:
    """Three payments at Montréal: receipts MTL-2026-000001 to 000003, one audit event each."""
    school = build_school(database)
    family = add_family(database, school)
    add_invoice(database, school, family)
    for amount, seen in (("100.00", "275.00"), ("50.00", "175.00"), ("25.25", "125.00")):
        with database.write() as uow:
            post_payment(uow, cash(school, family, amount, seen))
    return database


def verify(db: Database) -> Result:
    return CliRunner().invoke(create_cli(), ["verify", "--db", db.url])


def tamper(db: Database, table: str, statement: str) -> None:
    """Drop the table's append-only triggers, as the migration named them, then edit."""
    assert table in MIGRATION.APPEND_ONLY_TABLES
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
        conn.execute(text(statement))


def row_id(db: Database, query: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())


def test_the_triggers_stop_the_same_edit_made_without_dropping_them(ledger: Database) -> None:
    with pytest.raises(DatabaseError, match="append-only"), ledger.engine.begin() as conn:
        conn.execute(text(POCKET_TEN_DOLLARS))
    assert verify(ledger).exit_code == 0


def test_an_edited_payment_amount_breaks_its_receipt(ledger: Database) -> None:
    clean = verify(ledger)
    receipt = row_id(ledger, "SELECT id FROM receipt WHERE number = 'MTL-2026-000002'")

    tamper(ledger, "payment", POCKET_TEN_DOLLARS)
    broken = verify(ledger)

    assert clean.exit_code == 0, clean.output
    assert "3 reçus et 3 événements d'audit vérifiés." in clean.output
    assert broken.exit_code == 1
    assert f"reçu MTL-2026-000002 (id {receipt}, établissement" in broken.output
    assert "l'empreinte ne correspond plus (hash)" in broken.output
    assert "000001" not in broken.output and "000003" not in broken.output  # first break only


def test_an_edited_audit_event_is_named(ledger: Database) -> None:
    event = row_id(
        ledger, "SELECT id FROM audit_event WHERE action = 'payment.post' ORDER BY id LIMIT 1"
    )

    tamper(
        ledger,
        "audit_event",
        "UPDATE audit_event SET after_json = replace(after_json, '10000', '1000') "
        f"WHERE id = {event}",
    )
    broken = verify(ledger)

    assert broken.exit_code == 1, broken.output
    assert f"Maillon rompu : événement d'audit {event} : contenu modifié" in broken.output
    assert "reçu " not in broken.output  # the receipts themselves are intact


def test_a_deleted_receipt_leaves_a_gap(ledger: Database) -> None:
    third = row_id(ledger, "SELECT id FROM receipt WHERE number = 'MTL-2026-000003'")

    tamper(ledger, "receipt", "DELETE FROM receipt WHERE number = 'MTL-2026-000002'")
    broken = verify(ledger)

    assert broken.exit_code == 1, broken.output
    assert f"reçu MTL-2026-000003 (id {third}, établissement" in broken.output
    assert "numéro manquant avant celui-ci (gap)" in broken.output
    assert "2 reçus et 3 événements d'audit vérifiés." in broken.output

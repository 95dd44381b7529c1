"""Money rows are append-only (database triggers), and `verify` finds any tampering."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from registrar_tui.db import Database
from registrar_tui.models.base import RefundMethod
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.credit import cancel_invoice, refund_credit
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.ledger.waivers import waive_fee
from tests import builders
from tests.services.ledger_data import D, School, add_family, add_invoice, build_school, cash

APPEND_ONLY = (
    "invoice",
    "invoice_line",
    "contribution_choice",
    "ledger_link",
    "payment",
    "payment_void",
    "allocation",
    "receipt",
    "refund",
    "credit_note",
    "audit_event",
)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def a_bit_of_everything(db: Database, school: School) -> None:
    """One row at least in every append-only table, at both establishments."""
    family = add_family(db, school)
    add_invoice(db, school, family)
    cancelled = add_invoice(db, school, family)
    with db.write() as uow:
        first = post_payment(uow, cash(school, family, "300.00", "550.00"))
        quebec = dataclasses.replace(
            cash(school, family, "20.00", "250.00"), establishment_id=school.quebec_id
        )
        post_payment(uow, quebec)
        post_payment(uow, cash(school, family, "30.00", "230.00"))
    with db.write() as uow:
        void_payment(uow, first.payment_id, "Erreur", school.registrar_id)
        cancel_invoice(uow, cancelled, "Doublon", school.registrar_id)
        refund_credit(uow, family, school.montreal_id, D("5.00"), RefundMethod.CASH, "Trop", 3)
    unpaid = add_invoice(db, school, family)
    with db.write() as uow:
        tuition, voluntary = builders.line_ids(uow, unpaid)
        decline_contribution(uow, voluntary, school.clerk_id)
        waive_fee(uow, tuition, "Geste de l'école", school.registrar_id)


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_update_and_delete_are_refused_by_the_database(
    database: Database, school: School, table: str
) -> None:
    a_bit_of_everything(database, school)
    with database.engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    assert count > 0

    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"):  # noqa: SIM117
            with database.engine.begin() as conn:
                conn.execute(text(statement))

    with database.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == count


def test_verify_passes_on_an_untouched_ledger(database: Database, school: School) -> None:
    a_bit_of_everything(database, school)

    with database.read() as uow:
        report = verify_chains(uow)

    assert report.ok
    assert report.receipts_checked == 4
    assert report.audit_events_checked == 8
    # 3 invoices, 6 lines, 1 choice, 3 payments, 4 allocations and 4 reversals, 1 void,
    # 2 credit notes (an invoice cancelled, a fee waived), 1 refund: every money record
    # has its link.
    assert report.ledger_records_checked == 25


def _tamper(db: Database, table: str, statement: str) -> None:
    """Change a row behind the application's back (triggers disabled, as another tool would)."""
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
            conn.execute(text(statement))


def test_verify_names_the_first_broken_receipt_of_its_establishment(
    database: Database, school: School
) -> None:
    a_bit_of_everything(database, school)
    _tamper(
        database,
        "payment",
        "UPDATE payment SET amount_cents = 2900, change_cents = 100 WHERE amount_cents = 3000",
    )

    with database.read() as uow:
        report = verify_chains(uow)

    assert not report.ok
    receipt, ledger = report.breaks
    assert (receipt.chain, receipt.receipt_number, receipt.problem) == (
        "receipt",
        "MTL-2026-000002",
        "hash",
    )
    assert "MTL-2026-000002" in receipt.describe()
    # The payment's own link breaks too (the ledger chain covers every field of it).
    assert (ledger.chain, ledger.kind, ledger.problem) == ("ledger", "payment", "hash")
    assert ledger.describe().startswith("paiement du reçu MTL-2026-000002 : contenu modifié")


def test_verify_finds_a_removed_receipt_and_an_edited_audit_event(
    database: Database, school: School
) -> None:
    a_bit_of_everything(database, school)
    _tamper(database, "receipt", "UPDATE receipt SET number = 'MTL-2026-000009' WHERE id = 3")
    _tamper(database, "audit_event", "UPDATE audit_event SET actor_id = 4 WHERE id = 2")

    with database.read() as uow:
        report = verify_chains(uow)

    assert {(b.chain, b.row_id, b.problem) for b in report.breaks} == {
        ("receipt", 3, "gap"),
        ("audit", 2, "hash"),
    }


def test_the_verify_command_exits_1_and_names_the_broken_receipt(
    database: Database, school: School
) -> None:
    from typer.testing import CliRunner

    from registrar_tui.cli.main import create_cli

    a_bit_of_everything(database, school)
    runner = CliRunner()

    clean = runner.invoke(create_cli(), ["verify", "--db", database.url])
    _tamper(
        database,
        "payment",
        "UPDATE payment SET amount_cents = 2900, change_cents = 100 WHERE amount_cents = 3000",
    )
    broken = runner.invoke(create_cli(), ["verify", "--db", database.url])

    assert clean.exit_code == 0, clean.output
    assert clean.output == (
        "Chaînes intactes : 4 reçus, 25 enregistrements comptables et 8 événements d'audit "
        "vérifiés.\n"
    )
    assert broken.exit_code == 1
    assert broken.output.startswith("ÉCHEC : 2 maillons rompus.\n")
    assert "MTL-2026-000002" in broken.output
    assert "vérifiés" not in broken.output

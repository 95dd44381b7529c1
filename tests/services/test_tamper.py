"""Tamper evidence: rows changed behind the application's back, found by `verify`.

The tamperer here has full access to the database: they drop the append-only triggers
(migrations/versions/base/0002_append_only.py, audit/ledger_0001_ledger_chain.py) and
edit rows with raw SQL, as another tool would. `registrar-tui verify` must then say so first,
exit 1 and name the first broken record as a person knows it; it never says
« vérifiés » over a broken chain.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from types import ModuleType

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.migrate import VERSIONS_DIR
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.credit import cancel_invoice
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from tests import builders
from tests.services.ledger_data import School, add_family, add_invoice, build_school, cash


def _migration(name: str) -> ModuleType:
    (path,) = VERSIONS_DIR.rglob(f"{name}.py")  # in its domain's folder
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


APPEND_ONLY_TABLES = (
    _migration("0002_append_only").APPEND_ONLY_TABLES
    + _migration("ledger_0001_ledger_chain").APPEND_ONLY_TABLES
)
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


def tamper(db: Database, table: str, *statements: str) -> None:
    """Drop the table's append-only triggers, as the migrations named them, then edit."""
    assert table in APPEND_ONLY_TABLES
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        for statement in statements:
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
    assert "3 reçus, 9 enregistrements comptables et 3 événements d'audit vérifiés." in (
        clean.output
    )
    assert broken.exit_code == 1
    assert broken.output.startswith("ÉCHEC : 2 maillons rompus.")
    assert f"reçu MTL-2026-000002 (id {receipt}, établissement" in broken.output
    assert "paiement du reçu MTL-2026-000002 : contenu modifié" in broken.output
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
    assert "Parcourus : 2 reçus, 9 enregistrements comptables et 3 événements d'audit." in (
        broken.output
    )
    assert "vérifiés" not in broken.output


# ---------------------------------------------------------------- the whole ledger


@dataclass(frozen=True)
class Books:
    """The `ledger` fixture and more: every kind of money record at least once."""

    db: Database
    school: School
    paid: int  # FAC A: 275 $, three payments on it, the third voided
    paid_number: str
    unpaid: int  # FAC B: its voluntary line declined
    unpaid_number: str
    cancelled_number: str  # FAC C, cancelled by NC00000001
    first_allocation: int  # MTL-2026-000001's 100 $ on A
    second_allocation: int  # MTL-2026-000002's 50 $ on A


def _number(db: Database, invoice_id: int) -> str:
    with db.engine.connect() as conn:
        found = conn.execute(text(f"SELECT number FROM invoice WHERE id = {invoice_id}"))
        return str(found.scalar_one())


@pytest.fixture
def books(database: Database) -> Books:
    school = build_school(database)
    family = add_family(database, school)
    paid = add_invoice(database, school, family)
    payments = []
    for amount, seen in (("100.00", "275.00"), ("50.00", "175.00"), ("25.25", "125.00")):
        with database.write() as uow:
            payments.append(post_payment(uow, cash(school, family, amount, seen)))
    unpaid = add_invoice(database, school, family)
    cancelled = add_invoice(database, school, family)
    with database.write() as uow:
        void_payment(uow, payments[2].payment_id, "Erreur de saisie", school.registrar_id)
        cancel_invoice(uow, cancelled, "Doublon", school.registrar_id)
        decline_contribution(uow, builders.line_ids(uow, unpaid)[1], school.clerk_id)
    allocation = "SELECT id FROM allocation WHERE payment_id = {} AND amount_cents > 0"
    books = Books(
        db=database,
        school=school,
        paid=paid,
        paid_number=_number(database, paid),
        unpaid=unpaid,
        unpaid_number=_number(database, unpaid),
        cancelled_number=_number(database, cancelled),
        first_allocation=row_id(database, allocation.format(payments[0].payment_id)),
        second_allocation=row_id(database, allocation.format(payments[1].payment_id)),
    )
    clean = verify(database)
    assert clean.exit_code == 0, clean.output
    assert clean.output.startswith("Chaînes intactes : 3 reçus, 19 enregistrements comptables")
    return books


def broken_at(books: Books, table: str, *statements: str) -> str:
    """Tamper, run `verify`: it must fail, say so first, and never say « vérifiés »."""
    tamper(books.db, table, *statements)
    result = verify(books.db)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("ÉCHEC : "), result.output
    assert "vérifiés" not in result.output
    return result.output


def test_a_lowered_invoice_line_is_named_by_its_invoice(books: Books) -> None:
    output = broken_at(
        books,
        "invoice_line",
        f"UPDATE invoice_line SET amount_cents = 20000 WHERE invoice_id = {books.paid} "
        "AND position = 1",
    )

    assert output.startswith("ÉCHEC : 1 maillon rompu.\n")
    assert (
        f"Maillon rompu : ligne 1 de la facture {books.paid_number} : contenu modifié, "
        "l'empreinte ne correspond plus (hash)"
    ) in output


def test_an_allocation_moved_to_another_invoice_is_named(books: Books) -> None:
    output = broken_at(
        books,
        "allocation",
        f"UPDATE allocation SET invoice_id = {books.unpaid} WHERE id = {books.first_allocation}",
    )

    assert (
        f"imputation du reçu MTL-2026-000001 sur la facture {books.unpaid_number} : contenu modifié"
    ) in output


def test_only_the_first_changed_record_is_named(books: Books) -> None:
    tamper(
        books.db,
        "allocation",
        f"UPDATE allocation SET invoice_id = {books.unpaid} WHERE id = {books.first_allocation}",
    )
    output = broken_at(
        books,
        "invoice_line",
        f"UPDATE invoice_line SET amount_cents = 0 WHERE invoice_id = {books.paid}",
    )

    assert f"ligne 1 de la facture {books.paid_number} : contenu modifié" in output
    assert "imputation" not in output  # written after the invoice's lines


def test_a_deleted_allocation_is_found(books: Books) -> None:
    output = broken_at(
        books, "allocation", f"DELETE FROM allocation WHERE id = {books.second_allocation}"
    )

    assert f"imputation (id {books.second_allocation}) : enregistrement supprimé" in output


def test_a_deleted_allocation_and_its_link_leave_a_gap(books: Books) -> None:
    tamper(
        books.db,
        "ledger_link",
        f"DELETE FROM ledger_link WHERE kind = 'allocation' "
        f"AND record_id = {books.second_allocation}",
    )
    output = broken_at(
        books, "allocation", f"DELETE FROM allocation WHERE id = {books.second_allocation}"
    )

    # The next record written is MTL-2026-000003's payment.
    assert "paiement du reçu MTL-2026-000003 : un maillon manque avant celui-ci" in output


def test_an_allocation_inserted_behind_the_applications_back_is_found(books: Books) -> None:
    output = broken_at(
        books,
        "allocation",
        "INSERT INTO allocation (payment_id, invoice_id, amount_cents, created_at) "
        f"SELECT payment_id, {books.unpaid}, 1000, created_at FROM allocation "
        f"WHERE id = {books.first_allocation}",
    )

    assert (
        f"imputation du reçu MTL-2026-000001 sur la facture {books.unpaid_number} : "
        "enregistrement ajouté hors de l'application"
    ) in output


@pytest.mark.parametrize(
    ("table", "statement", "named"),
    [
        (
            "invoice",
            "UPDATE invoice SET due_on = '2027-06-30' WHERE id = {paid}",
            "facture {paid_number} : contenu modifié",
        ),
        (
            "contribution_choice",
            "UPDATE contribution_choice SET declined = false",
            "choix de cotisation, ligne 2 de la facture {unpaid_number} : contenu modifié",
        ),
        (
            "contribution_choice",
            "DELETE FROM contribution_choice",
            "choix de cotisation (id 1) : enregistrement supprimé",
        ),
        (
            "credit_note",
            "UPDATE credit_note SET amount_cents = 0",
            "note de crédit NC00000001 (facture {cancelled_number}) : contenu modifié",
        ),
        (
            "payment_void",
            "DELETE FROM payment_void",
            "annulation de paiement (id 1) : enregistrement supprimé",
        ),
        (
            "payment",
            "UPDATE payment SET clerk_id = {clerk2} WHERE amount_cents = 5000",
            "paiement du reçu MTL-2026-000002 : contenu modifié",
        ),
    ],
    ids=["invoice", "choice-flipped", "choice-deleted", "credit-note", "void-deleted", "clerk"],
)
def test_every_kind_of_money_record_is_covered(
    books: Books, table: str, statement: str, named: str
) -> None:
    names = {
        "paid": books.paid,
        "paid_number": books.paid_number,
        "unpaid_number": books.unpaid_number,
        "cancelled_number": books.cancelled_number,
        "clerk2": books.school.clerk2_id,
    }

    output = broken_at(books, table, statement.format(**names))

    assert f"Maillon rompu : {named.format(**names)}" in output


def test_the_new_money_tables_refuse_updates_and_deletes(books: Books) -> None:
    for statement in (
        "UPDATE invoice SET due_on = due_on",
        "DELETE FROM invoice_line",
        "UPDATE contribution_choice SET declined = declined",
        "DELETE FROM ledger_link",
    ):
        with pytest.raises(DatabaseError, match="append-only"), books.db.engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(books.db).exit_code == 0

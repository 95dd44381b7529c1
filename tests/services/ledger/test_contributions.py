"""Declining and restoring voluntary contributions (scenario 2)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, ContributionChoice, LedgerLink
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import DomainError, NotFound, PermissionDenied
from registrar_tui.services.ledger.contributions import decline_contribution, restore_contribution
from registrar_tui.services.ledger.credit import cancel_invoice
from registrar_tui.services.ledger.errors import InvoiceAlreadyPaid, InvoiceCancelled, NotVoluntary
from registrar_tui.services.ledger.invoice_detail import invoice_detail
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    balance,
    build_school,
    cash,
)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def lines(db: Database, invoice_id: int) -> tuple[int, int]:
    """(regular line id, voluntary line id) of a default invoice."""
    with db.read() as uow:
        found = invoice_detail(uow, invoice_id).lines
    return found[0].line_id, found[1].line_id


def audit_actions(db: Database) -> list[tuple[str, dict[str, object]]]:
    with db.read() as uow:
        events = uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(event.action, json.loads(event.after_json)) for event in events]


def test_declining_lowers_the_balance_and_is_audited(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)

    with database.write() as uow:
        change = decline_contribution(uow, voluntary, school.clerk_id)

    assert change.changed and change.is_declined
    assert change.invoice_balance_after == D("250.00")
    assert balance(database, invoice) == D("250.00")
    assert audit_actions(database) == [
        ("contribution.decline", {"invoice_balance_cents": 25000, "is_declined": True})
    ]


def test_it_can_be_restored_while_the_invoice_is_unpaid(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)
    with database.write() as uow:
        decline_contribution(uow, voluntary, school.clerk_id)
        post_payment(uow, cash(school, family, "100.00", "250.00"))

    with database.write() as uow:
        change = restore_contribution(uow, voluntary, school.clerk_id)

    assert not change.is_declined
    assert balance(database, invoice) == D("175.00")
    assert [action for action, _ in audit_actions(database)][-1] == "contribution.restore"


def test_declining_twice_changes_nothing(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)
    with database.write() as uow:
        decline_contribution(uow, voluntary, school.clerk_id)

    with database.write() as uow:
        again = decline_contribution(uow, voluntary, school.clerk_id)

    assert not again.changed
    assert balance(database, invoice) == D("250.00")
    assert len(audit_actions(database)) == 1


def test_each_choice_is_a_chained_row_and_the_line_stays_as_issued(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)
    with database.engine.connect() as conn:
        issued = conn.execute(text(f"SELECT * FROM invoice_line WHERE id = {voluntary}")).one()

    for choose in (decline_contribution, restore_contribution, decline_contribution):
        with database.write() as uow:
            choose(uow, voluntary, school.clerk_id)

    with database.read() as uow:
        choices = uow.session.exec(
            select(ContributionChoice).order_by(col(ContributionChoice.id))
        ).all()
        chosen = [(c.invoice_line_id, c.declined, c.chosen_by_id) for c in choices]
        linked = uow.session.exec(
            select(LedgerLink.record_id)
            .where(LedgerLink.kind == "contribution_choice")
            .order_by(col(LedgerLink.position))
        ).all()
        report = verify_chains(uow)
        ids = [c.id for c in choices]
    with database.engine.connect() as conn:
        now = conn.execute(text(f"SELECT * FROM invoice_line WHERE id = {voluntary}")).one()
    assert chosen == [
        (voluntary, True, school.clerk_id),
        (voluntary, False, school.clerk_id),
        (voluntary, True, school.clerk_id),
    ]
    assert linked == ids
    assert now == issued
    assert balance(database, invoice) == D("250.00")
    assert report.ok


def refused(db: Database, action: object, error: type[DomainError]) -> None:
    events = len(audit_actions(db))
    with db.write() as uow, pytest.raises(error):
        action(uow)  # type: ignore[operator]
    assert len(audit_actions(db)) == events


def test_refused_on_a_paid_invoice(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)
    with database.write() as uow:
        post_payment(uow, cash(school, family, "275.00", "275.00"))

    refused(database, lambda uow: decline_contribution(uow, voluntary, 1), InvoiceAlreadyPaid)
    assert balance(database, invoice) == D("0.00")


def test_refused_when_what_is_paid_already_covers_the_line(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)
    with database.write() as uow:
        post_payment(uow, cash(school, family, "260.00", "275.00"))

    refused(database, lambda uow: decline_contribution(uow, voluntary, 1), InvoiceAlreadyPaid)


def test_restore_refused_once_the_invoice_is_paid(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    _, voluntary = lines(database, invoice)
    with database.write() as uow:
        decline_contribution(uow, voluntary, school.clerk_id)
        post_payment(uow, cash(school, family, "250.00", "250.00"))

    refused(database, lambda uow: restore_contribution(uow, voluntary, 1), InvoiceAlreadyPaid)


def test_refused_on_a_regular_line_a_cancelled_invoice_or_an_unknown_line(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    regular, voluntary = lines(database, invoice)

    refused(database, lambda uow: decline_contribution(uow, regular, 1), NotVoluntary)
    refused(database, lambda uow: decline_contribution(uow, 9999, 1), NotFound)
    refused(database, lambda uow: decline_contribution(uow, voluntary, 999), PermissionDenied)
    with database.write() as uow:
        cancel_invoice(uow, invoice, "Erreur de facturation", school.registrar_id)
    refused(database, lambda uow: decline_contribution(uow, voluntary, 1), InvoiceCancelled)

"""A registrar waives one fee of an invoice with a reason: a credit note for that line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, CreditNote
from registrar_tui.services.audit.ledger_chain import KIND_BY_NAME, content_digest
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.ledger.credit import cancel_invoice
from registrar_tui.services.ledger.errors import (
    ContributionNotWaivable,
    FeeAlreadyWaived,
    InvoiceCancelled,
)
from registrar_tui.services.ledger.invoice_detail import invoice_detail
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.posted_receipts import payment_receipt
from registrar_tui.services.ledger.statement import InvoiceState, statement
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.ledger.waivers import waive_fee
from registrar_tui.services.records.families import family_overview
from tests.builders import line_ids
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    balance,
    build_school,
    cash,
    check_invariants,
    credit,
    row_counts,
)

# Tuition, the schedule-change fee billed with it, a voluntary contribution: 290,00 $.
LINES = (("250.00", ""), ("15.00", ""), ("25.00", "voluntary"))


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def _invoice(db: Database, school: School) -> tuple[int, int, list[int]]:
    family = add_family(db, school)
    invoice = add_invoice(db, school, family, LINES)
    with db.read() as uow:
        return family, invoice, line_ids(uow, invoice)


def _notes(db: Database) -> list[tuple[str, int | None, object]]:
    with db.read() as uow:
        rows = uow.session.exec(
            select(CreditNote.number, CreditNote.invoice_line_id, CreditNote.amount).order_by(
                col(CreditNote.id)
            )
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def _refused(db: Database, action: object, error: type[DomainError]) -> DomainError:
    before = (row_counts(db), _notes(db))
    with db.write() as uow, pytest.raises(error) as raised:
        action(uow)  # type: ignore[operator]
    assert (row_counts(db), _notes(db)) == before
    return raised.value


def test_waiving_an_unpaid_fee_credits_its_amount_once(database: Database, school: School) -> None:
    family, invoice, lines = _invoice(database, school)

    with database.write() as uow:
        done = waive_fee(uow, lines[1], "Changement demandé par l'école", school.registrar_id)

    assert done.credit_note_number == "NC00000001"
    assert (done.amount, done.returned_to_credit) == (D("15.00"), D("0.00"))
    assert done.invoice_balance_after == D("275.00")
    assert balance(database, invoice) == D("275.00")
    assert _notes(database) == [("NC00000001", lines[1], D("15.00"))]
    with database.read() as uow:
        detail = invoice_detail(uow, invoice)
        shown = statement(uow, family)
        overview = family_overview(uow, family)
        event = uow.session.exec(
            select(
                AuditEvent.entity_type,
                AuditEvent.entity_id,
                AuditEvent.actor_id,
                AuditEvent.after_json,
            ).where(col(AuditEvent.action) == "fee.waive")
        ).one()
        report = verify_chains(uow)
    # The line stays as issued, marked waived; the invoice stays live and owes less.
    assert detail.state is InvoiceState.OPEN and detail.credit_note_number is None
    assert detail.total == D("290.00") and detail.waived == D("15.00")
    assert detail.balance == D("275.00")
    waived = detail.lines[1]
    assert (waived.waived_by, waived.waiver_reason) == (
        "NC00000001",
        "Changement demandé par l'école",
    )
    assert not detail.lines[0].is_waived
    assert shown.total_due == D("275.00") and shown.invoices[0].balance == D("275.00")
    assert overview.balance == D("275.00")
    assert event[:3] == (
        "invoice_line",
        lines[1],
        school.registrar_id,
    )
    after = json.loads(event[3])
    assert (after["credit_note"], after["amount_cents"]) == ("NC00000001", 1500)
    assert report.ok, report.breaks

    # The same fee again: refused, with the note that already waives it.
    error = _refused(
        database,
        lambda uow: waive_fee(uow, lines[1], "Encore", school.registrar_id),
        FeeAlreadyWaived,
    )
    assert "NC00000001" in error.translated()
    check_invariants(database)


def test_a_paid_fee_waived_goes_to_family_credit_and_a_void_still_balances(
    database: Database, school: School
) -> None:
    family, invoice, lines = _invoice(database, school)
    with database.write() as uow:
        # 280 $ on 290 $: 10 $ still owed, so 5 $ of the 15 $ waived was paid.
        payment = post_payment(uow, cash(school, family, "280.00", "290.00")).payment_id

    with database.write() as uow:
        done = waive_fee(uow, lines[1], "Frais facturés par erreur", school.registrar_id)

    assert done.returned_to_credit == D("5.00")
    assert done.invoice_balance_after == D("0.00")
    assert balance(database, invoice) == D("0.00")
    assert credit(database, family) == D("5.00")
    with database.read() as uow:
        detail = invoice_detail(uow, invoice)
        overview = family_overview(uow, family)
        reprint = payment_receipt(uow, payment)
    assert detail.state is InvoiceState.PAID and detail.paid == D("275.00")
    assert (overview.balance, overview.credit) == (D("0.00"), D("5.00"))
    # The receipt and the invoice's payments show the payment as it was taken, once.
    assert [(line.invoice_id, line.amount) for line in reprint.allocations] == [
        (invoice, D("280.00"))
    ]
    assert [(p.payment_id, p.amount) for p in detail.payments] == [(payment, D("280.00"))]
    check_invariants(database)

    # Voiding the payment afterwards reverses exactly what the invoice still holds.
    with database.write() as uow:
        void_payment(uow, payment, "Chèque sans provision", school.registrar_id)
    assert balance(database, invoice) == D("275.00")
    assert credit(database, family) == D("0.00")
    check_invariants(database)


def test_a_waiver_is_refused_to_a_clerk_for_a_contribution_and_without_a_reason(
    database: Database, school: School
) -> None:
    _, invoice, lines = _invoice(database, school)

    _refused(database, lambda uow: waive_fee(uow, lines[1], "x", school.clerk_id), PermissionDenied)
    error = _refused(
        database,
        lambda uow: waive_fee(uow, lines[2], "Geste commercial", school.registrar_id),
        ContributionNotWaivable,
    )
    assert "refuse" in error.translated()
    _refused(
        database, lambda uow: waive_fee(uow, lines[1], "  ", school.registrar_id), ReasonRequired
    )
    _refused(
        database,
        lambda uow: waive_fee(uow, lines[1], "carte 4111 1111 1111 1111", school.registrar_id),
        CardNumberRefused,
    )
    with database.write() as uow:
        cancel_invoice(uow, invoice, "Inscription annulée", school.registrar_id)
    _refused(
        database,
        lambda uow: waive_fee(uow, lines[0], "Trop tard", school.registrar_id),
        InvoiceCancelled,
    )


def test_cancelling_after_a_waiver_cancels_what_is_left(database: Database, school: School) -> None:
    family, invoice, lines = _invoice(database, school)
    with database.write() as uow:
        post_payment(uow, cash(school, family, "100.00", "290.00"))
        waive_fee(uow, lines[1], "Retard excusé", school.registrar_id)
        cancelled = cancel_invoice(uow, invoice, "Inscription annulée", school.registrar_id)

    # 290 $ billed, 15 $ already waived: the second note cancels 275 $.
    assert cancelled.credit_note_number == "NC00000002"
    assert cancelled.amount == D("275.00")
    assert cancelled.returned_to_credit == D("100.00")
    assert _notes(database) == [
        ("NC00000001", lines[1], D("15.00")),
        ("NC00000002", None, D("275.00")),
    ]
    with database.read() as uow:
        detail = invoice_detail(uow, invoice)
        overview = family_overview(uow, family)
        count = uow.session.exec(select(func.count()).select_from(CreditNote)).one()
    assert detail.state is InvoiceState.CANCELLED and detail.balance == D("0.00")
    assert detail.credit_note_number == "NC00000002"
    assert (overview.balance, overview.credit) == (D("0.00"), D("100.00"))
    assert count == 2
    check_invariants(database)


def test_a_whole_invoice_note_keeps_the_digest_it_had_before_lines_could_be_waived() -> None:
    """Links written before `waive_0001` still verify: a NULL line is not in the digest."""
    kind = KIND_BY_NAME["credit_note"]
    values = ["NC00000001", 7, D("15.00"), "Motif", None, 3]
    before = content_digest(
        type(kind)(kind.name, kind.model, kind.fields), values
    )  # the format as it was
    assert content_digest(kind, [*values, None]) == before
    assert content_digest(kind, [*values, 12]) != before

"""The statement of account and the invoice detail: states, totals, credit, speed."""

from __future__ import annotations

import time
from datetime import date

import pytest

from registrar_tui.db import Database
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.credit import cancel_invoice
from registrar_tui.services.ledger.invoice_detail import invoice_detail
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.statement import InvoiceState, statement
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    build_school,
    cash,
    insert_invoice,
)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def test_states_open_partial_paid_overdue_cancelled(database: Database, school: School) -> None:
    family = add_family(database, school)
    # Today is 2026-11-23 (the test clock).
    overdue = add_invoice(database, school, family, (("100.00", ""),), due_on=date(2026, 10, 1))
    paid = add_invoice(database, school, family, (("50.00", ""),), due_on=date(2026, 11, 30))
    partial = add_invoice(database, school, family, (("80.00", ""),), due_on=date(2026, 12, 1))
    still_open = add_invoice(database, school, family, (("40.00", ""),), due_on=date(2026, 12, 2))
    cancelled = add_invoice(database, school, family, (("30.00", ""),), due_on=date(2026, 12, 3))
    with database.write() as uow:
        post_payment(uow, cash(school, family, "50.00", "50.00", invoices=(paid,)))
        post_payment(uow, cash(school, family, "20.00", "80.00", invoices=(partial,)))
        cancel_invoice(uow, cancelled, "Inscription annulée", school.registrar_id)

    with database.read() as uow:
        shown = statement(uow, family)

    states = {line.invoice_id: line.state for line in shown.invoices}
    assert states == {
        overdue: InvoiceState.OVERDUE,
        paid: InvoiceState.PAID,
        partial: InvoiceState.PARTIAL,
        still_open: InvoiceState.OPEN,
        cancelled: InvoiceState.CANCELLED,
    }
    # Oldest due first, as the clerk pays them.
    assert [line.invoice_id for line in shown.invoices][:2] == [overdue, paid]
    assert shown.total_billed == D("270.00")
    assert shown.total_paid == D("70.00")
    assert shown.total_due == D("200.00")
    assert shown.overdue == D("100.00")
    assert shown.credit == D("0.00")
    assert shown.net_balance == D("200.00")
    line = next(line for line in shown.invoices if line.invoice_id == partial)
    assert (line.total, line.paid, line.balance) == (D("80.00"), D("20.00"), D("60.00"))
    assert line.term_code == "AUT-2026" and line.student_name == "Élodie Tremblay"


def test_invoice_detail_marks_voluntary_lines_kept_or_declined(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(
        database, school, family, (("250.00", ""), ("25.00", "voluntary"), ("10.00", "voluntary"))
    )
    with database.write() as uow:
        lines = invoice_detail(uow, invoice).lines
        decline_contribution(uow, lines[1].line_id, school.clerk_id)
        post_payment(uow, cash(school, family, "100.00", "260.00"))

    with database.read() as uow:
        detail = invoice_detail(uow, invoice)

    assert [(line.is_voluntary, line.is_declined) for line in detail.lines] == [
        (False, False),
        (True, True),
        (True, False),
    ]
    assert detail.total == D("260.00")
    assert detail.declined == D("25.00")
    assert detail.paid == D("100.00")
    assert detail.balance == D("160.00")
    assert detail.state is InvoiceState.PARTIAL
    assert [(p.receipt_number, p.amount) for p in detail.payments] == [
        ("MTL-2026-000001", D("100.00"))
    ]


def test_unknown_family_or_invoice_is_not_found(database: Database, school: School) -> None:
    with database.read() as uow, pytest.raises(NotFound):
        statement(uow, 12345)
    with database.read() as uow, pytest.raises(NotFound):
        invoice_detail(uow, 12345)


def test_a_family_with_200_invoices_answers_in_50_ms(database: Database, school: School) -> None:
    family = add_family(database, school)
    with database.write() as uow:
        for index in range(200):
            insert_invoice(
                uow,
                school,
                family,
                (("100.00", ""), ("5.00", "voluntary")),
                due_on=date(2026, 1 + index % 12, 1 + index % 28),
                issued_on=date(2026, 1, 1),
            )
    with database.write() as uow:
        post_payment(uow, cash(school, family, "3000.00", "21000.00"))

    timings = []
    for _ in range(5):
        with database.read() as uow:
            started = time.perf_counter()
            shown = statement(uow, family)
            timings.append(time.perf_counter() - started)

    assert len(shown.invoices) == 200
    assert shown.total_due == D("18000.00")
    assert min(timings) < 0.050, timings

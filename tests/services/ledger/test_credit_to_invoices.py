"""Family credit applied to several invoices at once, oldest due first (the statement's
`c` key), as far as it goes; refused when there is no credit or nothing owed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registrar_tui.db import Database
from registrar_tui.services.ledger.credit import apply_credit_to_invoices
from registrar_tui.services.ledger.errors import InsufficientCredit, InvoiceAlreadyPaid
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import add_family, add_invoice, balance, build_school, cash, credit

D = Decimal


def test_credit_goes_to_the_oldest_due_first_and_stops_when_spent(database: Database) -> None:
    school = build_school(database)
    family = add_family(database, school)
    with database.write() as uow:  # 90,00 $ paid while nothing was owed: family credit
        post_payment(uow, cash(school, family, "90.00", "0.00"))
    later = add_invoice(database, school, family, (("100.00", ""),), due_on=date(2026, 12, 20))
    older = add_invoice(database, school, family, (("60.00", ""),), due_on=date(2026, 12, 1))
    assert credit(database, family) == D("90.00")
    with database.write() as uow:
        done = apply_credit_to_invoices(uow, family, (later, older), school.clerk_id)
    assert [a.invoice_id for a in done.applied] == [older, later]
    assert [a.amount for a in done.applied] == [D("60.00"), D("30.00")]
    assert (done.total, done.family_credit_after) == (D("90.00"), D("0.00"))
    assert (balance(database, older), balance(database, later)) == (D("0.00"), D("70.00"))
    with pytest.raises(InsufficientCredit), database.write() as uow:
        apply_credit_to_invoices(uow, family, (later,), school.clerk_id)


def test_nothing_owed_is_refused(database: Database) -> None:
    school = build_school(database)
    family = add_family(database, school)
    paid = add_invoice(database, school, family, (("50.00", ""),))
    with database.write() as uow:
        post_payment(uow, cash(school, family, "80.00", "50.00", invoices=(paid,)))
    with pytest.raises(InvoiceAlreadyPaid), database.write() as uow:
        apply_credit_to_invoices(uow, family, (paid,), school.clerk_id)
    assert credit(database, family) == D("30.00")

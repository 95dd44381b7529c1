"""A family's receipts (the "Reçus" tab): newest first, paged in SQL, voids and refunds flagged."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from registrar_tui.db import Database
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.ledger.credit import refund_credit
from registrar_tui.services.ledger.day_close.cash_count import count_cash
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.receipt_list import family_receipts
from registrar_tui.services.ledger.voids import void_payment
from tests.services.ledger_data import D, School, add_family, add_invoice, build_school, cash


@pytest.fixture
def school(database: Database) -> School:
    start = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    ticks = iter(range(1, 10_000))
    database.clock = lambda: start + timedelta(minutes=next(ticks))
    return build_school(database)


def test_newest_first_with_voided_flag_and_refunds(database: Database, school: School) -> None:
    family = add_family(database, school)
    other = add_family(database, school, "Gagnon")
    add_invoice(database, school, family, (("500.00", ""),))
    with database.write() as uow:
        first = post_payment(uow, cash(school, family, "100.00", "500.00"))
        debit = dataclasses.replace(
            cash(school, family, "150.00", "400.00"),
            method=PaymentMethod.DEBIT,
            card_last4="4242",
            authorization_number="A1",
        )
        second = post_payment(uow, debit)
        post_payment(uow, cash(school, other, "40.00", "0.00"))  # another family's receipt
    with database.write() as uow:
        void_payment(uow, first.payment_id, "Mauvais montant", school.registrar_id)
    with database.write() as uow:
        third = post_payment(uow, cash(school, family, "400.00", "350.00"))  # 50 of credit
    with database.write() as uow:
        refund = refund_credit(
            uow,
            family,
            school.montreal_id,
            D("20.00"),
            RefundMethod.CASH,
            "Trop payé",
            school.registrar_id,
        )

    with database.read() as uow:
        page = family_receipts(uow, family).page

    assert page.total_count == 4
    assert not page.has_more and not page.has_previous
    newest, paid, debited, voided = page.rows
    assert newest.refund_id == refund.refund_id and newest.payment_id is None
    assert newest.is_refund and newest.amount == D("-20.00")
    assert newest.method is PaymentMethod.CASH and newest.clerk_name == "Registrar Test"
    assert (paid.payment_id, paid.amount, paid.is_voided) == (third.payment_id, D("400.00"), False)
    assert debited.payment_id == second.payment_id and debited.method is PaymentMethod.DEBIT
    assert voided.payment_id == first.payment_id
    assert voided.is_voided and voided.void_reason == "Mauvais montant"
    assert voided.receipt_number == first.receipt_number
    assert voided.clerk_name == "Clerk Test"
    issued = [row.issued_at for row in page.rows]
    assert issued == sorted(issued, reverse=True)
    assert all(instant.tzinfo is not None for instant in issued)


def test_pages_are_cut_in_sql_and_cover_every_receipt_once(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family, (("2000.00", ""),))
    numbers = []
    with database.write() as uow:
        for index in range(23):
            seen = D("2000.00") - D(10) * index
            posted = post_payment(uow, cash(school, family, "10.00", str(seen)))
            numbers.append(posted.receipt_number)

    pages = []
    with database.read() as uow:
        for offset in (0, 10, 20):
            pages.append(family_receipts(uow, family, offset=offset, limit=10).page)
        beyond = family_receipts(uow, family, offset=30).page

    assert [len(page.rows) for page in pages] == [10, 10, 3]
    assert all(page.total_count == 23 for page in pages)
    assert pages[0].has_more and not pages[0].has_previous
    assert pages[1].has_more and pages[1].has_previous
    assert not pages[2].has_more
    listed = [row.receipt_number for page in pages for row in page.rows]
    assert listed == list(reversed(numbers))
    assert beyond.rows == () and beyond.total_count == 23


def test_unknown_family_and_bad_pages_are_refused(database: Database, school: School) -> None:
    family = add_family(database, school)
    with database.read() as uow:
        assert family_receipts(uow, family).page.rows == ()
        with pytest.raises(NotFound):
            family_receipts(uow, family + 999)
        with pytest.raises(InvalidInput):
            family_receipts(uow, family, offset=-1)
        with pytest.raises(InvalidInput):
            family_receipts(uow, family, limit=0)
        with pytest.raises(InvalidInput):
            family_receipts(uow, family, limit=101)


@pytest.mark.parametrize(
    ("typed", "counted", "discrepancy"),
    [
        ("300", "300.00", "-5.00"),
        ("300,00", "300.00", "-5.00"),
        ("305", "305.00", "0.00"),
        ("1 234,50 $", "1234.50", "929.50"),
    ],
)
def test_counted_cash_against_expected(typed: str, counted: str, discrepancy: str) -> None:
    result = count_cash(typed, D("305.00"), "fr_CA")
    assert (result.counted, result.discrepancy) == (D(counted), D(discrepancy))
    assert result.is_short == (D(discrepancy) < 0)
    assert result.is_over == (D(discrepancy) > 0)


@pytest.mark.parametrize("typed", ["abc", "-5", "", "12,345"])
def test_counted_cash_refuses_what_is_not_an_amount(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        count_cash(typed, D("305.00"), "fr_CA")
    assert refused.value.field == "counted_cash"

"""Closing the day (scenario 9): expected totals by method, counted cash, discrepancy."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import DayClose, DayCloseTotal
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.core.errors import InvalidAmount
from registrar_tui.services.ledger.credit import refund_credit
from registrar_tui.services.ledger.day_close.close import (
    attach_day_close_report,
    close_day,
    day_close_summary,
    preview_day_close,
)
from registrar_tui.services.ledger.errors import DayAlreadyClosed
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    build_school,
    cash,
    ticking_clock,
)


@pytest.fixture
def school(database: Database) -> School:
    database.clock = ticking_clock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), timedelta(minutes=1))
    return build_school(database)


def day_of_payments(db: Database, school: School) -> None:
    """Clerk: 300 cash (20 tendered back), 400 debit, 100 cheque, a 50 cash payment voided,
    a 10 cash refund; clerk2 takes 999 cash (not in clerk's drawer)."""
    family = add_family(db, school)
    add_invoice(db, school, family, (("2000.00", ""),))
    with db.write() as uow:
        post_payment(uow, cash(school, family, "300.00", "2000.00", tendered="320.00"))
        debit = dataclasses.replace(
            cash(school, family, "400.00", "1700.00"),
            method=PaymentMethod.DEBIT,
            card_last4="4242",
            authorization_number="77",
        )
        post_payment(uow, debit)
        cheque = dataclasses.replace(
            cash(school, family, "100.00", "1300.00"),
            method=PaymentMethod.CHEQUE,
            cheque_number="12",
            cheque_bank="RBC",
        )
        post_payment(uow, cheque)
        wrong = post_payment(uow, cash(school, family, "50.00", "1200.00"))
        post_payment(uow, cash(school, family, "999.00", "1150.00", clerk_id=school.clerk2_id))
    with db.write() as uow:
        void_payment(uow, wrong.payment_id, "Erreur de montant", school.registrar_id)
    with db.write() as uow:
        post_payment(uow, cash(school, family, "60.00", "201.00"))  # leaves 9 of credit
    other = add_family(db, school, "Gagnon")
    with db.write() as uow:
        post_payment(uow, cash(school, other, "10.00", "0.00"))  # all credit
        refund_credit(uow, other, school.montreal_id, D("10.00"), RefundMethod.CASH, "Trop payé", 3)


def test_expected_totals_by_method_with_voids_negative(database: Database, school: School) -> None:
    day_of_payments(database, school)

    with database.write() as uow:
        summary = close_day(uow, school.clerk_id, school.montreal_id, D("405.00"))

    totals = {total.method: total for total in summary.totals}
    assert totals[PaymentMethod.CASH].received == D("420.00")  # 300 + 50 + 60 + 10
    assert totals[PaymentMethod.CASH].voided == D("50.00")
    assert totals[PaymentMethod.CASH].expected == D("370.00")
    assert totals[PaymentMethod.CASH].payment_count == 4
    assert totals[PaymentMethod.DEBIT].expected == D("400.00")
    assert totals[PaymentMethod.CHEQUE].expected == D("100.00")
    assert totals[PaymentMethod.CREDIT_CARD].expected == D("0.00")
    # The cash refund was handed out by the registrar, not from this clerk's drawer.
    assert summary.expected_cash == D("370.00")
    assert summary.counted_cash == D("405.00")
    assert summary.discrepancy == D("35.00")
    assert summary.expected_total == D("870.00")
    assert [entry.kind for entry in summary.entries].count("void") == 1
    with database.read() as uow:
        stored = uow.session.exec(select(DayClose)).one()
        assert (stored.expected_cash, stored.discrepancy) == (D("370.00"), D("35.00"))
        by_method = {
            row.method: row.expected
            for row in uow.session.exec(
                select(DayCloseTotal).where(col(DayCloseTotal.day_close_id) == stored.id)
            )
        }
        assert by_method[PaymentMethod.DEBIT] == D("400.00")


def test_cash_refunds_count_against_the_drawer_that_paid_them(
    database: Database, school: School
) -> None:
    day_of_payments(database, school)

    with database.write() as uow:
        summary = close_day(uow, school.registrar_id, school.montreal_id, D("0.00"))

    assert summary.expected_cash == D("-10.00")
    assert summary.cash_refunds == D("10.00")
    assert summary.discrepancy == D("10.00")


def test_the_next_close_starts_where_the_last_one_ended(database: Database, school: School) -> None:
    day_of_payments(database, school)
    with database.write() as uow:
        first = close_day(uow, school.clerk_id, school.montreal_id, D("370.00"))
    family = add_family(database, school, "Roy")
    add_invoice(database, school, family, (("80.00", ""),))
    with database.write() as uow:
        post_payment(uow, cash(school, family, "80.00", "80.00"))

    with database.read() as uow:
        preview = preview_day_close(uow, school.clerk_id, school.montreal_id)
    with database.write() as uow:
        second = close_day(uow, school.clerk_id, school.montreal_id, D("75.00"))

    assert preview.expected_cash == D("80.00") and preview.counted_cash is None
    assert second.period_start == first.closed_at
    assert second.expected_cash == D("80.00")
    assert second.discrepancy == D("-5.00")


def test_a_second_close_with_nothing_new_the_same_day_is_refused(
    database: Database, school: School
) -> None:
    day_of_payments(database, school)
    with database.write() as uow:
        close_day(uow, school.clerk_id, school.montreal_id, D("370.00"))

    with database.write() as uow, pytest.raises(DayAlreadyClosed):
        close_day(uow, school.clerk_id, school.montreal_id, D("0.00"))
    with database.write() as uow, pytest.raises(InvalidAmount):
        close_day(uow, school.clerk2_id, school.montreal_id, D("-1.00"))


def test_the_report_pdf_is_stored_and_the_summary_reread(
    database: Database, school: School
) -> None:
    day_of_payments(database, school)
    with database.write() as uow:
        summary = close_day(uow, school.clerk_id, school.montreal_id, D("370.00"), note="RAS")
    assert summary.day_close_id is not None

    with database.write() as uow:
        attach_day_close_report(uow, summary.day_close_id, b"%PDF-1.4 test")
    with database.read() as uow:
        again = day_close_summary(uow, summary.day_close_id)
        stored = uow.session.get(DayClose, summary.day_close_id)
        assert stored is not None and stored.report_pdf == b"%PDF-1.4 test"

    assert again == summary

"""Voiding a wrong payment (scenario 5), credit, refunds and credit notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Allocation, Payment, Receipt
from registrar_tui.models.base import RefundMethod
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.ledger.credit import apply_credit, cancel_invoice, refund_credit
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.errors import (
    CreditAlreadyRefunded,
    DayClosedOverrideRequired,
    InsufficientCredit,
    InvoiceCancelled,
    PaymentAlreadyVoided,
)
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.posted_receipts import payment_receipt
from registrar_tui.services.ledger.voids import void_payment
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
    ticking_clock,
)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def paid(db: Database, school: School, amount: str = "275.00") -> tuple[int, int, int]:
    """(family, invoice, payment) with the default 275,00 $ invoice paid `amount`."""
    family = add_family(db, school)
    invoice = add_invoice(db, school, family)
    with db.write() as uow:
        payment = post_payment(uow, cash(school, family, amount, "275.00")).payment_id
    return family, invoice, payment


def refused(db: Database, action: object, error: type[DomainError]) -> DomainError:
    before = row_counts(db)
    with db.write() as uow, pytest.raises(error) as raised:
        action(uow)  # type: ignore[operator]
    assert row_counts(db) == before
    return raised.value


def test_a_registrar_voids_a_payment_and_balances_come_back(
    database: Database, school: School
) -> None:
    family, invoice, payment = paid(database, school)

    with database.write() as uow:
        voided = void_payment(uow, payment, "Mauvaise famille", school.registrar_id)

    assert voided.receipt_number == "MTL-2026-000001"
    assert voided.reversed_amount == D("275.00")
    assert balance(database, invoice) == D("275.00")
    with database.read() as uow:
        rows = uow.session.exec(
            select(Allocation.amount, Allocation.reverses_id).order_by(col(Allocation.id))
        ).all()
        reprint = payment_receipt(uow, payment)
        # The original rows are untouched; the receipt number stays used.
        assert uow.session.get(Payment, payment) is not None
        assert uow.session.exec(select(Receipt.number)).all() == ["MTL-2026-000001"]
    assert [row[0] for row in rows] == [D("275.00"), D("-275.00")]
    assert rows[1][1] is not None
    assert reprint.is_voided and reprint.void_reason == "Mauvaise famille"
    assert reprint.voided_by == "Registrar Test"
    # The next payment takes the next number.
    with database.write() as uow:
        again = post_payment(uow, cash(school, family, "275.00", "275.00"))
    assert again.receipt_number == "MTL-2026-000002"
    check_invariants(database)


def test_a_clerk_cannot_void_and_nobody_voids_their_own_payment(
    database: Database, school: School
) -> None:
    _, _, payment = paid(database, school)
    family = add_family(database, school, "Roy")
    add_invoice(database, school, family)
    with database.write() as uow:
        own = post_payment(
            uow, cash(school, family, "10.00", "275.00", clerk_id=school.registrar_id)
        ).payment_id

    refused(
        database, lambda uow: void_payment(uow, payment, "x", school.clerk2_id), PermissionDenied
    )
    refused(
        database, lambda uow: void_payment(uow, payment, "x", school.inactive_id), PermissionDenied
    )
    error = refused(
        database, lambda uow: void_payment(uow, own, "x", school.registrar_id), PermissionDenied
    )
    assert "vous-même" in error.translated()


def test_a_void_needs_a_card_free_reason_and_happens_once(
    database: Database, school: School
) -> None:
    _, _, payment = paid(database, school)

    refused(database, lambda uow: void_payment(uow, payment, "  ", 3), ReasonRequired)
    refused(
        database,
        lambda uow: void_payment(uow, payment, "carte 4111-1111-1111-1111", 3),
        CardNumberRefused,
    )
    with database.write() as uow:
        void_payment(uow, payment, "Doublon", school.admin_id)
    refused(database, lambda uow: void_payment(uow, payment, "Doublon", 3), PaymentAlreadyVoided)


def test_after_a_day_close_a_void_needs_an_override_reason(
    database: Database, school: School
) -> None:
    database.clock = ticking_clock(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    _, invoice, payment = paid(database, school)
    with database.write() as uow:
        close_day(uow, school.clerk_id, school.montreal_id, D("275.00"))

    refused(
        database,
        lambda uow: void_payment(uow, payment, "Erreur", school.registrar_id),
        DayClosedOverrideRequired,
    )
    with database.write() as uow:
        voided = void_payment(
            uow, payment, "Erreur", school.registrar_id, override_reason="Caisse recomptée"
        )
    assert voided.override_reason == "Caisse recomptée"
    assert balance(database, invoice) == D("275.00")


def test_excess_becomes_credit_that_pays_another_invoice(
    database: Database, school: School
) -> None:
    family, _, _ = paid(database, school, "300.00")
    second = add_invoice(database, school, family, (("40.00", ""),))

    with database.write() as uow:
        applied = apply_credit(uow, second, school.clerk_id)

    assert applied.amount == D("25.00")
    assert applied.invoice_balance_after == D("15.00")
    assert credit(database, family) == D("0.00")
    refused(database, lambda uow: apply_credit(uow, second, 1), InsufficientCredit)
    check_invariants(database)


def test_voiding_reverses_credit_applied_elsewhere_too(database: Database, school: School) -> None:
    family, first, payment = paid(database, school, "300.00")
    second = add_invoice(database, school, family, (("40.00", ""),))
    with database.write() as uow:
        apply_credit(uow, second, school.clerk_id)

    with database.write() as uow:
        void_payment(uow, payment, "Chèque sans provision", school.registrar_id)

    assert (balance(database, first), balance(database, second)) == (D("275.00"), D("40.00"))
    assert credit(database, family) == D("0.00")
    check_invariants(database)


def test_refund_of_credit_in_cash_or_by_cheque(database: Database, school: School) -> None:
    family, _, payment = paid(database, school, "300.00")

    refused(
        database,
        lambda uow: refund_credit(
            uow, family, school.montreal_id, D("30.00"), RefundMethod.CASH, "Trop payé", 3
        ),
        InsufficientCredit,
    )
    refused(
        database,
        lambda uow: refund_credit(
            uow, family, school.montreal_id, D("5.00"), RefundMethod.CASH, "Trop payé", 1
        ),
        PermissionDenied,
    )
    with database.write() as uow:
        first = refund_credit(
            uow, family, school.montreal_id, D("5.00"), RefundMethod.CASH, "Trop payé", 3
        )
        second = refund_credit(
            uow,
            family,
            school.montreal_id,
            D("20.00"),
            RefundMethod.CHEQUE,
            "Trop payé",
            3,
            cheque_number="1001",
        )

    assert (first.receipt_number, second.receipt_number) == ("MTL-2026-000002", "MTL-2026-000003")
    assert second.family_credit_after == Decimal("0.00")
    # The refunded credit cannot be taken back by voiding the payment.
    refused(
        database,
        lambda uow: void_payment(uow, payment, "Erreur", school.registrar_id),
        CreditAlreadyRefunded,
    )
    check_invariants(database)


def test_cancelling_an_invoice_issues_a_credit_note_and_frees_what_was_paid(
    database: Database, school: School
) -> None:
    family, invoice, _ = paid(database, school, "100.00")

    with database.write() as uow:
        cancelled = cancel_invoice(uow, invoice, "Abandon avant le début", school.registrar_id)

    assert cancelled.credit_note_number == "NC00000001"
    assert cancelled.amount == D("275.00")
    assert cancelled.returned_to_credit == D("100.00")
    assert balance(database, invoice) == D("0.00")
    assert credit(database, family) == D("100.00")
    refused(database, lambda uow: cancel_invoice(uow, invoice, "x", 3), InvoiceCancelled)
    refused(database, lambda uow: cancel_invoice(uow, invoice, "x", 1), PermissionDenied)
    check_invariants(database)


def test_the_next_day_void_is_counted_in_the_clerks_next_close(
    database: Database, school: School
) -> None:
    database.clock = ticking_clock(datetime(2026, 11, 23, 14, 0, tzinfo=UTC), timedelta(hours=1))
    _, _, payment = paid(database, school)
    with database.write() as uow:
        close_day(uow, school.clerk_id, school.montreal_id, D("275.00"))
    with database.write() as uow:
        void_payment(uow, payment, "Erreur", school.registrar_id, override_reason="Accord")

    with database.write() as uow:
        summary = close_day(uow, school.clerk_id, school.montreal_id, D("0.00"))

    assert summary.expected_cash == D("-275.00")
    assert [entry.kind for entry in summary.entries] == ["void"]


def test_a_reprint_has_the_same_content_as_the_original(database: Database, school: School) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    with database.write() as uow:
        posted = post_payment(uow, cash(school, family, "300.00", "275.00", tendered="300.00"))

    with database.read() as uow:
        reprint = payment_receipt(uow, posted.payment_id)

    assert reprint.allocations == posted.allocations
    assert reprint.credit_created == D("25.00")
    assert reprint.change_due == D("0.00")
    assert reprint.receipt_hash == posted.receipt_hash

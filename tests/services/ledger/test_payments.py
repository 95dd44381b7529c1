"""Posting payments at the counter (scenarios 1, 3, 4): receipts, allocation, refusals."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models import AuditEvent, Payment
from registrar_tui.models.base import PaymentMethod
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidAmount,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.ledger.errors import (
    AmountExceedsBalance,
    CreditNotAccepted,
    IdempotencyConflict,
    InvoiceAlreadyPaid,
    MissingPaymentDetail,
    StaleBalance,
)
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest, post_payment
from registrar_tui.services.ledger.posted_receipts import PostedPayment, payment_receipt
from registrar_tui.services.ledger.statement import statement
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

VISA_TEST_NUMBER = "4111 1111 1111 1111"


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def pay(db: Database, request: PaymentRequest) -> PostedPayment:
    with db.write() as uow:
        return post_payment(uow, request)


def refused(db: Database, request: PaymentRequest, error: type[DomainError]) -> DomainError:
    """Post `request`, expect `error`, and check nothing at all was written."""
    before = row_counts(db)
    with pytest.raises(error) as raised:
        pay(db, request)
    assert row_counts(db) == before
    return raised.value


def test_cash_at_the_counter_gives_change_and_a_numbered_receipt(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)

    posted = pay(database, cash(school, family, "275.00", "275.00", tendered="300.00"))

    assert posted.change_due == D("25.00")
    assert posted.amount_tendered == D("300.00")
    assert posted.receipt_number == "MTL-2026-000001"
    assert posted.establishment.address_line == "4750, avenue Henri-Julien"
    assert posted.family_name == "Famille Tremblay"
    assert posted.payer_name == "Hélène Tremblay"
    assert [(a.invoice_id, a.amount, a.balance_after) for a in posted.allocations] == [
        (invoice, D("275.00"), D("0.00"))
    ]
    assert posted.credit_created == D("0.00")
    assert balance(database, invoice) == D("0.00")
    with database.read() as uow:
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "payment.post")
        ).one()
        assert event.actor_id == school.clerk_id
        assert json.loads(event.after_json)["receipt_number"] == "MTL-2026-000001"
    check_invariants(database)


def test_debit_over_two_invoices_pays_the_oldest_due_first(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    later = add_invoice(database, school, family, (("300.00", ""),), due_on=date(2027, 1, 15))
    older = add_invoice(database, school, family, (("250.00", ""),), due_on=date(2026, 10, 1))
    request = PaymentRequest(
        idempotency_key="debit-1",
        family_id=family,
        establishment_id=school.montreal_id,
        clerk_id=school.clerk_id,
        amount=D("400.00"),
        method=PaymentMethod.DEBIT,
        seen_balance=D("550.00"),
        card_last4="4242",
        authorization_number="A1B2C3",
    )

    posted = pay(database, request)

    assert [(a.invoice_id, a.amount) for a in posted.allocations] == [
        (older, D("250.00")),
        (later, D("150.00")),
    ]
    assert posted.card_brand == "Interac" and posted.card_last4 == "4242"
    assert posted.change_due is None
    assert balance(database, older) == D("0.00")
    assert balance(database, later) == D("150.00")


def test_an_amount_larger_than_all_invoices_leaves_a_family_credit(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    first = add_invoice(database, school, family, (("100.00", ""),), due_on=date(2026, 10, 1))
    second = add_invoice(database, school, family, (("200.00", ""),))

    posted = pay(database, cash(school, family, "350.00", "300.00"))

    assert posted.credit_created == D("50.00")
    assert posted.family_credit_after == D("50.00")
    with database.read() as uow:
        shown = statement(uow, family)
    assert shown.credit == D("50.00")
    assert shown.total_due == D("0.00")
    assert shown.net_balance == D("-50.00")
    assert {line.invoice_id: line.state for line in shown.invoices} == {
        first: "paid",
        second: "paid",
    }


def test_family_credit_is_left_only_as_the_clerk_agreed(database: Database, school: School) -> None:
    """The form says which credit the clerk agreed to: none, or exactly the one asked."""
    family = add_family(database, school)
    add_invoice(database, school, family)  # 275,00 $
    over = cash(school, family, "295.00", "275.00")

    for agreed in ("0.00", "19.99"):
        error = refused(
            database, dataclasses.replace(over, credit_accepted=D(agreed)), CreditNotAccepted
        )
        assert error.field == "amount"
        assert "20,00" in error.translated()
    posted = pay(database, dataclasses.replace(over, credit_accepted=D("20.00")))
    assert posted.credit_created == D("20.00") and credit(database, family) == D("20.00")
    exact = add_family(database, school, name="Gagnon")
    add_invoice(database, school, exact)
    paid = pay(database, cash(school, exact, "275.00", "275.00", tendered="295.00"))
    assert (paid.change_due, paid.credit_created) == (D("20.00"), D("0.00"))


def test_chosen_invoices_and_parts_are_respected(database: Database, school: School) -> None:
    family = add_family(database, school)
    older = add_invoice(database, school, family, (("100.00", ""),), due_on=date(2026, 10, 1))
    chosen = add_invoice(database, school, family, (("200.00", ""),))
    request = dataclasses.replace(
        cash(school, family, "150.00", "200.00"),
        invoices=(InvoiceChoice(chosen, D("120.00")),),
    )

    posted = pay(database, request)

    assert [(a.invoice_id, a.amount) for a in posted.allocations] == [(chosen, D("120.00"))]
    assert posted.credit_created == D("30.00")
    assert balance(database, older) == D("100.00")
    assert credit(database, family) == D("30.00")


def test_invoices_chosen_newest_first_are_paid_and_listed_in_that_order(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    first = add_invoice(database, school, family, (("100.00", ""),), due_on=date(2026, 10, 1))
    second = add_invoice(database, school, family, (("200.00", ""),))
    third = add_invoice(database, school, family, (("50.00", ""),))
    request = dataclasses.replace(
        cash(school, family, "330.00", "350.00"),
        invoices=(InvoiceChoice(third), InvoiceChoice(second), InvoiceChoice(first)),
    )

    posted = pay(database, request)

    # The allocations are written in the clerk's order (their ids follow it), and the
    # receipt, read back by id, lists them so.
    expected = [(third, D("50.00")), (second, D("200.00")), (first, D("80.00"))]
    assert [(a.invoice_id, a.amount) for a in posted.allocations] == expected
    with database.read() as uow:
        reread = payment_receipt(uow, posted.payment_id)
    assert [(a.invoice_id, a.amount) for a in reread.allocations] == expected
    assert [a.balance_after for a in reread.allocations] == [D("0.00"), D("0.00"), D("20.00")]
    check_invariants(database)


def test_certified_cheque_keeps_number_and_bank(database: Database, school: School) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    request = dataclasses.replace(
        cash(school, family, "275.00", "275.00"),
        method=PaymentMethod.CERTIFIED_CHEQUE,
        cheque_number="004512",
        cheque_bank="Desjardins",
    )

    posted = pay(database, request)

    assert (posted.cheque_number, posted.cheque_bank) == ("004512", "Desjardins")
    assert posted.amount_tendered is None


def test_credit_card_stores_brand_last4_and_authorization_only(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    request = dataclasses.replace(
        cash(school, family, "275.00", "275.00"),
        method=PaymentMethod.CREDIT_CARD,
        card_brand="Visa",
        card_last4="1111",
        authorization_number="083472",
    )

    posted = pay(database, request)

    with database.read() as uow:
        stored = uow.session.get(Payment, posted.payment_id)
        assert stored is not None
        assert (stored.card_brand, stored.card_last4, stored.authorization_number) == (
            "Visa",
            "1111",
            "083472",
        )


@pytest.mark.parametrize(
    "field", ["card_brand", "card_last4", "authorization_number", "cheque_number", "cheque_bank"]
)
def test_a_full_card_number_in_any_text_field_is_refused_and_never_stored(
    database: Database, school: School, field: str
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    request = dataclasses.replace(
        cash(school, family, "275.00", "275.00"),
        method=PaymentMethod.CREDIT_CARD,
        **{
            "card_brand": "Visa",
            "card_last4": "1111",
            "authorization_number": "083472",
            field: VISA_TEST_NUMBER,
        },
    )

    error = refused(database, request, CardNumberRefused)

    assert error.field == field
    assert "numéro complet" in error.translated()


@pytest.mark.parametrize("amount", ["0.00", "-10.00", "10.005"])
def test_zero_negative_or_sub_cent_amounts_are_refused(
    database: Database, school: School, amount: str
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)

    error = refused(database, cash(school, family, amount, "275.00"), InvalidAmount)

    assert error.field == "amount"


def test_cash_tendered_below_the_amount_is_refused(database: Database, school: School) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)

    error = refused(
        database, cash(school, family, "275.00", "275.00", tendered="200.00"), InvalidAmount
    )

    assert error.field == "amount_tendered"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"method": PaymentMethod.DEBIT, "authorization_number": "A1"}, "card_last4"),
        ({"method": PaymentMethod.DEBIT, "card_last4": "12"}, "card_last4"),
        ({"method": PaymentMethod.DEBIT, "card_last4": "1234"}, "authorization_number"),
        (
            {
                "method": PaymentMethod.CREDIT_CARD,
                "card_last4": "1234",
                "authorization_number": "9",
            },
            "card_brand",
        ),
        ({"method": PaymentMethod.CHEQUE, "cheque_bank": "BMO"}, "cheque_number"),
        ({"method": PaymentMethod.CERTIFIED_CHEQUE, "cheque_number": "12"}, "cheque_bank"),
    ],
)
def test_missing_method_details_are_refused(
    database: Database, school: School, changes: dict[str, object], field: str
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    request = dataclasses.replace(cash(school, family, "275.00", "275.00"), **changes)  # type: ignore[arg-type]

    assert refused(database, request, MissingPaymentDetail).field == field


def test_a_balance_that_changed_since_the_clerk_loaded_it_is_stale(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    pay(database, cash(school, family, "100.00", "275.00", invoices=(invoice,)))

    error = refused(
        database, cash(school, family, "275.00", "275.00", invoices=(invoice,)), StaleBalance
    )

    assert error.translated() == "Cette facture a changé : rechargez."
    set_language("en")
    assert error.translated() == "This invoice changed: reload."


def test_a_paid_invoice_cannot_be_chosen_again(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    pay(database, cash(school, family, "275.00", "275.00"))

    refused(
        database, cash(school, family, "10.00", "0.00", invoices=(invoice,)), InvoiceAlreadyPaid
    )


def test_over_allocation_is_refused(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    above_balance = dataclasses.replace(
        cash(school, family, "300.00", "275.00"), invoices=(InvoiceChoice(invoice, D("280.00")),)
    )
    above_payment = dataclasses.replace(
        cash(school, family, "100.00", "275.00"), invoices=(InvoiceChoice(invoice, D("150.00")),)
    )

    refused(database, above_balance, AmountExceedsBalance)
    error = refused(database, above_payment, AmountExceedsBalance)

    assert "150,00" in error.translated() and "100,00" in error.translated()


def test_unknown_inactive_clerk_or_other_familys_invoice_is_refused(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    other = add_family(database, school, "Gagnon")
    foreign = add_invoice(database, school, other)
    add_invoice(database, school, family)

    refused(database, cash(school, family, "1.00", "275.00", clerk_id=999), PermissionDenied)
    refused(
        database,
        cash(school, family, "1.00", "275.00", clerk_id=school.inactive_id),
        PermissionDenied,
    )
    refused(database, cash(school, family, "1.00", "275.00", invoices=(foreign,)), NotFound)


def test_a_retry_with_the_same_key_returns_the_same_payment(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    request = cash(school, family, "275.00", "275.00", key="form-42")
    first = pay(database, request)
    counts = row_counts(database)

    again = pay(database, request)

    assert again.replayed and not first.replayed
    assert (again.payment_id, again.receipt_number) == (first.payment_id, first.receipt_number)
    assert again.allocations == first.allocations
    assert row_counts(database) == counts


def test_the_same_key_with_different_content_is_a_conflict(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family)
    pay(database, cash(school, family, "100.00", "275.00", key="form-43"))

    refused(database, cash(school, family, "120.00", "275.00", key="form-43"), IdempotencyConflict)


def test_receipt_numbers_are_per_establishment_and_gapless(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family, (("1000.00", ""),))
    numbers = []
    for index, establishment in enumerate([school.montreal_id, school.quebec_id] * 2):
        request = dataclasses.replace(
            cash(school, family, "10.00", str(D("1000.00") - 10 * index)),
            establishment_id=establishment,
        )
        numbers.append(pay(database, request).receipt_number)
    # A refused request in between takes no number:
    refused(database, cash(school, family, "10.00", "1.00"), StaleBalance)
    numbers.append(pay(database, cash(school, family, "10.00", "960.00")).receipt_number)

    assert numbers == [
        "MTL-2026-000001",
        "QC-2026-000001",
        "MTL-2026-000002",
        "QC-2026-000002",
        "MTL-2026-000003",
    ]
    check_invariants(database)

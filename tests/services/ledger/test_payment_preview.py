"""The payment form's preview: the same split and the same seen balance as posting."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from registrar_tui.db import Database
from registrar_tui.models.base import PaymentMethod
from registrar_tui.services.core.errors import InvalidAmount, InvalidInput, NotFound
from registrar_tui.services.ledger.errors import StaleBalance
from registrar_tui.services.ledger.payment_preview import (
    PaymentPreview,
    build_payment_request,
    change_due,
    payment_preview,
    typed_payment_preview,
)
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest, post_payment
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    build_school,
    cash,
    row_counts,
)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def preview(
    db: Database,
    family_id: int,
    invoice_ids: tuple[int, ...],
    amount: str | None = None,
    tendered: str | None = None,
) -> PaymentPreview:
    with db.loose_read() as uow:  # as the payment screen reads it
        return payment_preview(
            uow,
            family_id,
            invoice_ids,
            None if amount is None else D(amount),
            None if tendered is None else D(tendered),
        )


def debit(school: School, family_id: int, amount: str, seen: str, ids: tuple[int, ...]):  # type: ignore[no-untyped-def]
    return PaymentRequest(
        idempotency_key=f"debit-{family_id}-{amount}",
        family_id=family_id,
        establishment_id=school.montreal_id,
        clerk_id=school.clerk_id,
        amount=D(amount),
        method=PaymentMethod.DEBIT,
        seen_balance=D(seen),
        invoices=tuple(InvoiceChoice(invoice_id) for invoice_id in ids),
        card_last4="4242",
        authorization_number="A12345",
    )


def test_cash_preview_proposes_the_balance_and_gives_change(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)

    shown = preview(database, family, (invoice,), tendered="300.00")

    assert shown.seen_balance == D("275.00")
    assert shown.default_amount == shown.amount == D("275.00")
    assert shown.family_name == "Famille Tremblay"
    assert [(line.balance, line.applied, line.balance_after) for line in shown.lines] == [
        (D("275.00"), D("275.00"), D("0.00"))
    ]
    assert shown.lines[0].description == "Frais de scolarité — automne 2026"
    assert shown.credit_created == D("0.00")
    assert shown.change_due == D("25.00")
    assert shown.tendered_short_by is None

    short = preview(database, family, (invoice,), tendered="200.00")
    assert short.change_due is None
    assert short.tendered_short_by == D("75.00")


def test_the_payment_form_s_figures_are_read_in_two_statements(
    database: Database, school: School
) -> None:
    """The family, then its invoices with their figures and descriptions: the form's
    preview is read again at each key typed in the amount, and before each post."""
    family = add_family(database, school)
    add_invoice(database, school, family)
    add_invoice(database, school, family, lines=(("100.00", ""),), description="Atelier de théâtre")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT"):
            statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        shown = preview(database, family, ())
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert sorted(line.description for line in shown.lines) == [
        "Atelier de théâtre",
        "Frais de scolarité — automne 2026",
    ]
    assert len(statements) == 2, statements


def test_preview_is_what_posting_then_does_over_two_invoices(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    later = add_invoice(database, school, family, due_on=date(2026, 12, 15))
    older = add_invoice(database, school, family, lines=(("100.00", ""),), due_on=date(2026, 10, 1))

    # In the order chosen (the statement lists the oldest due first); posting follows it too.
    shown = preview(database, family, (older, later), amount="400.00")
    assert shown.seen_balance == D("375.00")
    assert [(line.invoice_id, line.applied) for line in shown.lines] == [
        (older, D("100.00")),
        (later, D("275.00")),
    ]
    assert shown.credit_created == D("25.00")
    assert shown.change_due is None

    with database.write() as uow:
        posted = post_payment(
            uow, debit(school, family, "400.00", str(shown.seen_balance), (older, later))
        )
    assert [(a.invoice_id, a.amount, a.balance_after) for a in posted.allocations] == [
        (line.invoice_id, line.applied, line.balance_after) for line in shown.lines
    ]
    assert posted.credit_created == shown.credit_created


def test_all_open_invoices_when_none_chosen(database: Database, school: School) -> None:
    family = add_family(database, school)
    first = add_invoice(database, school, family, due_on=date(2026, 10, 1))
    second = add_invoice(database, school, family, lines=(("50.00", ""),))

    shown = preview(database, family, (), amount="300.00")

    assert [line.invoice_id for line in shown.lines] == [first, second]
    assert shown.seen_balance == D("325.00")
    assert [line.applied for line in shown.lines] == [D("275.00"), D("25.00")]
    with database.write() as uow:
        posted = post_payment(uow, cash(school, family, "300.00", str(shown.seen_balance)))
    assert [a.amount for a in posted.allocations] == [D("275.00"), D("25.00")]


def test_a_concurrent_payment_changes_the_seen_balance(database: Database, school: School) -> None:
    """The form's seen balance goes stale when someone else pays; the reload gives the new one."""
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    seen = preview(database, family, (invoice,)).seen_balance

    with database.write() as uow:
        post_payment(uow, cash(school, family, "100.00", "275.00", invoices=(invoice,)))

    before = row_counts(database)
    with pytest.raises(StaleBalance), database.write() as uow:
        post_payment(uow, cash(school, family, "275.00", str(seen), invoices=(invoice,)))
    assert row_counts(database) == before

    reloaded = preview(database, family, (invoice,))
    assert reloaded.seen_balance == D("175.00")
    assert reloaded.default_amount == D("175.00")
    with database.write() as uow:
        posted = post_payment(
            uow, cash(school, family, "175.00", str(reloaded.seen_balance), invoices=(invoice,))
        )
    assert posted.allocations[0].balance_after == D("0.00")


def test_a_paid_invoice_is_shown_unpayable_and_takes_nothing(
    database: Database, school: School
) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)
    with database.write() as uow:
        post_payment(uow, cash(school, family, "275.00", "275.00", invoices=(invoice,)))

    shown = preview(database, family, (invoice,), amount="10.00")

    assert shown.seen_balance == D("0.00")
    assert not shown.lines[0].is_payable
    assert shown.lines[0].applied == D("0.00")
    assert shown.credit_created == D("10.00")


def test_refusals_name_their_field(database: Database, school: School) -> None:
    family = add_family(database, school)
    other = add_family(database, school, name="Gagnon")
    invoice = add_invoice(database, school, family)
    foreign = add_invoice(database, school, other)

    with pytest.raises(InvalidAmount) as zero:
        preview(database, family, (invoice,), amount="0")
    assert zero.value.field == "amount"
    with pytest.raises(InvalidAmount) as sub_cent:
        preview(database, family, (invoice,), tendered="10.001")
    assert sub_cent.value.field == "amount_tendered"
    with pytest.raises(NotFound) as not_ours:
        preview(database, family, (foreign,))
    assert not_ours.value.field == "invoices"
    with pytest.raises(NotFound):
        preview(database, 999_999, ())


def test_change_due_helper() -> None:
    assert change_due(D("275.00"), D("300.00")) == D("25.00")
    assert change_due(D("275.00"), D("275.00")) == D("0.00")
    assert change_due(D("275.00"), None) is None
    assert change_due(D("275.00"), D("274.99")) is None
    assert isinstance(change_due(D("1"), D("2.5")), Decimal)


def test_preview_is_frozen(database: Database, school: School) -> None:
    family = add_family(database, school)
    shown = preview(database, family, ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.amount = D("1.00")  # type: ignore[misc]


def _request(method: str, **texts: str) -> PaymentRequest:
    return build_payment_request(
        idempotency_key="k" * 32,
        family_id=1,
        establishment_id=1,
        actor_id=1,
        method=method,
        seen_balance=D("275.00"),
        invoice_ids=(7, 3),
        texts=texts,
        language="fr_CA",
    )


def test_the_form_sends_only_the_chosen_method_fields() -> None:
    typed = {
        "amount": "1 275,50 $",
        "amount_tendered": "1 300",
        "card_last4": "4242",
        "authorization_number": "A1",
        "cheque_number": "12",
        "cheque_bank": "Desjardins",
    }
    cash_request = _request("cash", **typed)
    assert (cash_request.amount, cash_request.amount_tendered) == (D("1275.50"), D("1300.00"))
    assert cash_request.card_last4 is None and cash_request.cheque_bank is None
    assert [choice.invoice_id for choice in cash_request.invoices] == [7, 3]
    debit_request = _request("debit", **typed)
    assert debit_request.method is PaymentMethod.DEBIT and debit_request.amount_tendered is None
    assert (debit_request.card_last4, debit_request.authorization_number) == ("4242", "A1")
    assert debit_request.card_brand is None and debit_request.cheque_number is None
    cheque_request = _request("certified_cheque", **typed)
    assert (cheque_request.cheque_number, cheque_request.cheque_bank) == ("12", "Desjardins")
    assert _request("cash", amount="275").amount_tendered is None  # exactly the amount


def test_an_unreadable_amount_is_refused_next_to_its_box() -> None:
    with pytest.raises(InvalidInput) as amount:
        _request("cash", amount="deux cents")
    assert amount.value.field == "amount"
    with pytest.raises(InvalidInput) as tendered:
        _request("cash", amount="275", amount_tendered="3,001")
    assert tendered.value.field == "amount_tendered"


def typed(
    db: Database, family_id: int, invoice_ids: tuple[int, ...], amount: str, tendered: str | None
) -> PaymentPreview:
    with db.loose_read() as uow:  # as the payment screen reads it
        return typed_payment_preview(uow, family_id, invoice_ids, amount, tendered, "fr_CA")


def test_a_field_that_cannot_be_read_blanks_what_depends_on_it(
    database: Database, school: School
) -> None:
    """Never the split of an earlier value: the figures are None and the refusal says why."""
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)  # 275,00 $

    unreadable = typed(database, family, (invoice,), "1e9", "")
    assert [error.field for error in unreadable.refusals] == ["amount"]
    assert "« 1e9 » n'est pas un montant" in unreadable.refusals[0].translated()
    assert unreadable.amount is None and unreadable.credit_created is None
    assert not unreadable.leaves_credit and unreadable.change_due is None
    [line] = unreadable.lines
    assert (line.balance, line.applied, line.balance_after) == (D("275.00"), None, None)
    assert unreadable.seen_balance == D("275.00")

    too_much = typed(database, family, (invoice,), "275", "99999999")
    assert [error.field for error in too_much.refusals] == ["amount_tendered"]
    assert too_much.lines[0].applied == D("275.00")  # the amount itself is fine
    assert (too_much.change_due, too_much.tendered_short_by) == (None, None)

    for amount in ("", "0", "12,345"):
        assert [e.field for e in typed(database, family, (invoice,), amount, None).refusals] == [
            "amount"
        ]


def test_typed_amounts_preview_as_posting_reads_them(database: Database, school: School) -> None:
    family = add_family(database, school)
    invoice = add_invoice(database, school, family)

    exact = typed(database, family, (invoice,), "275,00", "")
    assert (exact.change_due, exact.credit_created, exact.refusals) == (D("0.00"), D("0.00"), ())
    change = typed(database, family, (invoice,), "275", "295")
    assert (change.change_due, change.credit_created) == (D("20.00"), D("0.00"))
    assert not change.leaves_credit
    credit_left = typed(database, family, (invoice,), "295", None)  # a card: no tendered cash
    assert (credit_left.credit_created, credit_left.change_due) == (D("20.00"), None)
    assert credit_left.leaves_credit

"""Bank deposits (scenario 17): what can be deposited, the count of the cash, locking,
gapless numbers, no payment twice, a void after the deposit taken back once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Deposit, DepositItem, DepositStatus
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.ledger import denominations, deposits
from registrar_tui.services.ledger.credit import refund_credit
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.denominations import (
    DenominationCountMismatch,
    InvalidDenominationCount,
    read_denomination_counts,
)
from registrar_tui.services.ledger.deposits import (
    DepositNotPrepared,
    DepositPaymentVoided,
    NothingToDeposit,
    PaymentNotDepositable,
    abandon_deposit,
    depositable,
    list_deposits,
    make_deposit,
    prepare_deposit,
)
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

# 300 cash + 40 cash = 340: three hundreds, two twenties.
COUNT_340 = {D("100.00"): 3, D("20.00"): 2}


@pytest.fixture
def school(database: Database) -> School:
    database.clock = ticking_clock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), timedelta(minutes=1))
    return build_school(database)


def cheque(
    school: School, family: int, amount: str, seen: str, number: str, certified: bool = False
):  # type: ignore[no-untyped-def]
    return dataclasses.replace(
        cash(school, family, amount, seen),
        method=PaymentMethod.CERTIFIED_CHEQUE if certified else PaymentMethod.CHEQUE,
        cheque_number=number,
        cheque_bank="Desjardins",
    )


def week(db: Database, school: School, counted: Decimal = D("340.00")) -> dict[str, int]:
    """The clerk takes 300 cash, 40 cash, a 100 cheque, a 250 certified cheque, 400 debit
    and a 50 cash payment voided the same day, then closes (counting `counted` cash, the
    340 expected by default); clerk2's 999 cash is in a drawer still open."""
    family = add_family(db, school)
    add_invoice(db, school, family, (("3000.00", ""),))
    with db.write() as uow:
        big = post_payment(uow, cash(school, family, "300.00", "3000.00", tendered="320.00"))
        small = post_payment(uow, cash(school, family, "40.00", "2700.00"))
        plain = post_payment(uow, cheque(school, family, "100.00", "2660.00", "000123"))
        certified = post_payment(
            uow, cheque(school, family, "250.00", "2560.00", "987", certified=True)
        )
        debit = dataclasses.replace(
            cash(school, family, "400.00", "2310.00"),
            method=PaymentMethod.DEBIT,
            card_last4="4242",
            authorization_number="77",
        )
        post_payment(uow, debit)
        wrong = post_payment(uow, cash(school, family, "50.00", "1910.00"))
        post_payment(uow, cash(school, family, "999.00", "1860.00", clerk_id=school.clerk2_id))
    with db.write() as uow:
        void_payment(uow, wrong.payment_id, "Erreur de montant", school.registrar_id)
    with db.write() as uow:
        close_day(uow, school.clerk_id, school.montreal_id, counted)
    return {
        "family": family,
        "big": big.payment_id,
        "small": small.payment_id,
        "cheque": plain.payment_id,
        "certified": certified.payment_id,
    }


def prepare(db: Database, school: School, counts: dict[Decimal, int] = COUNT_340):  # type: ignore[no-untyped-def]
    with db.read() as uow:
        ids = depositable(uow, school.registrar_id, school.montreal_id).payment_ids
    with db.write() as uow:
        return prepare_deposit(uow, school.registrar_id, school.montreal_id, ids, counts)


def test_depositable_is_the_cash_and_cheques_of_closed_drawers(
    database: Database, school: School
) -> None:
    ids = week(database, school)

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
        elsewhere = depositable(uow, school.registrar_id, school.quebec_id)

    assert set(found.payment_ids) == {ids["big"], ids["small"], ids["cheque"], ids["certified"]}
    assert [line.method for line in found.payments][:2] == [PaymentMethod.CASH] * 2
    assert (found.cash_total, found.cheque_total, found.total) == (
        D("340.00"),
        D("350.00"),
        D("690.00"),
    )
    assert found.adjustments == ()
    assert elsewhere.payments == () and elsewhere.total == 0


def test_a_clerk_cannot_see_or_prepare_deposits(database: Database, school: School) -> None:
    week(database, school)
    with database.read() as uow, pytest.raises(PermissionDenied):
        depositable(uow, school.clerk_id, school.montreal_id)
    with database.write() as uow, pytest.raises(PermissionDenied):
        prepare_deposit(uow, school.clerk_id, school.montreal_id, (), COUNT_340)


def test_a_count_that_does_not_match_the_cash_is_refused(
    database: Database, school: School
) -> None:
    week(database, school)

    with pytest.raises(DenominationCountMismatch) as refused:
        prepare(database, school, {D("100.00"): 3, D("20.00"): 1})

    assert refused.value.field == "counts"
    assert "320,00" in refused.value.translated() and "340,00" in refused.value.translated()
    with database.read() as uow:
        assert uow.session.exec(select(Deposit)).all() == []
        assert uow.session.exec(select(DepositItem)).all() == []


def test_typed_counts_are_read_and_summed_without_the_screen_adding() -> None:
    count = read_denomination_counts({D("100.00"): "3", D("20.00"): " 2 ", D("0.05"): ""})

    assert count.total == D("340.00")
    assert [(line.denomination, line.quantity) for line in count.lines] == [
        (D("100.00"), 3),
        (D("20.00"), 2),
    ]
    for wrong in ("-1", "2,5", "deux", "1e3"):
        with pytest.raises(InvalidDenominationCount):
            read_denomination_counts({D("5.00"): wrong})
    with pytest.raises(InvalidDenominationCount):
        denominations.count_denominations({D("3.00"): 1})


def test_prepare_then_make_locks_the_deposit_and_its_payments(
    database: Database, school: School
) -> None:
    ids = week(database, school)

    prepared = prepare(database, school)
    assert prepared.status is DepositStatus.PREPARED
    assert prepared.number == "MTL-DEP-0001"
    assert [(line.denomination, line.quantity) for line in prepared.cash_lines] == [
        (D("100.00"), 3),
        (D("20.00"), 2),
    ]
    assert [line.cheque_number for line in prepared.cheques] == ["000123", "987"]
    with database.write() as uow:
        made = make_deposit(uow, school.registrar_id, prepared.deposit_id)
    assert made.status is DepositStatus.MADE and made.made_by_name == "Registrar Test"

    # Locked: never made twice, never abandoned, its payments in no other deposit.
    with database.write() as uow, pytest.raises(DepositNotPrepared):
        make_deposit(uow, school.registrar_id, prepared.deposit_id)
    with database.write() as uow, pytest.raises(DepositNotPrepared):
        abandon_deposit(uow, school.admin_id, prepared.deposit_id)
    with database.read() as uow:
        assert depositable(uow, school.registrar_id, school.montreal_id).payments == ()
    with database.write() as uow, pytest.raises(PaymentNotDepositable):
        prepare_deposit(uow, school.admin_id, school.montreal_id, (ids["big"],), {D("100.00"): 3})
    with database.write() as uow, pytest.raises(NothingToDeposit):
        prepare_deposit(uow, school.admin_id, school.montreal_id, (), {})
    with database.read() as uow:
        actions = uow.session.exec(
            select(AuditEvent.action).where(col(AuditEvent.entity_type) == "deposit")
        ).all()
        listed = list_deposits(uow, school.registrar_id, school.montreal_id)
    assert actions == ["deposit.prepare", "deposit.make"]
    assert [(row.number, row.status, row.payment_count, row.total) for row in listed] == [
        ("MTL-DEP-0001", DepositStatus.MADE, 4, D("690.00"))
    ]


def test_a_payment_never_goes_into_two_deposits(database: Database, school: School) -> None:
    """Two registrars prepare from the same list: the second is refused clearly."""
    week(database, school)
    with database.read() as uow:
        seen = depositable(uow, school.registrar_id, school.montreal_id).payment_ids

    with database.write() as uow:
        prepare_deposit(uow, school.registrar_id, school.montreal_id, seen, COUNT_340)
    with database.write() as uow, pytest.raises(PaymentNotDepositable):
        prepare_deposit(uow, school.admin_id, school.montreal_id, seen, COUNT_340)


def test_the_unique_constraint_catches_a_race_the_check_missed(
    database: Database, school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if the other registrar's deposit committed between our read and our insert."""
    week(database, school)
    with database.read() as uow:
        stale = deposits._open_payments(uow, school.montreal_id)
    prepare(database, school)
    monkeypatch.setattr(deposits, "_open_payments", lambda uow, establishment_id: stale)

    with pytest.raises(PaymentNotDepositable), database.write() as uow:
        prepare_deposit(
            uow,
            school.admin_id,
            school.montreal_id,
            tuple(line.payment_id for line in stale),
            COUNT_340,
        )
    with database.read() as uow:
        assert len(uow.session.exec(select(Deposit)).all()) == 1


def test_numbers_are_gapless_and_an_abandoned_deposit_frees_its_payments(
    database: Database, school: School
) -> None:
    week(database, school)

    first = prepare(database, school)
    with database.write() as uow:
        abandoned = abandon_deposit(uow, school.registrar_id, first.deposit_id)
    assert abandoned.status is DepositStatus.ABANDONED and abandoned.payments == ()
    second = prepare(database, school)

    assert (first.number, second.number) == ("MTL-DEP-0001", "MTL-DEP-0002")
    assert len(second.payments) == 4
    with database.read() as uow:
        numbers = uow.session.exec(select(Deposit.number).order_by(col(Deposit.id))).all()
    assert numbers == [1, 2]


def test_a_void_before_the_deposit_is_made_refuses_making_it(
    database: Database, school: School
) -> None:
    ids = week(database, school)
    prepared = prepare(database, school)
    with database.write() as uow:
        void_payment(
            uow, ids["small"], "Erreur", school.registrar_id, override_reason="Erreur de famille"
        )

    with database.write() as uow, pytest.raises(DepositPaymentVoided):
        make_deposit(uow, school.registrar_id, prepared.deposit_id)


def test_a_void_after_the_deposit_shows_once_on_the_next_one(
    database: Database, school: School
) -> None:
    ids = week(database, school)
    first = prepare(database, school)
    with database.write() as uow:
        make_deposit(uow, school.registrar_id, first.deposit_id)
    with database.write() as uow:
        void_payment(
            uow, ids["small"], "Erreur", school.registrar_id, override_reason="Erreur de famille"
        )
    family = ids["family"]
    with database.write() as uow:
        post_payment(uow, cash(school, family, "100.00", "951.00"))
    with database.write() as uow:
        close_day(uow, school.clerk_id, school.montreal_id, D("60.00"))

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
    assert [(a.payment_id, a.amount, a.original_deposit_number) for a in found.adjustments] == [
        (ids["small"], D("-40.00"), "MTL-DEP-0001")
    ]
    assert found.cash_total == D("60.00")  # 100 received − 40 given back
    with pytest.raises(DenominationCountMismatch):
        prepare(database, school, {D("100.00"): 1})
    second = prepare(database, school, {D("50.00"): 1, D("10.00"): 1})
    assert [a.amount for a in second.adjustments] == [D("-40.00")]
    assert second.cash_total == D("60.00") and second.total == D("60.00")
    with database.write() as uow:
        make_deposit(uow, school.registrar_id, second.deposit_id)

    # Taken back once: nothing left for a third deposit.
    with database.read() as uow:
        after = depositable(uow, school.registrar_id, school.montreal_id)
    assert after.adjustments == () and after.payments == ()


def test_a_cash_refund_from_a_closed_drawer_comes_off_the_cash_once(
    database: Database, school: School
) -> None:
    """The registrar hands 10 $ of credit back in cash from their drawer, then closes it:
    the cash taken to the bank is 10 $ less, and only on one deposit."""
    week(database, school)
    family = add_family(database, school, "Roy")
    with database.write() as uow:
        post_payment(uow, cash(school, family, "30.00", "0.00", clerk_id=school.registrar_id))
    with database.write() as uow:
        refund_credit(
            uow, family, school.montreal_id, D("10.00"), RefundMethod.CASH, "Trop payé",
            school.registrar_id,
        )  # fmt: skip
    with database.read() as uow:
        before_close = depositable(uow, school.registrar_id, school.montreal_id)
    assert before_close.adjustments == ()  # the registrar's drawer is still open
    with database.write() as uow:
        close_day(uow, school.registrar_id, school.montreal_id, D("20.00"))

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
    [refund] = found.adjustments
    assert refund.is_refund and refund.amount == D("-10.00") and refund.payment_id is None
    assert found.cash_total == D("360.00")  # 300 + 40 + 30 − 10
    made = prepare(database, school, {D("100.00"): 3, D("20.00"): 3})
    assert [a.refund_id for a in made.adjustments] == [refund.refund_id]
    with database.write() as uow:
        make_deposit(uow, school.registrar_id, made.deposit_id)
    with database.read() as uow:
        assert depositable(uow, school.registrar_id, school.montreal_id).adjustments == ()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE deposit SET cash_total_cents = 0",
        "UPDATE deposit SET status = 'prepared'",
        "DELETE FROM deposit_item",
        "UPDATE deposit_item SET amount_cents = 1",
        "DELETE FROM deposit_cash_count",
        "DELETE FROM deposit",
    ],
)
def test_the_database_refuses_to_change_a_made_deposit(
    database: Database, school: School, statement: str
) -> None:
    week(database, school)
    made = prepare(database, school)
    with database.write() as uow:
        make_deposit(uow, school.registrar_id, made.deposit_id)

    with pytest.raises(DBAPIError, match="locked"), database.write() as uow:
        uow.session.execute(text(statement))
    with database.read() as uow:
        assert uow.session.exec(select(Deposit.status)).all() == [DepositStatus.MADE]
        assert len(uow.session.exec(select(DepositItem)).all()) == 4

"""Deposits start on a day chosen once per establishment, and a day close's over/short
(counted − expected cash) goes once into the next deposit: its cash is what the drawers
held, the slip says by how much each close was short or over."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, DepositOverShort, Establishment
from registrar_tui.services.documents.deposit import deposit_slip_pdf
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.denominations import DenominationCountMismatch
from registrar_tui.services.ledger.deposit_start import (
    DepositsAlreadyStarted,
    DepositsNotStarted,
    start_deposits,
)
from registrar_tui.services.ledger.deposits import (
    abandon_deposit,
    depositable,
    make_deposit,
    prepare_deposit,
)
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger.test_deposits import COUNT_340, week
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    build_school,
    cash,
    ticking_clock,
)

# 335 counted for 340 expected: three hundreds, a twenty, a ten, a five.
COUNT_335 = {D("100.00"): 3, D("20.00"): 1, D("10.00"): 1, D("5.00"): 1}


@pytest.fixture
def school(database: Database) -> School:
    database.clock = ticking_clock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), timedelta(minutes=1))
    return build_school(database)


def _unstart(db: Database, establishment_id: int) -> None:
    with db.write() as uow:
        site = uow.session.get_one(Establishment, establishment_id)
        site.deposits_start_on = None
        uow.session.add(site)


def _ids(db: Database, school: School) -> tuple[int, ...]:
    with db.read() as uow:
        return depositable(uow, school.registrar_id, school.montreal_id).payment_ids


def test_nothing_is_offered_until_the_first_day_of_deposits_is_chosen(
    database: Database, school: School
) -> None:
    _unstart(database, school.montreal_id)
    week(database, school)

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
    assert found.starts_on is None
    assert (found.payments, found.total) == ((), D("0.00"))
    with database.write() as uow, pytest.raises(DepositsNotStarted):
        prepare_deposit(uow, school.registrar_id, school.montreal_id, (), COUNT_340)

    with database.write() as uow:
        start_deposits(uow, school.registrar_id, school.montreal_id, date(2026, 11, 23))
    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
        event = uow.session.exec(
            select(AuditEvent.entity_id).where(col(AuditEvent.action) == "deposit.start")
        ).one()
    assert found.starts_on == date(2026, 11, 23)
    assert (found.cash_total, found.cheque_total) == (D("340.00"), D("350.00"))
    assert event == school.montreal_id


def test_payments_before_the_first_day_are_never_offered(
    database: Database, school: School
) -> None:
    _unstart(database, school.montreal_id)
    family = add_family(database, school)
    add_invoice(database, school, family, (("1000.00", ""),))
    with database.write() as uow:
        # Received on 22 November, banked before the school used deposits.
        post_payment(uow, cash(school, family, "70.00", "1000.00"))
    database.clock = ticking_clock(datetime(2026, 11, 24, 13, 0, tzinfo=UTC), timedelta(minutes=1))
    with database.write() as uow:
        recent = post_payment(uow, cash(school, family, "30.00", "930.00"))
        close_day(uow, school.clerk_id, school.montreal_id, D("100.00"))
    with database.write() as uow:
        start_deposits(uow, school.registrar_id, school.montreal_id, date(2026, 11, 24))

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
    assert found.payment_ids == (recent.payment_id,)
    assert found.cash_total == D("30.00")


def test_the_first_day_never_changes_once_a_deposit_exists(
    database: Database, school: School
) -> None:
    week(database, school)
    with database.write() as uow:
        # Before the first deposit the date may be corrected.
        start_deposits(uow, school.admin_id, school.montreal_id, date(2026, 11, 1))
    with database.write() as uow:
        prepared = prepare_deposit(
            uow, school.registrar_id, school.montreal_id, _ids(database, school), COUNT_340
        )
    with database.write() as uow:
        abandon_deposit(uow, school.registrar_id, prepared.deposit_id)

    with database.write() as uow, pytest.raises(DepositsAlreadyStarted) as refused:
        start_deposits(uow, school.registrar_id, school.montreal_id, date(2026, 11, 23))
    assert "2026" in refused.value.translated()
    with database.read() as uow:
        assert uow.session.get_one(Establishment, school.montreal_id).deposits_start_on == date(
            2026, 11, 1
        )


def test_a_short_day_close_deposits_the_cash_counted(database: Database, school: School) -> None:
    # The clerk counted 335 $ for the 340 $ expected.
    week(database, school, counted=D("335.00"))

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
    assert [line.amount for line in found.over_short] == [D("-5.00")]
    assert found.over_short[0].counted_cash == D("335.00")
    assert found.over_short[0].clerk_name == "Clerk Test"
    assert (found.cash_total, found.total) == (D("335.00"), D("685.00"))
    # The count of the payments (340 $) is not what is in the bag.
    with pytest.raises(DenominationCountMismatch), database.write() as uow:
        prepare_deposit(uow, school.registrar_id, school.montreal_id, found.payment_ids, COUNT_340)

    with database.write() as uow:
        prepared = prepare_deposit(
            uow, school.registrar_id, school.montreal_id, found.payment_ids, COUNT_335
        )
    assert prepared.cash_total == D("335.00")
    assert [line.amount for line in prepared.over_short] == [D("-5.00")]
    with database.write() as uow:
        make_deposit(uow, school.registrar_id, prepared.deposit_id)
    with database.read() as uow:
        slip = deposit_slip_pdf(uow, school.registrar_id, prepared.deposit_id)
        after = depositable(uow, school.registrar_id, school.montreal_id)
        taken = [(row.deposit_id, row.amount) for row in uow.session.exec(select(DepositOverShort))]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(slip.pdf)).pages)
    assert "Écarts de caisse" in text and "Manque" in text and "-5,00" in text
    assert "335,00" in text
    # Taken once: the next deposit does not carry it again.
    assert after.over_short == () and after.cash_total == D("0.00")
    assert taken == [(prepared.deposit_id, D("-5.00"))]


def test_a_surplus_comes_back_with_an_abandoned_deposit(database: Database, school: School) -> None:
    family = add_family(database, school)
    add_invoice(database, school, family, (("500.00", ""),))
    with database.write() as uow:
        paid = post_payment(uow, cash(school, family, "40.00", "500.00"))
        # 2 $ more in the drawer than the receipts say.
        close_day(uow, school.clerk_id, school.montreal_id, D("42.00"))
    with database.write() as uow:
        prepared = prepare_deposit(
            uow, school.registrar_id, school.montreal_id, (paid.payment_id,), {D("2.00"): 21}
        )
    assert prepared.cash_total == D("42.00")
    assert [line.amount for line in prepared.over_short] == [D("2.00")]
    with database.write() as uow:
        abandon_deposit(uow, school.registrar_id, prepared.deposit_id)

    with database.read() as uow:
        found = depositable(uow, school.registrar_id, school.montreal_id)
    assert [line.amount for line in found.over_short] == [D("2.00")]
    assert found.cash_total == D("42.00")

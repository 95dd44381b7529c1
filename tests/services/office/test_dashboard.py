"""The office dashboard's figures (issue #16 part 5), computed by hand from a seeded month:
payments over several days (one at night, one voided, one before the window), two
drawers (one closed today, one open), invoices in every age bucket, requests of every age.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import ChangeRequest, InvoiceLine, ReenrolmentRequest, StaffUser, Student
from registrar_tui.models.base import ChangeTarget, PaymentMethod, ReenrolmentKind, RequestStatus
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.interchange.ageing import receivables_ageing
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.office.dashboard import OfficeDashboard, office_dashboard
from tests.conftest import FIXED_NOW
from tests.services.ledger_data import D, School, add_family, add_invoice, build_school, cash

TODAY = date(2026, 11, 23)  # FIXED_NOW, 14:30 UTC: 9:30 at the school (UTC−5)


def _at(database: Database, instant: datetime) -> None:
    database.clock = lambda: instant


def _utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def seed_month(database: Database) -> School:
    """The month the figures below are computed from (see each comment)."""
    _at(database, _utc(10, 1, 12))
    school = build_school(database)
    payer = add_family(database, school, "Tremblay")
    add_invoice(database, school, payer, (("2000.00", ""),))  # due 12-15: not yet due
    owed = D("2000.00")

    def pay(
        when: datetime, amount: str, method: PaymentMethod = PaymentMethod.CASH, **extra: object
    ) -> int:
        nonlocal owed
        _at(database, when)
        request = dataclasses.replace(
            cash(school, payer, amount, str(owed)), method=method, **extra
        )
        with database.write() as uow:
            posted = post_payment(uow, request)
        owed -= D(amount)
        return posted.payment_id

    pay(_utc(10, 20, 15), "10.00")  # before the 30 days (10-25 .. 11-23)
    pay(_utc(10, 30, 15), "40.00")  # in the 30 days, not in November
    pay(_utc(11, 20, 15), "100.00")
    pay(
        _utc(11, 20, 16), "200.00", PaymentMethod.DEBIT, card_last4="4242", authorization_number="7"
    )
    # 03:00 UTC on the 22nd is 22:00 on the 21st at the school: the 21st's receipt.
    pay(_utc(11, 22, 3), "50.00", PaymentMethod.CHEQUE, cheque_number="12", cheque_bank="RBC")
    pay(_utc(11, 23, 13), "300.00")
    wrong = pay(_utc(11, 23, 13, 5), "70.00")
    _at(database, _utc(11, 23, 13, 10))
    with database.write() as uow:
        void_payment(uow, wrong, "Erreur de montant", school.registrar_id)
    owed += D("70.00")
    pay(
        _utc(11, 23, 13, 20),
        "25.00",
        PaymentMethod.CREDIT_CARD,
        card_last4="1111",
        card_brand="Visa",
        authorization_number="8",
        clerk_id=school.clerk2_id,
    )
    # The clerk closes the drawer at 9:00; clerk2's stays open (one payment).
    _at(database, _utc(11, 23, 14))
    with database.write() as uow:
        close_day(uow, school.clerk_id, school.montreal_id, D("370.00"))

    # Another family owes in each bucket past due (as at 11-23).
    late = add_family(database, school, "Gagnon")
    add_invoice(database, school, late, (("100.00", ""),), due_on=date(2026, 11, 13))  # 10 days
    add_invoice(  # 39 days
        database,
        school,
        late,
        (("45.00", ""),),
        issued_on=date(2026, 9, 1),
        due_on=date(2026, 10, 15),
    )
    declined = add_invoice(  # 83 days; the 20,00 $ contribution declined
        database,
        school,
        late,
        (("80.00", ""), ("20.00", "voluntary")),
        issued_on=date(2026, 8, 15),
        due_on=date(2026, 9, 1),
    )
    add_invoice(  # 145 days
        database,
        school,
        late,
        (("60.00", ""),),
        issued_on=date(2026, 6, 1),
        due_on=date(2026, 7, 1),
    )
    with database.write() as uow:
        line = uow.session.exec(
            select(InvoiceLine.id).where(
                col(InvoiceLine.invoice_id) == declined, col(InvoiceLine.is_voluntary)
            )
        ).one()
        assert line is not None
        decline_contribution(uow, line, school.clerk_id)

    # Requests waiting, by age at FIXED_NOW: 1 hour, exactly 2 days, exactly 7 days,
    # 8 days (changes); 10 days (a re-enrolment); one decided change (not waiting).
    with database.write() as uow:
        student_id = uow.session.exec(
            select(Student.id).where(col(Student.family_id) == late)
        ).one()
        assert student_id is not None
        for age in (timedelta(hours=1), timedelta(days=2), timedelta(days=7), timedelta(days=8)):
            uow.session.add(
                ChangeRequest(
                    family_id=late,
                    target_kind=ChangeTarget.STUDENT,
                    target_id=student_id,
                    submitted_at=FIXED_NOW - age,
                )
            )
        uow.session.add(
            ChangeRequest(
                family_id=late,
                target_kind=ChangeTarget.STUDENT,
                target_id=student_id,
                submitted_at=FIXED_NOW - timedelta(days=30),
                status=RequestStatus.APPROVED,
                decided_at=FIXED_NOW - timedelta(days=29),
            )
        )
        uow.session.add(
            ReenrolmentRequest(
                family_id=late,
                student_id=student_id,
                term_id=school.term_id,
                kind=ReenrolmentKind.ADMINISTRATIVE,
                submitted_at=FIXED_NOW - timedelta(days=10),
            )
        )
    _at(database, FIXED_NOW)
    return school


@pytest.fixture
def dashboard(database: Database) -> Callable[[int | None], OfficeDashboard]:
    school = seed_month(database)

    def read(actor_id: int | None = None) -> OfficeDashboard:
        with database.read() as uow:
            return office_dashboard(uow, actor_id or school.registrar_id)

    return read


def test_receipts_per_day_over_thirty_days_with_empty_days(
    dashboard: Callable[[int | None], OfficeDashboard],
) -> None:
    figures = dashboard(None)
    assert figures.today == TODAY
    days = {receipt.day: (receipt.count, receipt.amount) for receipt in figures.receipts}
    assert [receipt.day for receipt in figures.receipts] == [
        date(2026, 10, 25) + timedelta(days=n) for n in range(30)
    ]
    assert days[date(2026, 10, 30)] == (1, D("40.00"))
    assert days[date(2026, 11, 20)] == (2, D("300.00"))
    assert days[date(2026, 11, 21)] == (1, D("50.00"))  # paid at 22:00 local
    assert days[date(2026, 11, 22)] == (0, D("0.00"))
    assert days[TODAY] == (2, D("325.00"))  # 300 cash + 25 card; the voided 70 is not
    assert sum(count for count, _amount in days.values()) == 6
    assert sum(amount for _count, amount in days.values()) == D("715.00")
    # In 64 steps of the busiest day (325 $): 300 → 59.08, 50 → 9.85, 40 → 7.88.
    heights = dict(zip((r.day for r in figures.receipts), figures.bar_heights(64), strict=True))
    assert figures.busiest_day == D("325.00")
    assert (heights[TODAY], heights[date(2026, 11, 20)], heights[date(2026, 11, 21)]) == (
        64,
        59,
        10,
    )
    assert (heights[date(2026, 10, 30)], heights[date(2026, 11, 22)]) == (8, 0)


def test_totals_by_method_today_and_this_month(
    dashboard: Callable[[int | None], OfficeDashboard],
) -> None:
    figures = dashboard(None)
    by_method = {
        total.method: (total.today_count, total.today_amount, total.month_count, total.month_amount)
        for total in figures.methods
    }
    assert list(by_method) == list(PaymentMethod)
    assert by_method[PaymentMethod.CASH] == (1, D("300.00"), 2, D("400.00"))
    assert by_method[PaymentMethod.DEBIT] == (0, D("0.00"), 1, D("200.00"))
    assert by_method[PaymentMethod.CHEQUE] == (0, D("0.00"), 1, D("50.00"))
    assert by_method[PaymentMethod.CREDIT_CARD] == (1, D("25.00"), 1, D("25.00"))
    assert by_method[PaymentMethod.ONLINE] == (0, D("0.00"), 0, D("0.00"))
    assert (figures.today_total, figures.month_total) == (D("325.00"), D("675.00"))


def test_receivables_by_the_ageing_buckets(
    database: Database, dashboard: Callable[[int | None], OfficeDashboard]
) -> None:
    owed = dashboard(None).receivables
    # 2000 − 10 − 40 − 100 − 200 − 50 − 300 − 25 (the voided 70 back) = 1 275 not yet due.
    assert (owed.not_yet_due, owed.days_0_30, owed.days_31_60, owed.days_61_90, owed.over_90) == (
        D("1275.00"),
        D("100.00"),
        D("45.00"),
        D("80.00"),
        D("60.00"),
    )
    with database.read() as uow:
        ageing = receivables_ageing(uow, TODAY).totals
    assert owed.total == ageing.total == D("1560.00")
    assert dataclasses.replace(ageing, credit=D("0.00")) == owed


def test_pending_requests_by_age(dashboard: Callable[[int | None], OfficeDashboard]) -> None:
    changes, reenrolments = dashboard(None).pending
    assert (changes.kind, changes.under_2_days, changes.days_2_to_7, changes.over_7_days) == (
        "change",
        1,
        2,
        1,
    )
    assert (reenrolments.kind, reenrolments.total, reenrolments.over_7_days) == (
        "reenrolment",
        1,
        1,
    )


def test_drawers_open_and_closed_today(
    dashboard: Callable[[int | None], OfficeDashboard],
) -> None:
    drawers = dashboard(None).drawers
    assert [
        (d.clerk_name, d.establishment_code, d.is_open, d.payments_since_close) for d in drawers
    ] == [("Clerk2 Test", "MTL", True, 1), ("Clerk Test", "MTL", False, 0)]
    assert drawers[0].last_closed_at is None
    assert drawers[1].last_closed_at == _utc(11, 23, 14)
    assert not any(drawer.is_online for drawer in drawers)


def test_reminders_sent_this_month_counts_the_letters(
    database: Database, dashboard: Callable[[int | None], OfficeDashboard]
) -> None:
    """One letter per family and sending, by the school's day: 31 October at 23:00 there
    (1 November, 03:00 UTC) is last month."""
    from registrar_tui.models import Family, ReminderLetter
    from registrar_tui.models.base import Language

    assert dashboard(None).reminders_this_month == 0
    with database.write() as uow:
        family_id = uow.session.exec(select(Family.id)).first()
        sender = uow.session.exec(select(StaffUser.id)).first()
        assert family_id is not None and sender is not None
        for number, sent_at in enumerate(
            (_utc(11, 1, 3), _utc(11, 1, 5), _utc(11, 23, 13)), start=1
        ):
            uow.session.add(
                ReminderLetter(
                    family_id=family_id,
                    level=1,
                    as_of=sent_at.date(),
                    sent_at=sent_at,
                    sent_by_id=sender,
                    language=Language.FRENCH,
                    total_overdue=D("10.00"),
                    filename=f"relance-{number}.pdf",
                    pdf=b"%PDF",
                )
            )
    assert dashboard(None).reminders_this_month == 2


def test_a_clerk_is_refused(
    database: Database, dashboard: Callable[[int | None], OfficeDashboard]
) -> None:
    with database.read() as uow:
        clerk_id = uow.session.exec(
            select(StaffUser.id).where(col(StaffUser.username) == "clerk")
        ).one()
    assert clerk_id is not None
    with pytest.raises(PermissionDenied):
        dashboard(clerk_id)

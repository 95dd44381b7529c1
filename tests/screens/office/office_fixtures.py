"""The office dashboard's world for the screen and snapshot tests: the counter world
(tests/screens/fixtures.py) plus a month of receipts, a closed drawer and requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.models import (
    ChangeRequest,
    DayClose,
    Establishment,
    Payment,
    PaymentMethod,
)
from registrar_tui.models.base import ChangeTarget
from tests.conftest import FIXED_NOW
from tests.screens.fixtures import Seeded, seed

D = Decimal
RECEIPTS = (
    # (days before FIXED_NOW, amount, method)
    (26, "30.00", PaymentMethod.CASH),
    (21, "40.00", PaymentMethod.DEBIT),
    (13, "120.00", PaymentMethod.CHEQUE),
    (6, "60.00", PaymentMethod.CASH),
    (3, "25.00", PaymentMethod.CREDIT_CARD),
    (0, "80.00", PaymentMethod.CASH),
    (0, "15.00", PaymentMethod.DEBIT),
)
"""Seven receipts of the Tremblay family taken by the clerk over the last 30 days."""


def seed_office(db: Database) -> Seeded:
    """The counter world, the month's receipts (the clerk's), the admin's drawer closed
    this morning, and three requests waiting: 1 hour, 3 days and 9 days old."""
    seeded = seed(db)
    with db.write() as uow:
        site = uow.session.exec(select(Establishment.id)).first()
        assert site is not None
        for number, (days, amount, method) in enumerate(RECEIPTS):
            card = method in (PaymentMethod.DEBIT, PaymentMethod.CREDIT_CARD)
            uow.session.add(
                Payment(
                    establishment_id=site,
                    family_id=seeded.tremblay_id,
                    clerk_id=seeded.clerk_id,
                    received_at=FIXED_NOW - timedelta(days=days, hours=1),
                    amount=D(amount),
                    method=method,
                    card_brand="Visa" if card else None,
                    card_last4="4242" if card else None,
                    authorization_number="123456" if card else None,
                    cheque_number="101" if method is PaymentMethod.CHEQUE else None,
                    cheque_bank="Desjardins" if method is PaymentMethod.CHEQUE else None,
                    tendered=D(amount) if method is PaymentMethod.CASH else None,
                    change=D("0.00") if method is PaymentMethod.CASH else None,
                    idempotency_key=f"office-{number}",
                    request_fingerprint=f"office-{number}",
                )
            )
        uow.session.add(
            Payment(
                establishment_id=site,
                family_id=seeded.tremblay_id,
                clerk_id=seeded.admin_id,
                received_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
                amount=D("10.00"),
                method=PaymentMethod.CASH,
                tendered=D("10.00"),
                change=D("0.00"),
                idempotency_key="office-admin",
                request_fingerprint="office-admin",
            )
        )
        uow.session.add(
            DayClose(
                establishment_id=site,
                clerk_id=seeded.admin_id,
                closed_by_id=seeded.admin_id,
                closed_at=datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
                expected_cash=D("10.00"),
                counted_cash=D("10.00"),
                discrepancy=D("0.00"),
            )
        )
        for age in (timedelta(hours=1), timedelta(days=3), timedelta(days=9)):
            uow.session.add(
                ChangeRequest(
                    family_id=seeded.tremblay_id,
                    target_kind=ChangeTarget.GUARDIAN,
                    target_id=1,
                    submitted_at=FIXED_NOW - age,
                )
            )
    return seeded

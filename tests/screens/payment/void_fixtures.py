"""Scenario 5's world: `fixtures.seed` plus one payment the clerk took from the Tremblays.

The clerk took 100,00 $ cash at the fixed "now" on the Tremblays' invoice (balance
275,00 $ → 175,00 $, their 25,00 $ credit untouched), receipt MTL-2026-000001. With
`closed=True` the clerk's drawer was closed right after: voiding then needs an override.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.db import Database
from registrar_tui.models import Family, PaymentMethod
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from tests import builders
from tests.screens.fixtures import Seeded, seed

AMOUNT = Decimal("100.00")


@dataclass(frozen=True)
class VoidWorld:
    seeded: Seeded
    establishment_id: int
    payment_id: int
    receipt_number: str


def seed_void(db: Database, *, closed: bool = False) -> VoidWorld:
    seeded = seed(db)
    with db.read() as uow:
        family = uow.session.get(Family, seeded.tremblay_id)
        assert family is not None
        site = family.establishment_id
    with db.write() as uow:
        posted = post_payment(
            uow,
            PaymentRequest(
                idempotency_key="scenario-5",
                family_id=seeded.tremblay_id,
                establishment_id=site,
                clerk_id=seeded.clerk_id,
                amount=AMOUNT,
                method=PaymentMethod.CASH,
                seen_balance=Decimal("275.00"),
                amount_tendered=AMOUNT,
            ),
        )
        builders.receipts_handed_over(uow)
    if closed:
        with db.write() as uow:
            close_day(uow, seeded.clerk_id, site, Decimal("100.00"))
    return VoidWorld(
        seeded=seeded,
        establishment_id=site,
        payment_id=posted.payment_id,
        receipt_number=posted.receipt_number,
    )

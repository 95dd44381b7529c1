"""A family owing 900,00 $ (scenario 16: « another family agrees to pay 900 $ in three
instalments »), on top of the shared counter world (`tests.screens.fixtures.seed`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.db import Database
from registrar_tui.models import Family, PaymentMethod
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from tests import builders
from tests.screens.fixtures import Seeded, seed


@dataclass(frozen=True)
class PlanWorld:
    seeded: Seeded
    family_id: int
    site_id: int


def seed_plan(db: Database) -> PlanWorld:
    seeded = seed(db)
    with db.write() as uow:
        site = uow.session.get_one(Family, seeded.tremblay_id).establishment_id
        family = builders.family(uow, site, number="F0000900", name="Gauthier", payer="Sylvie")
        builders.invoice(
            uow,
            family,
            site,
            number="FAC00000900",
            description="Session AUT-2026",
            lines=[builders.piano(Decimal("900.00"))],
        )
    return PlanWorld(seeded=seeded, family_id=family, site_id=site)


def pay_cash(db: Database, world: PlanWorld, amount: str, seen: str) -> str:
    """A cash payment at the counter (as the payment form posts it): its receipt number."""
    with db.write() as uow:
        posted = post_payment(
            uow,
            PaymentRequest(
                idempotency_key=uuid.uuid4().hex,
                family_id=world.family_id,
                establishment_id=world.site_id,
                clerk_id=world.seeded.clerk_id,
                amount=Decimal(amount),
                method=PaymentMethod.CASH,
                seen_balance=Decimal(seen),
                amount_tendered=Decimal(amount),
            ),
        )
    return posted.receipt_number

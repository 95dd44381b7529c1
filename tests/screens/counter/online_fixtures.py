"""The counter day of `counter_fixtures`, plus the portal's two online payments overnight
(the « en ligne » drawer of Montréal) and a registrar who signs in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from registrar_tui.db import Database
from registrar_tui.models import StaffUser
from registrar_tui.models.base import Role
from registrar_tui.services.ledger.online import OnlinePaymentReport, post_online_payment
from registrar_tui.services.staff.passwords import hash_password
from tests import builders
from tests.screens.counter.counter_fixtures import Counter, seed_counter
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.services.ledger_data import D

PORTAL_NAME = "Portail des familles"


def seed_online(db: Database) -> tuple[Counter, int]:
    """The counter day, the registrar's password, the portal's account and 275,00 $ then
    40,00 $ paid online by the Tremblay family. Returns the counter and the portal's id."""
    counter = seed_counter(db)
    with db.write() as uow:
        uow.session.execute(
            update(StaffUser)
            .where(StaffUser.username == REGISTRAR_USERNAME)  # type: ignore[arg-type]
            .values(password_hash=hash_password(REGISTRAR_PASSWORD))
        )
        portal = builders.staff(
            uow, None, username="portail", full_name=PORTAL_NAME, role=Role.PORTAL
        )
    payments = (("ch_3PqR7x-A", "275.00", 40), ("ch_3PqR7x-B", "40.00", 52))
    for transaction, amount, minute in payments:
        with db.write() as uow:
            post_online_payment(
                uow,
                OnlinePaymentReport(
                    portal_user_id=portal,
                    family_id=counter.tremblay_id,
                    processor_transaction_id=transaction,
                    authorization_number="OK7781",
                    card_brand="Visa",
                    card_last4="4242",
                    amount=D(amount),
                    paid_at=datetime(2026, 11, 23, 4, minute, tzinfo=UTC),
                ),
            )
            builders.receipts_handed_over(uow)
    return counter, portal

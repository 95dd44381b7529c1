"""A counter day for the day-close and receipts tests, posted through the real services.

The signed-in clerk (same credentials as `tests/screens/fixtures.py`) took, at MTL:

- Tremblay (invoice 1 000,00 $): 275,00 $ cash (300,00 tendered), 400,00 $ debit, and
  50,00 $ cash voided by the registrar ("Erreur de montant");
- Roy (no invoice): 30,00 $ cash, left as credit, of which the registrar refunded 10,00 $
  in cash (the registrar's drawer, not the clerk's);
- a family whose name looks like markup: 40,00 $ cash voided with a reason full of markup
  and a terminal escape.

So the clerk's drawer expects 305,00 $ cash (395 received − 90 voided) and 400,00 $ debit.
A second clerk took 12 payments from the Bouchard family (a second page of receipts).
Postings run on a clock ticking one minute from 13:00 UTC, before the fixed "now" (14:30).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import PaymentMethod, Role
from registrar_tui.models.base import RefundMethod
from registrar_tui.services.ledger.credit import refund_credit
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from registrar_tui.services.ledger.voids import void_payment
from tests import builders
from tests.passwords import hash_password
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME

MARKUP_FAMILY = "[b]Gagnon[/b]"
MARKUP_REASON = "[@click=app.quit]Erreur\x1b[31m rouge"
VOID_REASON = "Erreur de montant"
BOUCHARD_PAYMENTS = 12
D = Decimal


@dataclass(frozen=True)
class Counter:
    clerk_id: int
    establishment_id: int
    tremblay_id: int
    roy_id: int
    markup_id: int
    bouchard_id: int
    cash_payment_id: int
    debit_payment_id: int
    voided_payment_id: int
    markup_payment_id: int
    cash_receipt: str
    voided_receipt: str
    refund_receipt: str


def _staff(uow: UnitOfWork, username: str, name: str, role: Role, site: int) -> int:
    password_hash = hash_password(CLERK_PASSWORD) if username == CLERK_USERNAME else "x"
    return builders.staff(
        uow, site, username=username, full_name=name, role=role, password_hash=password_hash
    )


def seed_counter(db: Database, *, clerk_name: str = "Josée Lavoie") -> Counter:
    """Fill `db` (empty, migrated) with the counter day described in the module docstring."""
    fixed = db.clock
    start = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    ticks = iter(range(1, 10_000))
    db.clock = lambda: start + timedelta(minutes=next(ticks))
    try:
        return _seed(db, clerk_name)
    finally:
        db.clock = fixed


def _seed(db: Database, clerk_name: str) -> Counter:
    with db.write() as uow:
        site = builders.establishment(uow)
        clerk = _staff(uow, CLERK_USERNAME, clerk_name, Role.CLERK, site)
        clerk2 = _staff(uow, "clerk2", "Marc Côté", Role.CLERK, site)
        registrar = _staff(uow, "registrar", "Nadia Registraire", Role.REGISTRAR, site)
        tremblay, roy, markup, bouchard = (
            builders.family(
                uow, site, number=number, name=name, payer="Hélène", payer_last_name="Parent"
            )
            for number, name in (
                ("F0000001", "Famille Tremblay"),
                ("F0000002", "Famille Roy"),
                ("F0000003", MARKUP_FAMILY),
                ("F0000004", "Famille Bouchard"),
            )
        )
        for number, family_id, amount in (
            ("FAC00000001", tremblay, D("1000.00")),
            ("FAC00000002", markup, D("100.00")),
        ):
            builders.invoice(
                uow,
                family_id,
                site,
                number=number,
                description="Session AUT-2026",
                lines=[builders.piano(amount)],
            )

    def pay(family: int, amount: str, seen: str, **extra: object) -> PaymentRequest:
        request = PaymentRequest(
            idempotency_key=uuid.uuid4().hex,
            family_id=family,
            establishment_id=site,
            clerk_id=clerk,
            amount=D(amount),
            method=PaymentMethod.CASH,
            seen_balance=D(seen),
            amount_tendered=D(amount),
        )
        return dataclasses.replace(request, **extra)  # type: ignore[arg-type]

    with db.write() as uow:
        cash = post_payment(uow, pay(tremblay, "275.00", "1000.00", amount_tendered=D("300")))
        debit = post_payment(
            uow,
            pay(
                tremblay,
                "400.00",
                "725.00",
                method=PaymentMethod.DEBIT,
                amount_tendered=None,
                card_brand="Interac",
                card_last4="4242",
                authorization_number="A77",
            ),
        )
        wrong = post_payment(uow, pay(tremblay, "50.00", "325.00"))
        post_payment(uow, pay(roy, "30.00", "0.00"))
        markup_payment = post_payment(uow, pay(markup, "40.00", "100.00"))
    with db.write() as uow:
        void_payment(uow, wrong.payment_id, VOID_REASON, registrar)
    with db.write() as uow:
        void_payment(uow, markup_payment.payment_id, MARKUP_REASON, registrar)
    with db.write() as uow:
        refund = refund_credit(
            uow, roy, site, D("10.00"), RefundMethod.CASH, "Trop payé", registrar
        )
    with db.write() as uow:
        for _ in range(BOUCHARD_PAYMENTS):
            post_payment(uow, pay(bouchard, "5.00", "0.00", clerk_id=clerk2))
        builders.receipts_handed_over(uow)
    return Counter(
        clerk_id=clerk,
        establishment_id=site,
        tremblay_id=tremblay,
        roy_id=roy,
        markup_id=markup,
        bouchard_id=bouchard,
        cash_payment_id=cash.payment_id,
        debit_payment_id=debit.payment_id,
        voided_payment_id=wrong.payment_id,
        markup_payment_id=markup_payment.payment_id,
        cash_receipt=cash.receipt_number,
        voided_receipt=wrong.receipt_number,
        refund_receipt=refund.receipt_number,
    )

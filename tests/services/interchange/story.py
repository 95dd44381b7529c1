"""A family's November, told through the services: the worked example of docs/exports.md.

    09-01  FAC 1: SCOL1 250,00 + FOND 25,00 (voluntary), due 12-15
    11-02  FOND declined
    11-03  300,00 cash: 250,00 to FAC 1, 50,00 family credit
    11-04  that payment voided
    11-05  260,00 debit: 250,00 to FAC 1, 10,00 family credit
    11-06  FAC 2: SCOL1 100,00, due 11-20; the credit (10,00) applied to it; its fee waived
           (credit note): the 10,00 paid goes back to the credit
    11-07  the 10,00 credit refunded by cheque
    11-08  FAC 3: SCOL1 40,00, due 11-08; 11-09 cancelled (credit note)

Each step at 10:00 in Montréal (15:00 UTC), the three of 11-06 an hour apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from registrar_tui.db import Database
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.interchange.accounts import set_account
from registrar_tui.services.ledger.contributions import decline_contribution
from registrar_tui.services.ledger.credit import apply_credit, cancel_invoice, refund_credit
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.ledger.waivers import waive_fee
from tests import builders
from tests.services.ledger_data import School, add_family, add_invoice, build_school, cash


class SetClock:
    """A clock the story sets before each step."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Story:
    school: School
    family_id: int
    first_invoice_id: int
    cash_payment_id: int


def tell(db: Database) -> Story:
    clock = SetClock()
    db.clock = clock
    school = build_school(db)
    family = add_family(db, school)
    with db.write() as uow:
        set_account(uow, "fee", "SCOL*", "4100", school.admin_id)
        set_account(uow, "fee", "FOND", "4900", school.admin_id)
    first = add_invoice(db, school, family)
    with db.read() as uow:
        _scol, fond = builders.line_ids(uow, first)

    clock.now = at(2)
    with db.write() as uow:
        decline_contribution(uow, fond, school.clerk_id)
    clock.now = at(3)
    with db.write() as uow:
        paid = post_payment(uow, cash(school, family, "300.00", "250.00"))
    clock.now = at(4)
    with db.write() as uow:
        void_payment(uow, paid.payment_id, "Mauvaise famille", school.registrar_id)
    clock.now = at(5)
    debit = dataclasses.replace(
        cash(school, family, "260.00", "250.00"),
        method=PaymentMethod.DEBIT,
        card_last4="4242",
        authorization_number="A1B2",
    )
    with db.write() as uow:
        post_payment(uow, debit)

    second = add_invoice(
        db,
        school,
        family,
        (("100.00", ""),),
        issued_on=date(2026, 11, 6),
        due_on=date(2026, 11, 20),
    )
    clock.now = at(6, 15)
    with db.write() as uow:
        apply_credit(uow, second, school.clerk_id)
    clock.now = at(6, 16)
    with db.write() as uow:
        (line,) = builders.line_ids(uow, second)
        waive_fee(uow, line, "Geste commercial", school.registrar_id)
    clock.now = at(7)
    with db.write() as uow:
        refund_credit(
            uow,
            family,
            school.montreal_id,
            Decimal("10.00"),
            RefundMethod.CHEQUE,
            "Trop payé",
            school.registrar_id,
            cheque_number="5001",
        )
    third = add_invoice(
        db, school, family, (("40.00", ""),), issued_on=date(2026, 11, 8), due_on=date(2026, 11, 8)
    )
    clock.now = at(9)
    with db.write() as uow:
        cancel_invoice(uow, third, "Inscrit par erreur", school.registrar_id)
    return Story(school, family, first, paid.payment_id)

"""A few card payments made on the family portal overnight, posted through the service.

The demo's portal account (`portail`, Role.PORTAL, a password hash that matches nothing:
it never signs in) reports four payments the evening before the demo's "today"
(scenario 15), posted the next morning by `post_online_payment` as the API would: the
families' receipts tabs list them (« En ligne ») and the registrar's day close shows them
in the « en ligne » drawer (F4). The families are the first random ones that owe money,
so the same seed always gives the same payments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.demo.context import DEMO_TODAY
from registrar_tui.models import Family, ReceiptHandover, StaffUser
from registrar_tui.models.base import Language, Role
from registrar_tui.services.ledger.online import OnlinePaymentReport, post_online_payment
from registrar_tui.services.ledger.statement import invoice_figures

PORTAL_USERNAME = "portail"
PORTAL_NAME = "Portail des familles"
UNUSABLE_PASSWORD = "!portal-account-never-signs-in"
"""Not an Argon2 hash: `verify_password` matches no password against it."""
_SCHOOL_TIME = ZoneInfo("America/Toronto")
_SCRIPTED_FAMILIES = 4
_CANDIDATES = 200
# (minutes before midnight the parent paid, brand, last 4, what is paid: "all", "half",
# or "more" — the balance and 20 $ left as credit)
_PAYMENTS = (
    (20, "Visa", "4242", "all"),  # 23:40, as in scenario 15
    (95, "Mastercard", "5454", "all"),
    (130, "Amex", "0005", "half"),
    (200, "Visa", "1881", "more"),
)


def _owing_families(uow: UnitOfWork) -> list[tuple[int, Decimal]]:
    """The first random families that owe money, with their balance (oldest family first)."""
    family_ids = uow.session.exec(
        select(Family.id).order_by(col(Family.id)).offset(_SCRIPTED_FAMILIES).limit(_CANDIDATES)
    ).all()
    owing = []
    for family_id in family_ids:
        assert family_id is not None
        figures = invoice_figures(uow, family_id=family_id)
        balance = sum(
            (f.balance for f in figures if not f.is_cancelled and f.balance > 0), Decimal(0)
        )
        if balance > 0:
            owing.append((family_id, balance))
        if len(owing) == len(_PAYMENTS):
            break
    return owing


def _clock_at(instant: datetime) -> Callable[[], datetime]:
    return lambda: instant


def post_online_payments(uow: UnitOfWork) -> int:
    """Create the portal's account and post its overnight payments; returns how many."""
    # The demo's requests (demo/requests.py) name the same account: get or create it.
    portal = uow.session.exec(
        select(StaffUser).where(col(StaffUser.username) == PORTAL_USERNAME)
    ).first()
    if portal is None:
        portal = StaffUser(
            username=PORTAL_USERNAME,
            full_name=PORTAL_NAME,
            role=Role.PORTAL,
            password_hash=UNUSABLE_PASSWORD,
            establishment_id=None,
            language=Language.FRENCH,
            created_at=datetime(2024, 8, 1, 13, 0, tzinfo=_SCHOOL_TIME),
        )
        uow.session.add(portal)
        uow.session.flush()
    assert portal.id is not None
    midnight = datetime.combine(DEMO_TODAY, time(0, 0), tzinfo=_SCHOOL_TIME)
    posted = []
    for number, ((family_id, balance), spec) in enumerate(
        zip(_owing_families(uow), _PAYMENTS, strict=False), start=1
    ):
        minutes_before, brand, last4, part = spec
        amount = {
            "all": balance,
            "half": (balance / 2).quantize(Decimal("0.01")),
            "more": balance + Decimal("20.00"),
        }[part]
        # Reported at 7 h the next morning, a minute apart (after the drawers' midnight close).
        morning = midnight + timedelta(hours=7, minutes=number)
        report = OnlinePaymentReport(
            portal_user_id=portal.id,
            family_id=family_id,
            processor_transaction_id=f"ch_demo{DEMO_TODAY:%Y%m%d}{number:04d}",
            authorization_number=f"OK{4400 + number * 37}",
            card_brand=brand,
            card_last4=last4,
            amount=amount,
            paid_at=midnight - timedelta(minutes=minutes_before),
        )
        at_morning = dataclasses.replace(uow, clock=_clock_at(morning))
        posted.append(post_online_payment(at_morning, report).payment_id)
    # Handed over as the API would have right after posting (the bulk-loaded counter
    # payments have nothing pending either): the app does not redo them at its start.
    handed = midnight + timedelta(hours=8)
    uow.session.execute(
        update(ReceiptHandover)
        .where(col(ReceiptHandover.payment_id).in_(posted))
        .values(saved_at=handed, email_done_at=handed, completed_at=handed)
    )
    return len(posted)

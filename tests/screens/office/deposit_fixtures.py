"""A closed week at MTL for the deposit screen: the registrar signs in with the screens'
credentials; the week is `tests/services/ledger/test_deposits.py`'s (340 $ cash in a 300
and a 40, a 100 $ cheque n° 000123 and a 250 $ certified cheque n° 987, drawer closed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from registrar_tui.db import Database
from registrar_tui.models import StaffUser
from tests import builders
from tests.passwords import hash_password
from tests.screens.fixtures import REGISTRAR_PASSWORD
from tests.services.ledger.test_deposits import week
from tests.services.ledger_data import School, build_school, ticking_clock


def seed_deposits(db: Database, counted: Decimal = Decimal("340.00")) -> School:
    """The week, its drawer closed counting `counted` cash (340 $ expected)."""
    fixed = db.clock
    db.clock = ticking_clock(datetime(2026, 11, 20, 13, 0, tzinfo=UTC), timedelta(minutes=1))
    try:
        school = build_school(db)
        week(db, school, counted)
        with db.write() as uow:
            registrar = uow.session.get_one(StaffUser, school.registrar_id)
            registrar.password_hash = hash_password(REGISTRAR_PASSWORD)
            registrar.full_name = "Martine Côté"
            uow.session.add(registrar)
            builders.receipts_handed_over(uow)
    finally:
        db.clock = fixed
    return school

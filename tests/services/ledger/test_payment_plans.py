"""PostgreSQL plans a payment's statements once per connection, not at every payment.

The staging statement (payment, allocations, handover in one) was planned again at every
payment: its plan for the values at hand always looked cheaper than the general one.
Under 20 clerks that was half a millisecond of the server's time per payment for nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from registrar_tui.db import Database
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import add_family, build_school, cash, insert_invoice

PAYMENTS = 12  # psycopg prepares at the fifth; PostgreSQL compares plans from the sixth on


def test_a_counter_connection_plans_the_posting_once(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    school = build_school(database)
    family = add_family(database, school)
    with database.write() as uow:
        insert_invoice(uow, school, family, (("275.00", ""),), date(2026, 12, 15), date(2026, 9, 1))
    due = Decimal("275.00")
    for number in range(PAYMENTS):
        with database.write() as uow:
            post_payment(uow, cash(school, family, "10.00", str(due), key=f"form-{number}"))
        due -= Decimal("10.00")

    with database.engine.connect() as connection:  # the one the payments used: the pool's
        plans = connection.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE 'WITH new_payment AS%'"
            )
        ).all()
        mode = connection.execute(text("SHOW plan_cache_mode")).scalar_one()
    assert plans, "the staging statement is prepared on the counter's connection"
    assert all(custom == 0 and generic > 0 for generic, custom in plans), plans
    # Only the posting's own transaction: searches keep plans made for their values.
    assert mode == "auto"

"""Two registrars prepare the same deposit at the same moment: one deposit is made of
those payments, the other registrar is told clearly (PaymentNotDepositable), and no
payment is ever in two deposits, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.models import Deposit, DepositItem
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.deposits import (
    PaymentNotDepositable,
    depositable,
    prepare_deposit,
)
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    build_school,
    cash,
    ticking_clock,
)

ROUNDS = 8


def _race(database: Database, school: School, seen: tuple[int, ...]) -> list[str]:
    """The registrar and the admin prepare from the same list, released together."""
    barrier = threading.Barrier(2)
    results: list[str] = []

    def registrar(actor_id: int) -> None:
        barrier.wait(timeout=30)
        try:
            with database.write() as uow:
                view = prepare_deposit(uow, actor_id, school.montreal_id, seen, {D("20.00"): 1})
            results.append("prepared:" + view.number)
        except PaymentNotDepositable:
            results.append("refused")
        except Exception as error:  # reported by the test's assertion
            results.append(f"error:{type(error).__name__}:{error}")

    threads = [
        threading.Thread(target=registrar, args=(actor,))
        for actor in (school.registrar_id, school.admin_id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def test_two_registrars_preparing_at_once_never_share_a_payment(database: Database) -> None:
    database.clock = ticking_clock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), timedelta(seconds=5))
    school = build_school(database)
    family = add_family(database, school)
    add_invoice(database, school, family, (("5000.00", ""),))
    outcomes: list[list[str]] = []
    due = D("5000.00")
    for _round in range(ROUNDS):
        with database.write() as uow:
            post_payment(uow, cash(school, family, "20.00", str(due)))
        due -= D("20.00")
        with database.write() as uow:
            close_day(uow, school.clerk_id, school.montreal_id, D("20.00"))
        with database.read() as uow:
            seen = depositable(uow, school.registrar_id, school.montreal_id).payment_ids
        outcomes.append(_race(database, school, seen))

    for number, outcome in enumerate(outcomes, start=1):
        assert outcome == [f"prepared:MTL-DEP-{number:04d}", "refused"], outcome
    with database.read() as uow:
        deposits = uow.session.exec(select(func.count()).select_from(Deposit)).one()
        items = uow.session.exec(select(func.count()).select_from(DepositItem)).one()
    assert (deposits, items) == (ROUNDS, ROUNDS)

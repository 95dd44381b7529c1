"""Two clerks, two processes, one invoice (scenario 4): never a double payment.

Both processes read the balance, meet at a barrier, then pay the invoice in full at the
same moment: exactly one succeeds, the other gets StaleBalance ("this invoice changed,
reload"), and no "database is locked" ever reaches the caller.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.models import Payment, Receipt
from registrar_tui.services.ledger.errors import StaleBalance
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.statement import statement
from tests.conftest import fixed_clock
from tests.services.ledger_data import School, add_family, build_school, cash, insert_invoice

SQLITE_ROUNDS = 200
POSTGRES_ROUNDS = 50


def _clerk(url: str, school: School, clerk_id: int, barrier: Any, pipe: Connection) -> None:
    """A counter terminal: for each family sent, read its balance, wait, pay it in full."""
    db = Database.open(url, clock=fixed_clock)
    while (family_id := pipe.recv()) is not None:
        with db.read() as uow:
            seen = statement(uow, family_id).total_due
        request = cash(school, family_id, str(seen), str(seen), clerk_id=clerk_id)
        barrier.wait(timeout=30)
        try:
            with db.write() as uow:
                outcome = "paid:" + post_payment(uow, request).receipt_number
        except StaleBalance:
            outcome = "stale"
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error:{type(error).__name__}:{error}"
        pipe.send(outcome)
    db.dispose()


def _race(database: Database, rounds: int) -> list[list[str]]:
    school = build_school(database)
    families = [add_family(database, school, f"Course-{n}") for n in range(rounds)]
    with database.write() as uow:
        for family in families:
            insert_invoice(uow, school, family, (("275.00", ""),), *_dates())
    database.engine.dispose()  # no pooled connection crosses the fork

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    pipes, workers = [], []
    for clerk_id in (school.clerk_id, school.clerk2_id):
        ours, theirs = context.Pipe()
        worker = context.Process(
            target=_clerk, args=(database.url, school, clerk_id, barrier, theirs), daemon=True
        )
        worker.start()
        pipes.append(ours)
        workers.append(worker)
    outcomes = []
    try:
        for family in families:
            for pipe in pipes:
                pipe.send(family)
            outcomes.append(sorted(pipe.recv() for pipe in pipes))
    finally:
        for pipe in pipes:
            pipe.send(None)
        for worker in workers:
            worker.join(timeout=30)
    return outcomes


def _dates() -> tuple[Any, Any]:
    from datetime import date

    return date(2026, 12, 15), date(2026, 9, 1)


def test_exactly_one_of_two_simultaneous_payments_succeeds(database: Database) -> None:
    rounds = SQLITE_ROUNDS if database.backend == "sqlite" else POSTGRES_ROUNDS

    outcomes = _race(database, rounds)

    errors = [outcome for pair in outcomes for outcome in pair if outcome.startswith("error")]
    assert errors == [], errors[:3]
    assert all(pair[0].startswith("paid:") and pair[1] == "stale" for pair in outcomes), outcomes
    with database.read() as uow:
        assert uow.session.exec(select(func.count()).select_from(Payment)).one() == rounds
        numbers = sorted(uow.session.exec(select(Receipt.number)).all())
    assert numbers == [f"MTL-2026-{n:06d}" for n in range(1, rounds + 1)]

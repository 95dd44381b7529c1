"""Many clerks posting at the same instant on a fresh database: the chains never fork.

Each process pays its own families (no family lock in common; half of them as the payment
screen does, committing with the posting's last statement), all starting at a
barrier: the establishment's first receipt, the ledger's first link and the audit
trail's first event are all taken by a race, then every later payment of each process
races the others' again (their invoices share a due date: the dashboard's running sum
too), and so do the API's audit backlog writing a batch of calls and a write of one
audited event. Afterwards: every payment posted once, receipt numbers gapless from 1,
every chain verifies, one audit event per payment, per call and per single write.
"""

from __future__ import annotations

import multiprocessing
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, LedgerLink, Payment, Receipt
from registrar_tui.services.audit.record import record_event, record_events
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.payments import post_payment
from tests.conftest import fixed_clock
from tests.services.ledger_data import School, add_family, build_school, cash, insert_invoice

CLERKS = 6
ROUNDS = 4
"""Payments per clerk after the first (each on a family of its own, with an invoice)."""


def _clerk(url: str, school: School, barrier: Any, pipe: Connection, one_call: bool) -> None:
    """A counter: pays each (family, amount, seen) it is sent at the barrier, says how; as
    the payment screen does (`one_call`: the transaction commits with the posting's last
    statement), or in a unit of work that could go on."""
    db = Database.open(url, clock=fixed_clock)
    while (job := pipe.recv()) is not None:
        family_id, amount, seen = job
        request = cash(school, family_id, amount, seen)
        barrier.wait(timeout=60)
        try:
            with db.write(one_call=one_call) as uow:
                outcome = "paid:" + post_payment(uow, request).receipt_number
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error:{type(error).__name__}:{error}"
        pipe.send(outcome)
    db.dispose()


def _api_audit(url: str, school: School, barrier: Any, pipe: Connection) -> None:
    """The API's audit backlog: a batch of AUDIT_BATCH calls at each barrier."""
    db = Database.open(url, clock=fixed_clock)
    while pipe.recv() is not None:
        calls = [
            (school.clerk_id, "api.call", "api_client", n, {}, {"path": f"/v1/{n}"})
            for n in range(AUDIT_BATCH)
        ]
        barrier.wait(timeout=60)
        try:
            with db.write() as uow:
                record_events(uow, calls)
            outcome = "audited"
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error:{type(error).__name__}:{error}"
        pipe.send(outcome)
    db.dispose()


def _one_event(url: str, school: School, barrier: Any, pipe: Connection) -> None:
    """An audited write of one event (a change request, a receipt's handover) at each
    barrier: `record_event`, its own way to the chain's lock and last link."""
    db = Database.open(url, clock=fixed_clock)
    while pipe.recv() is not None:
        barrier.wait(timeout=60)
        try:
            with db.write() as uow:
                record_event(uow, school.clerk_id, "race.event", "family", None, {}, {"n": 1})
            outcome = "audited"
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"error:{type(error).__name__}:{error}"
        pipe.send(outcome)
    db.dispose()


AUDIT_BATCH = 20


def _families(database: Database, school: School) -> tuple[list[int], list[list[int]]]:
    """One family without invoices per clerk, then ROUNDS families with an invoice each."""
    first = [add_family(database, school, f"Premier-{n}") for n in range(CLERKS)]
    later = [
        [add_family(database, school, f"Suite-{n}-{r}") for n in range(CLERKS)]
        for r in range(ROUNDS)
    ]
    with database.write() as uow:
        for families in later:
            for family in families:
                insert_invoice(
                    uow, school, family, (("275.00", ""),), date(2026, 12, 15), date(2026, 9, 1)
                )
    return first, later


def _chains_are_empty(database: Database) -> bool:
    with database.read() as uow:
        counts = [
            uow.session.exec(select(func.count()).select_from(model)).one()
            for model in (Receipt, AuditEvent)
        ]
    return counts == [0, 0]


def test_simultaneous_first_payments_keep_every_chain_whole(database: Database) -> None:
    school = build_school(database)
    first, later = _families(database, school)
    assert _chains_are_empty(database)
    # Some chain links exist already (the invoices); the race below starts with the
    # first receipt and the first audit event, lock rows created by whoever comes first.
    with database.write() as uow:
        uow.session.execute(text("DELETE FROM number_sequence"))
    database.engine.dispose()  # no pooled connection crosses the fork

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(CLERKS + 2)
    pipes, workers = [], []
    clerk_kinds: list[tuple[Any, tuple[bool, ...]]] = [
        (_clerk, (n % 2 == 0,)) for n in range(CLERKS)
    ]
    for target, more in [*clerk_kinds, (_api_audit, ()), (_one_event, ())]:
        ours, theirs = context.Pipe()
        worker = context.Process(
            target=target, args=(database.url, school, barrier, theirs, *more), daemon=True
        )
        worker.start()
        pipes.append(ours)
        workers.append(worker)
    clerks, auditors = pipes[:CLERKS], pipes[CLERKS:]
    outcomes: list[str] = []
    audited: list[str] = []
    try:
        for families, amount, seen in [(first, "20.00", "0.00")] + [
            (families, "275.00", "275.00") for families in later
        ]:
            for pipe, family in zip(clerks, families, strict=True):
                pipe.send((family, amount, seen))
            for auditor in auditors:
                auditor.send("go")
            outcomes += [pipe.recv() for pipe in clerks]
            audited += [auditor.recv() for auditor in auditors]
    finally:
        for pipe in pipes:
            pipe.send(None)
        for worker in workers:
            worker.join(timeout=30)

    payments = CLERKS * (1 + ROUNDS)
    assert [o for o in outcomes if not o.startswith("paid:")] == []
    assert audited == ["audited"] * 2 * (1 + ROUNDS)
    assert sorted(o.removeprefix("paid:") for o in outcomes) == [
        f"MTL-2026-{n:06d}" for n in range(1, payments + 1)
    ]
    with database.read() as uow:
        session = uow.session
        assert session.exec(select(func.count()).select_from(Payment)).one() == payments
        paid_families = session.exec(select(Payment.family_id).distinct()).all()
        assert len(paid_families) == payments
        numbers = session.exec(select(Receipt.number).order_by(col(Receipt.id))).all()
        # The chain's order is the numbers' order: each receipt follows the one before.
        assert numbers == [f"MTL-2026-{n:06d}" for n in range(1, payments + 1)]
        events = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.action) == "payment.post")
        ).one()
        assert events == payments
        calls = session.exec(
            select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "api.call")
        ).one()
        assert calls == AUDIT_BATCH * (1 + ROUNDS)
        single = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.action) == "race.event")
        ).one()
        assert single == 1 + ROUNDS
        positions = list(
            session.exec(select(LedgerLink.position).order_by(col(LedgerLink.position)))
        )
        assert positions == list(range(1, len(positions) + 1))
        report = verify_chains(uow)
        assert report.ok, [link.describe() for link in report.breaks]

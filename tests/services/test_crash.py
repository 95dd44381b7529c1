"""A terminal killed in the middle of posting payments leaves no half-written payment.

A child process posts payments as fast as it can on the application's own SQLite
settings (WAL, synchronous=FULL, BEGIN IMMEDIATE) and is killed with SIGKILL at a
random moment, 100 times. After each kill: every payment has all its rows (allocations,
receipt, audit event) or none, receipt numbers stay gapless, the chains verify, and
`PRAGMA integrity_check` is ok.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
import uuid
from pathlib import Path

from registrar_tui.db import Database
from registrar_tui.migrate import upgrade
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.payments import post_payment
from tests.conftest import fixed_clock
from tests.services.ledger_data import School, add_family, add_invoice, build_school, cash

KILLS = 100
BROKEN_PAYMENTS = """
SELECT p.id FROM payment p
WHERE NOT EXISTS (SELECT 1 FROM receipt r WHERE r.payment_id = p.id)
   OR NOT EXISTS (SELECT 1 FROM audit_event e
                  WHERE e.entity_type = 'payment' AND e.entity_id = p.id
                    AND e.action = 'payment.post')
   OR (SELECT coalesce(sum(a.amount_cents), 0) FROM allocation a WHERE a.payment_id = p.id)
      > p.amount_cents
UNION ALL
SELECT r.id FROM receipt r WHERE r.payment_id IS NULL AND r.refund_id IS NULL
"""


def _poster(path: str, school: School, family_id: int, started: object) -> None:
    """Post small cash payments forever (oldest invoice first, the rest as credit)."""
    db = Database.open(path, clock=fixed_clock)
    first = True
    while True:
        with db.read() as uow:
            from registrar_tui.services.ledger.statement import statement

            due = statement(uow, family_id).total_due
        with db.write() as uow:
            post_payment(uow, cash(school, family_id, "7.00", str(due), key=uuid.uuid4().hex))
        if first:
            started.set()  # type: ignore[attr-defined]
            first = False


def test_payments_survive_sigkill_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    upgrade(str(path))
    db = Database.open(str(path), clock=fixed_clock)
    school = build_school(db)
    family = add_family(db, school)
    add_invoice(db, school, family, (("100000.00", ""),))
    db.dispose()
    context = multiprocessing.get_context("fork")
    chance = random.Random(2026)
    posted_before = 0

    for kill in range(KILLS):
        started = context.Event()
        child = context.Process(target=_poster, args=(str(path), school, family, started))
        child.start()
        assert started.wait(timeout=30), "the child never posted"
        time.sleep(chance.uniform(0, 0.03))
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join(timeout=10)
        assert child.exitcode == -signal.SIGKILL

        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert raw.execute(BROKEN_PAYMENTS).fetchall() == [], f"after kill {kill}"
            numbers = [row[0] for row in raw.execute("SELECT number FROM receipt ORDER BY id")]
            posted = raw.execute("SELECT count(*) FROM payment").fetchone()[0]
        raw.close()
        assert numbers == [f"MTL-2026-{n:06d}" for n in range(1, len(numbers) + 1)]
        assert posted == len(numbers) > posted_before
        posted_before = posted

    db = Database.open(str(path), clock=fixed_clock)
    with db.read() as uow:
        assert verify_chains(uow).ok
    db.dispose()

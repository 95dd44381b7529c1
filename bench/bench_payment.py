"""Counter payment: post a cash payment and build its receipt PDF, on the 50,000-family base.

For 100 families with an open balance (seeded sample), the clerk's view is read first
(untimed, like the statement on screen), then timed: `post_payment` in its write unit of
work (payment, allocations, gapless receipt number, hash chain, audit event, commit) and
`receipt_pdf` (read the receipt back, render it with reportlab). p50 and p95 in ms.

SQLite runs on a copy of the benchmark file (the payments would otherwise pile up in it);
PostgreSQL runs on the benchmark database itself (100 more payments each run).

Target (issue #17, part 6): post + receipt PDF ≤ 20 ms at p95, on SQLite and on PostgreSQL
(issue #3 asked ≤ 100 ms).

    .venv/bin/python -m bench --only payment [--pg URL]
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

PAYMENTS = 100
SEED = 2026
TARGET_MS = 20.0


def _percentiles(times_ms: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times_ms, n=100, method="inclusive")
    return statistics.median(times_ms), cuts[94]


def _open_families(db: object, count: int) -> list[int]:
    from sqlalchemy import select

    from registrar_tui.db import Database
    from registrar_tui.models import Family

    assert isinstance(db, Database)
    with db.read() as uow:
        ids = list(uow.session.execute(select(Family.id)).scalars())
    random.Random(SEED).shuffle(ids)
    chosen: list[int] = []
    from registrar_tui.services.ledger.statement import statement

    for family_id in ids:
        with db.read() as uow:
            if statement(uow, family_id).total_due > 0:
                chosen.append(family_id)
        if len(chosen) == count:
            break
    return chosen


def _measure(db_url: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from registrar_tui.db import Database
    from registrar_tui.models import Establishment, PaymentMethod, Role, StaffUser
    from registrar_tui.reports.documents import CopyKind
    from registrar_tui.services.documents.build import receipt_pdf
    from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
    from registrar_tui.services.ledger.statement import statement

    db = Database.open(db_url)
    try:
        with db.read() as uow:
            clerk = (
                uow.session.execute(select(StaffUser).where(StaffUser.role == Role.CLERK))  # type: ignore[arg-type]
                .scalars()
                .first()
            )
            establishment_id = uow.session.execute(select(Establishment.id)).scalars().first()
            assert clerk is not None and clerk.id is not None and establishment_id is not None
            clerk_id = clerk.id
        families = _open_families(db, PAYMENTS + 5)
        posting: list[float] = []
        rendering: list[float] = []
        total: list[float] = []
        for index, family_id in enumerate(families):
            with db.read() as uow:
                seen = statement(uow, family_id).total_due
            request = PaymentRequest(
                idempotency_key=uuid.uuid4().hex,
                family_id=family_id,
                establishment_id=establishment_id,
                clerk_id=clerk_id,
                amount=seen,
                method=PaymentMethod.CASH,
                seen_balance=seen,
                amount_tendered=seen + Decimal("20.00"),
            )
            started = time.perf_counter()
            with db.write(one_call=True) as uow:  # as the payment screen posts
                posted = post_payment(uow, request)
            posted_at = time.perf_counter()
            with db.read() as uow:
                document = receipt_pdf(uow, posted.payment_id, copy=CopyKind.ORIGINAL)
            done = time.perf_counter()
            assert document.pdf.startswith(b"%PDF")
            if index < 5:
                continue  # warm-up: first reportlab use loads fonts and styles
            posting.append((posted_at - started) * 1000)
            rendering.append((done - posted_at) * 1000)
            total.append((done - started) * 1000)
    finally:
        db.dispose()
    p50, p95 = _percentiles(total)
    verdict = "ok" if p95 <= TARGET_MS else f"TOO SLOW, target ≤ {TARGET_MS:.0f} ms"
    post50, post95 = _percentiles(posting)
    pdf50, pdf95 = _percentiles(rendering)
    return [
        (
            f"payment: post + receipt PDF, {len(total)} cash payments",
            f"p50 {p50:.1f} ms · p95 {p95:.1f} ms ({verdict})",
        ),
        (
            "payment: post_payment alone (commit included)",
            f"p50 {post50:.1f} ms · p95 {post95:.1f} ms",
        ),
        ("payment: receipt_pdf alone", f"p50 {pdf50:.1f} ms · p95 {pdf95:.1f} ms"),
    ]


def run(db_url: str) -> list[tuple[str, str]]:
    if not db_url.startswith("sqlite:///"):
        return _measure(db_url)
    source = Path(db_url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(prefix="bench-payment-") as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        return _measure(f"sqlite:///{copy}")

"""Many clerks on one database: 20 clerk processes posting cash payments at once.

Each process is a counter: for a family drawn from a shared pool of 40 (so that two
clerks often pay the same family at once), it reads the payment preview as the payment
screen does (`typed_payment_preview` in a loose read: each statement on its own), builds
the request from what was typed (`build_payment_request`, a new idempotency key per
payment, as the form opening), posts it (`post_payment` in a write unit of work that is
that one call, as the screen's `Backend.write`: it commits with the posting's last
statement) and hands the receipt over (`hand_over_receipt` with the payment posted: the
PDF saved, no printer), exactly as screens/payment/screen.py calls them. A StaleBalance
refusal (another clerk paid the same invoices in between) is what a clerk sees: the
preview is read again and the payment posted again, same key.

The clock starts once every clerk is ready, as at a counter where the program is already
running: its modules imported, the database opened, the receipt fonts loaded, its
start-up heap frozen as the program's is (one process's start costs about 1.5 s of CPU;
20 of them would otherwise be counted as 30 s of payments on 2 cores).

Reported per backend: payments/s, p50/p95 of the post (the write transaction) and of the
post with its receipt handover, the StaleBalance refusals; afterwards, on the copy: the
payments posted equal the payments answered (0 double, 0 lost), receipt numbers gapless
per establishment, `verify` clean.

PostgreSQL runs on a copy of the benchmark database (`CREATE DATABASE … TEMPLATE`),
SQLite on a copy of the benchmark file (WAL), for comparison: one writer at a time.

Target (issue #17): ≥ 100 payments/s on PostgreSQL, p95 ≤ 150 ms, on 2 cores.

    .venv/bin/python -m bench --only clerks [--pg URL] [--no-sqlite]
    REGISTRAR_BENCH_CLERKS=20 REGISTRAR_BENCH_CLERK_PAYMENTS=200   (the defaults)
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

CLERKS = int(os.environ.get("REGISTRAR_BENCH_CLERKS", "20"))
PAYMENTS = int(os.environ.get("REGISTRAR_BENCH_CLERK_PAYMENTS", "200"))
POOL = 40
SEED = 2026
AMOUNT = "1,00"
RETRIES = 20
READY_TIMEOUT_S = 300


@dataclass
class ClerkResult:
    posted: int = 0
    replayed: int = 0
    stale: int = 0
    post_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _pool(url: str) -> tuple[list[int], list[int]]:
    """Families with at least 100,00 $ due (a shared pool, drawn with the seed), and the
    active clerks and registrars."""
    from sqlmodel import col, select

    from registrar_tui.db import Database
    from registrar_tui.models import Family, StaffUser
    from registrar_tui.models.base import Role
    from registrar_tui.services.ledger.statement import statement

    db = Database.open(url)
    try:
        with db.read() as uow:
            ids = [int(i) for i in uow.session.exec(select(Family.id)).all() if i is not None]
            clerks = uow.session.exec(
                select(StaffUser.id)
                .where(
                    col(StaffUser.is_active).is_(True),
                    col(StaffUser.role).in_([Role.CLERK, Role.REGISTRAR]),
                )
                .order_by(col(StaffUser.id))
            ).all()
        random.Random(SEED).shuffle(ids)
        owing: list[int] = []
        for family_id in ids:
            with db.read() as uow:
                if statement(uow, family_id).total_due >= Decimal("100"):
                    owing.append(family_id)
            if len(owing) == POOL:
                break
    finally:
        db.dispose()
    return owing, [int(clerk) for clerk in clerks if clerk is not None]


_ready: Any = None
"""This clerk process's start barrier (`_get_ready`)."""


def _get_ready(documents: str, ready: Any) -> None:
    """A clerk process started as the counter's program is: its modules imported, its
    receipt fonts loaded, its start-up heap frozen out of the collector's way; then it
    waits at `ready` with the others."""
    global _ready
    os.environ["REGISTRAR_DOCUMENTS_DIR"] = documents
    from registrar_tui.reports.common import ensure_fonts
    from registrar_tui.services.ledger.payments import post_payment  # noqa: F401
    from registrar_tui.services.outbox.handover import hand_over_receipt  # noqa: F401

    ensure_fonts()
    gc.collect()  # the program freezes its start-up heap too (`textual_fixes`, the API)
    gc.freeze()
    _ready = ready


def _clerk(url: str, number: int, families: list[int], clerks: list[int]) -> ClerkResult:
    from registrar_tui.db import Database
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.documents.output import output_settings
    from registrar_tui.services.ledger.errors import StaleBalance
    from registrar_tui.services.ledger.payment_preview import (
        build_payment_request,
        typed_payment_preview,
    )
    from registrar_tui.services.ledger.payments import post_payment
    from registrar_tui.services.outbox.handover import hand_over_receipt

    rng = random.Random(SEED + number)
    result = ClerkResult()
    settings = output_settings()
    clerk_id = clerks[number % len(clerks)]
    db = Database.open(url)
    with db.read() as uow:  # the connection opened, as the program's first screen does
        typed_payment_preview(uow, families[0], (), AMOUNT, "", "fr_CA")
    if _ready is not None:
        _ready.wait(READY_TIMEOUT_S)
    try:
        for _index in range(PAYMENTS):
            family_id = rng.choice(families)
            key = uuid.uuid4().hex
            started = time.perf_counter()
            for _attempt in range(RETRIES):
                with db.loose_read() as uow:  # as the payment screen reads it
                    preview = typed_payment_preview(uow, family_id, (), AMOUNT, "", "fr_CA")
                request = build_payment_request(
                    idempotency_key=key,
                    family_id=family_id,
                    establishment_id=preview.establishment_id,
                    actor_id=clerk_id,
                    method="cash",
                    seen_balance=preview.seen_balance,
                    invoice_ids=(),
                    texts={"amount": AMOUNT, "amount_tendered": ""},
                    language="fr_CA",
                )
                posting = time.perf_counter()
                try:
                    with db.write(one_call=True) as uow:  # as the payment screen posts
                        posted = post_payment(uow, request)
                except StaleBalance:
                    result.stale += 1
                    continue
                except DomainError as error:
                    result.failures.append(f"{type(error).__name__}: {error.translated()}")
                    break
                result.post_ms.append((time.perf_counter() - posting) * 1000)
                hand_over_receipt(db, posted.payment_id, settings, print_now=False, posted=posted)
                result.total_ms.append((time.perf_counter() - started) * 1000)
                if posted.replayed:
                    result.replayed += 1
                else:
                    result.posted += 1
                break
            else:
                result.failures.append(f"family {family_id}: still stale after {RETRIES} tries")
    finally:
        db.dispose()
    return result


def _run_clerk(args: tuple[str, int, list[int], list[int]]) -> ClerkResult:
    url, number, families, clerks = args
    return _clerk(url, number, families, clerks)


def run_clerks(
    url: str, families: list[int], clerks: list[int], documents: str
) -> tuple[list[ClerkResult], float]:
    """The clerks' results, and the seconds from all of them ready to the last one done."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(CLERKS + 1)
    jobs = [(url, n, families, clerks) for n in range(CLERKS)]
    with context.Pool(CLERKS, initializer=_get_ready, initargs=(documents, ready)) as pool:
        pending = pool.map_async(_run_clerk, jobs, chunksize=1)
        ready.wait(READY_TIMEOUT_S)
        started = time.perf_counter()
        results = pending.get()
        elapsed = time.perf_counter() - started
    return results, elapsed


def _check(url: str, before: int, results: list[ClerkResult]) -> list[tuple[str, str]]:
    """Payments posted = answered; receipts gapless per establishment; chains verified."""
    from sqlmodel import col, func, select

    from registrar_tui.db import Database
    from registrar_tui.models import Payment, Receipt
    from registrar_tui.services.audit.verify import verify_chains

    db = Database.open(url)
    try:
        with db.read() as uow:
            after = int(uow.session.exec(select(func.count()).select_from(Payment)).one())
            numbers = uow.session.exec(select(Receipt.number).order_by(col(Receipt.id))).all()
            report = verify_chains(uow)
    finally:
        db.dispose()
    answered = sum(result.posted for result in results)
    gaps = 0
    by_series: dict[str, list[int]] = {}  # MTL-2026-000123: the series MTL-2026
    for number in numbers:
        series, _dash, serial = str(number).rpartition("-")
        by_series.setdefault(series, []).append(int(serial))
    for sequence in by_series.values():
        gaps += sum(1 for a, b in itertools.pairwise(sorted(sequence)) if b != a + 1)
    return [
        ("doubles or lost", str((after - before) - answered)),
        ("receipt number gaps", str(gaps)),
        ("verify after", "ok" if report.ok else f"BROKEN: {report.breaks[0]}"),
    ]


def _copy(db_url: str, workdir: Path) -> tuple[str, object]:
    """A copy of the benchmark database, and how to drop it."""
    if db_url.startswith("postgresql"):
        from bench.bench_api import _copy_database, _drop_database

        copy = _copy_database(db_url)
        return copy, lambda: _drop_database(copy)
    from sqlalchemy.engine import make_url

    target = workdir / "clerks.db"
    shutil.copyfile(str(make_url(db_url).database), target)
    return f"sqlite:///{target}", lambda: None


def run(db_url: str) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-clerks-") as folder:
        workdir = Path(folder)
        url, drop = _copy(db_url, workdir)
        try:
            from sqlmodel import func, select

            from registrar_tui.db import Database
            from registrar_tui.migrate import upgrade
            from registrar_tui.models import Payment

            upgrade(url)
            families, clerks = _pool(url)
            db = Database.open(url)
            with db.read() as uow:
                before = int(uow.session.exec(select(func.count()).select_from(Payment)).one())
            db.dispose()
            results, elapsed = run_clerks(url, families, clerks, str(workdir / "documents"))
            rows = _figures(results, elapsed)
            rows += _check(url, before, results)
        finally:
            drop()  # type: ignore[operator]
    label = f"clerks {CLERKS}×{PAYMENTS}"
    return [(f"{label}: {name}", figure) for name, figure in rows]


def _percentiles(times: list[float]) -> str:
    if len(times) < 2:
        return "—"
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return f"p50 {statistics.median(times):.1f} ms, p95 {cuts[94]:.1f} ms"


def _figures(results: list[ClerkResult], elapsed: float) -> list[tuple[str, str]]:
    posted = sum(result.posted for result in results)
    post_ms = [ms for result in results for ms in result.post_ms]
    total_ms = [ms for result in results for ms in result.total_ms]
    failures = [failure for result in results for failure in result.failures]
    first = f" (first: {failures[0]})" if failures else ""
    return [
        ("throughput", f"{posted / elapsed:.0f} payments/s ({posted} in {elapsed:.1f} s)"),
        ("post", _percentiles(post_ms)),
        ("preview + post + receipt", _percentiles(total_ms)),
        ("StaleBalance refusals (retried)", str(sum(result.stale for result in results))),
        ("failures", f"{len(failures)}{first}"),
    ]

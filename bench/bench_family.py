"""Opening a family: the service calls and the first paint of the family screen.

A family with 200 invoices (and one with 2) is added to a copy of the 50,000-family base
(PostgreSQL: a `TEMPLATE` copy, dropped at the end).
Timed over 50 runs each: `family_overview` + `statement` (what the family screen asks for
when it opens; each in its own read unit of work, as on the identity tab), p50 / p95;
then, in a headless app, 40 openings after 2 warm-up ones, from pushing the family
screen to the moment its header shows the balance and the first tab's table holds its
rows (the first useful paint).

Targets (issue #4): service p95 ≤ 50 ms; first paint ≤ 150 ms; 200 invoices as fast as 2.

    .venv/bin/python -m bench --only family [--pg URL]
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

RUNS = 50
PAINTS = 40
SERVICE_TARGET_MS = 50.0
PAINT_TARGET_MS = 150.0


def _percentiles(times_ms: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times_ms, n=100, method="inclusive")
    return statistics.median(times_ms), cuts[94]


def _add_family(db: object, invoices: int, tag: str) -> int:
    from sqlalchemy import select

    from registrar_tui.db import Database
    from registrar_tui.models import Establishment, Family, Guardian, Invoice, InvoiceLine

    assert isinstance(db, Database)
    created = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    with db.write() as uow:
        session = uow.session
        establishment_id = session.execute(select(Establishment.id)).scalars().first()
        assert establishment_id is not None
        stamp = time.time_ns() % 10**8
        family = Family(
            family_number=f"B{stamp:08d}{tag}"[:16],
            name=f"Famille Banc {tag}",
            establishment_id=establishment_id,
            created_at=created,
        )
        session.add(family)
        session.flush()
        assert family.id is not None
        session.add(Guardian(family_id=family.id, first_name="Banc", last_name=tag, is_payer=True))
        for index in range(invoices):
            invoice = Invoice(
                number=f"BN{tag[:2]}{stamp % 10**6:06d}{index:04d}"[:16],
                family_id=family.id,
                establishment_id=establishment_id,
                description=f"Frais {index}",
                issued_on=date(2024, 1, 1) + timedelta(days=index),
                due_on=date(2024, 2, 1) + timedelta(days=index),
                created_at=created,
            )
            session.add(invoice)
            session.flush()
            assert invoice.id is not None
            session.add(
                InvoiceLine(
                    invoice_id=invoice.id,
                    position=1,
                    fee_code="BANC",
                    description="Cours",
                    amount=Decimal("10.00"),
                )
            )
        return family.id


def _time_services(db: object, family_id: int) -> list[float]:
    from registrar_tui.db import Database
    from registrar_tui.services.ledger.statement import statement
    from registrar_tui.services.records.families import family_overview

    assert isinstance(db, Database)
    times: list[float] = []
    for _ in range(RUNS + 3):
        started = time.perf_counter()
        with db.read() as uow:
            family_overview(uow, family_id)
        with db.read() as uow:
            statement(uow, family_id)
        times.append((time.perf_counter() - started) * 1000)
    return times[3:]


async def _time_paints(db: object, family_id: int, tab: str) -> list[float]:
    from textual.widgets import DataTable, Static

    from registrar_tui.app import create_app
    from registrar_tui.db import Database
    from registrar_tui.models import Language, Role
    from registrar_tui.screens.counter.family import FamilyScreen
    from registrar_tui.services.staff.auth import StaffIdentity

    assert isinstance(db, Database)
    app = create_app(database=db)
    times: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.backend.identity = StaffIdentity(1, "bench", "Banc", Role.CLERK, 1, Language.FRENCH)
        for _ in range(PAINTS + 2):
            started = time.perf_counter()
            screen = FamilyScreen(family_id, initial_tab=tab)
            await app.push_screen(screen)
            while True:
                # Poll without pilot.pause, which waits on the app's idle state and
                # would add its own delay to every check.
                await asyncio.sleep(0.001)
                title = str(screen.query_one("#family-balance", Static).render())
                table = screen.query_one(
                    "#statement-table" if tab == "billing" else "#guardians", DataTable
                )
                if "Solde" in title and table.row_count > 0:
                    break
            times.append((time.perf_counter() - started) * 1000)
            await app.pop_screen()
            await pilot.pause()
    return times[2:]


def _measure(db_url: str) -> list[tuple[str, str]]:
    from registrar_tui.db import Database

    db = Database.open(db_url)
    try:
        big = _add_family(db, 200, "200")
        small = _add_family(db, 2, "2")
        rows: list[tuple[str, str]] = []
        for label, family_id in (("200 invoices", big), ("2 invoices", small)):
            p50, p95 = _percentiles(_time_services(db, family_id))
            verdict = (
                "ok" if p95 <= SERVICE_TARGET_MS else f"TOO SLOW, target ≤ {SERVICE_TARGET_MS:.0f}"
            )
            rows.append(
                (
                    f"family: overview + statement, {label}",
                    f"p50 {p50:.1f} ms · p95 {p95:.1f} ms ({verdict})",
                )
            )
        for label, family_id, tab in (
            ("200 invoices, identity tab", big, "identity"),
            ("2 invoices, identity tab", small, "identity"),
            ("200 invoices, billing tab", big, "billing"),
        ):
            p50, p95 = _percentiles(asyncio.run(_time_paints(db, family_id, tab)))
            verdict = (
                "ok" if p95 <= PAINT_TARGET_MS else f"TOO SLOW, target ≤ {PAINT_TARGET_MS:.0f}"
            )
            rows.append(
                (
                    f"family: first paint (header + first tab's rows), {label}",
                    f"p50 {p50:.1f} ms · p95 {p95:.1f} ms ({verdict})",
                )
            )
        return rows
    finally:
        db.dispose()


def run(db_url: str) -> list[tuple[str, str]]:
    if not db_url.startswith("sqlite:///"):
        # A copy (`CREATE DATABASE … TEMPLATE`): the two families are written as plain rows,
        # outside the ledger's chain, and would break `verify` on the benchmark base itself.
        from bench.bench_api import _copy_database, _drop_database

        copy_url = _copy_database(db_url)
        try:
            return _measure(copy_url)
        finally:
            _drop_database(copy_url)
    source = Path(db_url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(prefix="bench-family-") as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        return _measure(f"sqlite:///{copy}")

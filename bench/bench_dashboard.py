"""The office dashboard: the one service call behind the screen (issue #16 part 5).

`office_dashboard` on the 50,000-family base, each call in its own read unit of work as
the screen's worker makes it, 30 runs after 3 warm-up ones: p50 / p95. Its parts are
timed too (same runs count), to show where the time goes: the receipts of 30 days by
day and method, the receivables by age (the running sums), the pending requests, the drawers.

Target (issue #16): p95 ≤ 100 ms. Read only: the base is not copied.

    .venv/bin/python -m bench --only dashboard [--pg URL]
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

RUNS = 30
WARM_UP = 3
TARGET_MS = 100.0


def _percentiles(times_ms: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times_ms, n=100, method="inclusive")
    return statistics.median(times_ms), cuts[94]


def _timed(db: Any, call: Callable[[Any], object]) -> tuple[float, float]:
    times: list[float] = []
    for _ in range(WARM_UP + RUNS):
        started = time.perf_counter()
        with db.read() as uow:
            call(uow)
        times.append((time.perf_counter() - started) * 1000)
    return _percentiles(times[WARM_UP:])


def run(db_url: str) -> list[tuple[str, str]]:
    from sqlmodel import col, select

    from registrar_tui.db import Database
    from registrar_tui.models import ChangeRequest, StaffUser
    from registrar_tui.models.base import Role
    from registrar_tui.services.core.clock import local_date, utc_now
    from registrar_tui.services.interchange.ageing import running_ageing_totals
    from registrar_tui.services.office import dashboard

    db = Database.open(db_url)
    try:
        with db.read() as uow:
            actor_id = uow.session.exec(
                select(StaffUser.id).where(
                    col(StaffUser.role).in_([Role.REGISTRAR.value, Role.ADMIN.value]),
                    col(StaffUser.is_active),
                )
            ).first()
            today = local_date(uow.now())
        assert actor_id is not None, "the benchmark base has no registrar"
        month = today.replace(day=1)
        first = min(today - timedelta(days=dashboard.RECEIPT_DAYS - 1), month)
        parts: list[tuple[str, Callable[[Any], object]]] = [
            (
                "office_dashboard (every figure)",
                lambda uow: dashboard.office_dashboard(uow, actor_id),
            ),
            (
                "  receipts by day and method",
                lambda uow: dashboard._receipts(uow, first, today, month),
            ),
            (
                "  receivables by age (running_ageing_totals)",
                lambda uow: running_ageing_totals(uow, today),
            ),
            (
                "  pending requests by age",
                lambda uow: dashboard._pending(uow, "change", ChangeRequest, utc_now(uow)),
            ),
            ("  drawers open or closed today", lambda uow: dashboard._drawers(uow, today)),
        ]
        rows: list[tuple[str, str]] = []
        for label, call in parts:
            p50, p95 = _timed(db, call)
            figure = f"p50 {p50:.1f} ms · p95 {p95:.1f} ms"
            if not label.startswith(" "):
                verdict = "ok" if p95 <= TARGET_MS else f"TOO SLOW, target ≤ {TARGET_MS:.0f}"
                figure += f" ({verdict})"
            rows.append((f"dashboard: {label}", figure))
        return rows
    finally:
        db.dispose()

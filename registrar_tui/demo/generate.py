"""`generate_demo`: fill an empty database with a realistic, deterministic conservatoire."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.demo.academics import Academics
from registrar_tui.demo.activities import random_activities, register_randomly
from registrar_tui.demo.billing import create_invoice, settle, term_lines
from registrar_tui.demo.context import DemoContext, DisciplineInfo
from registrar_tui.demo.groups import roll_over
from registrar_tui.demo.online import post_online_payments
from registrar_tui.demo.people import FamilyProfile, StudentProfile, random_family
from registrar_tui.demo.posting import post_payments
from registrar_tui.demo.reference import INSTITUTION, create_reference
from registrar_tui.demo.requests import random_requests
from registrar_tui.demo.scenarios import create_scenarios
from registrar_tui.demo.writer import BulkWriter
from registrar_tui.i18n import N_
from registrar_tui.models import AppSetting, Establishment, Season
from registrar_tui.services.audit.ledger_chain import link_unlinked
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.staff.settings import INSTITUTION_NAME

log = logging.getLogger(__name__)
MAX_FAMILIES = 500_000


@dataclass(frozen=True)
class DemoSummary:
    families: int
    students: int
    invoices: int
    payments: int
    seconds: float


def database_is_empty(db: Database) -> bool:
    """True when no establishment exists yet (nothing to lose by generating)."""
    with db.read() as uow:
        return _is_empty(uow)


def _is_empty(uow: UnitOfWork) -> bool:
    return uow.session.exec(select(Establishment.id).limit(1)).first() is None


def generate_demo(db: Database, *, families: int = 300, seed: int = 2026) -> DemoSummary:
    """Generate the demo data in one transaction: the guaranteed scenario families first,
    then `families` random ones; the same seed always gives the same rows.

    Raises InvalidInput when the database already holds data or N is out of range.
    """
    if not 0 <= families <= MAX_FAMILIES:
        raise InvalidInput(
            N_("Le nombre de familles doit être entre 0 et {maximum}."),
            field="families",
            maximum=MAX_FAMILIES,
        )
    started = time.perf_counter()
    with db.write() as uow:
        if not _is_empty(uow):
            raise InvalidInput(
                N_("La base de données contient déjà des données : la démo exige une base vide.")
            )
        with BulkWriter(uow.session) as writer:
            ctx = DemoContext(writer, seed)
            create_reference(ctx)
            scripted, lunches = create_scenarios(ctx)
            everyone = scripted
            for count in range(families):
                everyone.append(random_family(ctx))
                if count % 512 == 0:
                    writer.maybe_flush()
            academics = Academics(ctx)
            for term in ctx.ref.terms:
                _run_term(ctx, academics, everyone, term.index)
            activities = [lunches, *random_activities(ctx)]
            register_randomly(ctx, activities, everyone)
            for family in everyone:
                if not family.scripted:
                    random_requests(ctx, family)
            roll_over(ctx, everyone)
            payments = post_payments(ctx)
        writer.advance_sequences(ctx.ids)
        # The bulk load bypasses the services: link its money records as a migration would.
        link_unlinked(uow.session.connection())
        log.info("demo rows written in %.1f s", time.perf_counter() - started)
        uow.session.add(AppSetting(key=INSTITUTION_NAME, value=INSTITUTION))
        _close_past_days(uow)
        # After the close of the drawers: they wait in this morning's « en ligne » drawer.
        payments += post_online_payments(uow)
        _rebuild_search_index(uow)
        log.info("search index built at %.1f s", time.perf_counter() - started)
        summary = DemoSummary(
            families=len(everyone),
            students=ctx.ids.last("student"),
            invoices=ctx.ids.last("invoice"),
            payments=payments,
            seconds=0.0,
        )
    _analyze(db)
    seconds = round(time.perf_counter() - started, 2)
    return DemoSummary(
        summary.families, summary.students, summary.invoices, summary.payments, seconds
    )


def _run_term(
    ctx: DemoContext, academics: Academics, everyone: list[FamilyProfile], term_index: int
) -> None:
    """Enrol every student of the term, then invoice (and settle) each random family."""
    term = ctx.ref.terms[term_index]
    for count, family in enumerate(everyone):
        if count % 256 == 0:
            ctx.writer.maybe_flush()
        billed: list[tuple[StudentProfile, tuple[DisciplineInfo, ...], bool]] = []
        for student in family.students:
            if term_index not in student.terms:
                continue
            disciplines = academics.enrol(student, term_index)
            # Registration once per school year: in autumn, or at the student's first term.
            registration = term.season is Season.AUTUMN or not any(
                ctx.ref.terms[t].school_year == term.school_year for t in student.terms
                if t < term_index
            )  # fmt: skip
            billed.append((student, disciplines, registration))
        if not billed or family.scripted:
            continue
        voluntary = any(registration for _s, _d, registration in billed)
        invoice_id, total = create_invoice(
            ctx,
            family,
            description=f"Droits de scolarité — {term.label}",
            lines=term_lines(ctx, term, billed, voluntary=voluntary),
            issued_on=term.issued_on,
            due_on=term.due_on,
            term=term,
            student_id=billed[0][0].id if len(billed) == 1 else None,
        )
        settle(ctx, family, invoice_id, total, term)


def _analyze(db: Database) -> None:
    """Planner statistics for the freshly loaded tables, as autovacuum would gather later:
    without them PostgreSQL plans a family's statement as if the tables were empty (a
    second per query on the 50,000-family base instead of milliseconds)."""
    # SQLite plans these queries from the indexes alone (no sqlite_stat1 is kept).
    if db.backend != "postgresql":
        return
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def _close_past_days(uow: UnitOfWork) -> None:
    """Every clerk's drawer closed once, balanced, at midnight of the demo's "today": a
    clerk's first day close in the demo covers only this day (the same rows every run)."""
    import dataclasses
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from registrar_tui.demo.context import DEMO_TODAY
    from registrar_tui.models import Payment, StaffUser
    from registrar_tui.services.ledger.day_close.close import close_day, preview_day_close

    midnight = datetime.combine(DEMO_TODAY, time(0, 0), tzinfo=ZoneInfo("America/Toronto"))
    uow = dataclasses.replace(uow, clock=lambda: midnight)

    tills = uow.session.exec(
        select(Payment.clerk_id, Payment.establishment_id)
        .join(StaffUser, col(StaffUser.id) == col(Payment.clerk_id))
        .distinct()
        .order_by(col(Payment.clerk_id), col(Payment.establishment_id))
    ).all()
    for clerk_id, establishment_id in tills:
        expected = preview_day_close(uow, clerk_id, establishment_id).expected_cash
        close_day(uow, clerk_id, establishment_id, max(expected, Decimal("0.00")))
    _start_deposits(uow, DEMO_TODAY - DEMO_DEPOSIT_DAYS)


DEMO_DEPOSIT_DAYS = timedelta(days=7)
"""The demo's deposits start a week before its "today": its older years were banked before
the school used deposits, and the deposit screen shows the last few days' cash and cheques."""


def _start_deposits(uow: UnitOfWork, start_on: date) -> None:
    for establishment in uow.session.exec(select(Establishment)).all():
        establishment.deposits_start_on = start_on
        uow.session.add(establishment)
    uow.session.flush()


def _rebuild_search_index(uow: UnitOfWork) -> None:
    try:
        from registrar_tui.services.search.index import rebuild_index
    except ImportError:  # the search service is not there yet: nothing to index into
        log.warning("registrar_tui.services.search.query is missing; search index not built")
        return
    rebuild_index(uow)

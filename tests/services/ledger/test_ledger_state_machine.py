"""Random sequences of ledger operations keep the books right (issue #3 § Proof).

Invoice, decline, restore, pay (every method, chosen invoices or oldest first, sometimes
with a stale balance), retry, void, apply credit, refund, cancel, close; after every step:
each invoice's balance = kept lines − live allocations (− its credit note) and is never
negative; family credit = payments − allocations − refunds and is never negative; receipt
numbers are gapless per establishment; row counts never shrink; `verify` passes.

Runs on a fast SQLite file in /dev/shm (synchronous off), one fresh copy per example.
200 examples in `make test` (four seeded parts, spread over the xdist workers; `make test`
must stay near 8 minutes on 2 cores; it was 2,000, then 600, as the suite grew); the same
seeds run 1,200 in `make test-slow` (marker slow); REGISTRAR_LONG=1 gives 10,000 to
both; REGISTRAR_LEDGER_EXAMPLES=N overrides both.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    get_state_machine_test,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import event, text
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import InvoiceLine
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.ledger import errors
from registrar_tui.services.ledger.contributions import decline_contribution, restore_contribution
from registrar_tui.services.ledger.credit import apply_credit, cancel_invoice, refund_credit
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest, post_payment
from registrar_tui.services.ledger.statement import family_credit, statement
from registrar_tui.services.ledger.voids import void_payment
from tests.services.ledger_data import (
    APPEND_ONLY_TABLES,
    School,
    add_family,
    build_school,
    insert_invoice,
    row_counts,
    ticking_clock,
)

LONG = os.environ.get("REGISTRAR_LONG") == "1"
EXAMPLES = int(os.environ.get("REGISTRAR_LEDGER_EXAMPLES", 10_000 if LONG else 200))
SOAK_EXAMPLES = int(os.environ.get("REGISTRAR_LEDGER_EXAMPLES", 10_000 if LONG else 1_200))
SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)

settings.register_profile(
    "ledger",
    max_examples=EXAMPLES,
    # Short programs in `make test` and `make test-slow`; longer ones in `make test-long`.
    stateful_step_count=10 if LONG else 5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)

_template: dict[str, Any] = {}


def _template_file() -> tuple[Path, School, tuple[int, int]]:
    """Migrated once per process, with a school and two families; copied per example."""
    if not _template:
        from registrar_tui.migrate import upgrade

        folder = Path(tempfile.mkdtemp(prefix="ledger-sm-", dir=SCRATCH))
        path = folder / "template.db"
        upgrade(str(path))
        db = _open(path)
        school = build_school(db)
        families = (add_family(db, school, "Tremblay"), add_family(db, school, "Gagnon"))
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        _template.update(path=path, school=school, families=families)
    return _template["path"], _template["school"], _template["families"]


def _open(path: Path) -> Database:
    db = Database.open(str(path), clock=ticking_clock(START))

    @event.listens_for(db.engine, "connect")
    def _fast(dbapi_conn: Any, _record: Any) -> None:  # runs after the app's own settings
        dbapi_conn.execute("PRAGMA synchronous=OFF")

    return db


MONEY = st.integers(min_value=1, max_value=60_000).map(lambda cents: Decimal(cents) / 100)
# Every row returned is a broken rule: an invoice whose balance (kept lines − allocations −
# credit note) is negative, a cancelled invoice still holding money, a payment giving more
# than it holds (or a voided one still holding some), a family with negative credit
# (payments not voided − their allocations − refunds).
BOOKS_CHECK = """
WITH figures AS (
    SELECT i.id,
        (SELECT coalesce(sum(l.amount_cents), 0) FROM invoice_line l
            WHERE l.invoice_id = i.id AND NOT EXISTS (
                SELECT 1 FROM contribution_choice c
                WHERE c.invoice_line_id = l.id AND c.declined AND NOT EXISTS (
                    SELECT 1 FROM contribution_choice n
                    WHERE n.invoice_line_id = l.id AND n.id > c.id))) AS kept,
        (SELECT coalesce(sum(a.amount_cents), 0) FROM allocation a
            WHERE a.invoice_id = i.id) AS paid,
        (SELECT coalesce(sum(c.amount_cents), 0) FROM credit_note c
            WHERE c.invoice_id = i.id) AS credited,
        EXISTS (SELECT 1 FROM credit_note c WHERE c.invoice_id = i.id) AS cancelled
    FROM invoice i
)
SELECT 'invoice', id FROM figures
    WHERE paid < 0 OR kept - paid - credited < 0 OR (cancelled AND (paid <> 0 OR kept <> credited))
UNION ALL
SELECT 'payment', p.id FROM payment p
    WHERE (SELECT coalesce(sum(a.amount_cents), 0) FROM allocation a WHERE a.payment_id = p.id)
        NOT BETWEEN 0 AND CASE WHEN EXISTS (
            SELECT 1 FROM payment_void v WHERE v.payment_id = p.id) THEN 0 ELSE p.amount_cents END
UNION ALL
SELECT 'family', f.id FROM family f
    WHERE (SELECT coalesce(sum(p.amount_cents), 0) FROM payment p WHERE p.family_id = f.id
            AND NOT EXISTS (SELECT 1 FROM payment_void v WHERE v.payment_id = p.id))
        - (SELECT coalesce(sum(a.amount_cents), 0) FROM allocation a
            JOIN payment p ON p.id = a.payment_id WHERE p.family_id = f.id)
        - (SELECT coalesce(sum(r.amount_cents), 0) FROM refund r WHERE r.family_id = f.id) < 0
"""
COUNTS = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in APPEND_ONLY_TABLES)
ALLOWED_PAYMENT_ERRORS = (errors.StaleBalance, errors.InvoiceAlreadyPaid, errors.InvoiceCancelled)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        template, self.school, self.families = _template_file()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-ex-", dir=SCRATCH))
        path = self.folder / "ledger.db"
        shutil.copyfile(template, path)
        self.db = _open(path)
        self.counts = row_counts(self.db)
        self.requests: list[PaymentRequest] = []
        self.invoice_ids: list[int] = []
        self.voluntary_line_ids: list[int] = []
        self.payment_ids: list[int] = []

    def _pick(self, items: list[int], index: int) -> int:
        return items[index % len(items)]

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _write(self, action: Any, *allowed: type[DomainError]) -> Any:
        """Run a service; a refusal must be one of `allowed` and must write nothing.

        `self.counts` holds the row counts as of the end of the previous step.
        """
        try:
            with self.db.write() as uow:
                return action(uow)
        except allowed:
            assert row_counts(self.db) == self.counts
            return None

    # ------------------------------------------------------------------ rules

    @rule(
        family=st.sampled_from([0, 1]),
        regular=st.lists(st.integers(1, 50_000), min_size=1, max_size=2),
        voluntary=st.lists(st.integers(1, 5_000), max_size=2),
        due_in=st.integers(-60, 60),
    )
    def invoice(self, family: int, regular: list[int], voluntary: list[int], due_in: int) -> None:
        lines = tuple((str(Decimal(c) / 100), "") for c in regular) + tuple(
            (str(Decimal(c) / 100), "voluntary") for c in voluntary
        )
        due = date(2026, 11, 23) + timedelta(days=due_in)
        with self.db.write() as uow:
            invoice = insert_invoice(
                uow, self.school, self.families[family], lines, due, date(2026, 9, 1)
            )
            voluntary_ids = uow.session.exec(
                select(InvoiceLine.id).where(
                    col(InvoiceLine.invoice_id) == invoice, col(InvoiceLine.is_voluntary)
                )
            ).all()
        self.invoice_ids.append(invoice)
        self.voluntary_line_ids.extend(line for line in voluntary_ids if line is not None)

    @precondition(lambda self: bool(self.voluntary_line_ids))
    @rule(index=st.integers(0, 1_000), restore=st.booleans())
    def decline_or_restore(self, index: int, restore: bool) -> None:
        line = self._pick(self.voluntary_line_ids, index)
        verb = restore_contribution if restore else decline_contribution
        self._write(
            lambda uow: verb(uow, line, self.school.clerk_id),
            errors.InvoiceAlreadyPaid,
            errors.InvoiceCancelled,
        )

    @rule(
        family=st.sampled_from([0, 1]),
        amount=MONEY,
        method=st.sampled_from([m for m in PaymentMethod if m is not PaymentMethod.ONLINE]),
        chosen=st.lists(st.integers(0, 1_000), max_size=2),
        stale=st.booleans(),
        quebec=st.booleans(),
    )
    def pay(
        self,
        family: int,
        amount: Decimal,
        method: PaymentMethod,
        chosen: list[int],
        stale: bool,
        quebec: bool,
    ) -> None:
        family_id = self.families[family]
        with self.db.read() as uow:
            shown = statement(uow, family_id)
        balances = {line.invoice_id: line.balance for line in shown.invoices}
        if self.invoice_ids:
            picked = {self._pick(self.invoice_ids, index) for index in chosen}
            chosen = sorted(invoice for invoice in picked if invoice in balances)
        else:
            chosen = []
        if chosen:
            seen = sum((max(balances[i], Decimal(0)) for i in chosen), Decimal("0.00"))
        else:
            seen = shown.total_due
        if stale:
            seen += Decimal("0.01")
        request = PaymentRequest(
            idempotency_key=uuid.uuid4().hex,
            family_id=family_id,
            establishment_id=self.school.quebec_id if quebec else self.school.montreal_id,
            clerk_id=self.school.clerk2_id
            if method is PaymentMethod.DEBIT
            else self.school.clerk_id,
            amount=amount,
            method=method,
            seen_balance=seen,
            invoices=tuple(InvoiceChoice(invoice) for invoice in chosen),
            amount_tendered=amount + Decimal("5.00") if method is PaymentMethod.CASH else None,
            card_brand="Visa" if method is PaymentMethod.CREDIT_CARD else None,
            card_last4="4242",
            authorization_number="A77",
            cheque_number="1001",
            cheque_bank="Desjardins",
        )
        posted = self._write(lambda uow: post_payment(uow, request), *ALLOWED_PAYMENT_ERRORS)
        if stale:
            assert posted is None, "a stale balance must be refused"
        if posted is None:
            return
        assert posted.amount == amount
        self.requests.append(request)
        self.payment_ids.append(posted.payment_id)

    @precondition(lambda self: bool(self.requests))
    @rule(index=st.integers(0, 1_000), change=st.booleans())
    def retry(self, index: int, change: bool) -> None:
        request = self.requests[index % len(self.requests)]
        if change:
            changed = dataclasses.replace(request, amount=request.amount + Decimal("0.01"))
            self._write(lambda uow: post_payment(uow, changed), errors.IdempotencyConflict)
            return
        before = row_counts(self.db)
        replayed = self._write(lambda uow: post_payment(uow, request))
        assert replayed.replayed and row_counts(self.db) == before

    @precondition(lambda self: bool(self.payment_ids))
    @rule(index=st.integers(0, 1_000), override=st.booleans())
    def void(self, index: int, override: bool) -> None:
        payment = self._pick(self.payment_ids, index)
        self._write(
            lambda uow: void_payment(
                uow, payment, "Erreur", self.school.registrar_id, "Accord" if override else ""
            ),
            errors.CreditAlreadyRefunded,
            errors.DayClosedOverrideRequired,
            errors.PaymentAlreadyVoided,
        )

    @precondition(lambda self: bool(self.invoice_ids))
    @rule(index=st.integers(0, 1_000))
    def use_credit(self, index: int) -> None:
        invoice = self._pick(self.invoice_ids, index)
        self._write(
            lambda uow: apply_credit(uow, invoice, self.school.clerk_id),
            errors.InsufficientCredit,
            errors.InvoiceAlreadyPaid,
            errors.InvoiceCancelled,
        )

    @rule(family=st.sampled_from([0, 1]), cheque=st.booleans(), part=st.integers(1, 100))
    def refund(self, family: int, cheque: bool, part: int) -> None:
        family_id = self.families[family]
        with self.db.read() as uow:
            available = int(family_credit(uow, family_id) * 100)  # in cents
        amount = Decimal(max(available * part // 100, 1)) / 100
        self._write(
            lambda uow: refund_credit(
                uow,
                family_id,
                self.school.montreal_id,
                amount,
                RefundMethod.CHEQUE if cheque else RefundMethod.CASH,
                "Trop payé",
                self.school.registrar_id,
                cheque_number="2001" if cheque else None,
            ),
            errors.InsufficientCredit,
        )

    @precondition(lambda self: bool(self.invoice_ids))
    @rule(index=st.integers(0, 1_000))
    def cancel(self, index: int) -> None:
        invoice = self._pick(self.invoice_ids, index)
        self._write(
            lambda uow: cancel_invoice(uow, invoice, "Annulée", self.school.registrar_id),
            errors.InvoiceCancelled,
        )

    @rule(counted=st.integers(0, 100_000), clerk2=st.booleans())
    def close(self, counted: int, clerk2: bool) -> None:
        clerk = self.school.clerk2_id if clerk2 else self.school.clerk_id
        self._write(
            lambda uow: close_day(uow, clerk, self.school.montreal_id, Decimal(counted) / 100),
            errors.DayAlreadyClosed,
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def books_balance(self) -> None:
        with self.db.read() as uow:
            wrong = uow.session.execute(text(BOOKS_CHECK)).all()
            assert not wrong, wrong
            report = verify_chains(uow)  # also checks receipt numbers are gapless
            assert report.ok, [link.describe() for link in report.breaks]
            row = uow.session.execute(text(COUNTS)).one()
        counts = dict(zip(APPEND_ONLY_TABLES, (int(value) for value in row), strict=True))
        assert all(counts[table] >= self.counts[table] for table in counts), "rows shrank"
        self.counts = counts


# Four parts with their own fixed seeds, so pytest-xdist spreads them over its workers.
PARTS = 4


def _run_machine(part: int, examples: int) -> None:
    profile = settings(settings.get_profile("ledger"), max_examples=examples // PARTS)
    machine_test = get_state_machine_test(LedgerMachine, settings=profile)
    seed(20_261_123 + part)(machine_test)()


@pytest.mark.parametrize("part", range(PARTS))
def test_ledger_state_machine(part: int) -> None:
    _run_machine(part, EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_ledger_state_machine_soak(part: int) -> None:
    """The same machine and seeds as `make test`, six times the programs."""
    _run_machine(part, SOAK_EXAMPLES)

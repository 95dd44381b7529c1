"""Random ledgers, made through the services over several weeks: the journal balances for
every period (and every entry), splitting a period splits its entries, and the journal
from the first day ties to the ageing of any day (receivables and family credit).

A few examples in `make test`; many more with `make test-slow` (marked slow).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrar_tui.db import Database
from registrar_tui.models.base import PaymentMethod, RefundMethod
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.interchange.accounts import set_account
from registrar_tui.services.interchange.ageing import receivables_ageing
from registrar_tui.services.interchange.journal import Journal, accounting_journal
from registrar_tui.services.ledger.contributions import decline_contribution, restore_contribution
from registrar_tui.services.ledger.credit import apply_credit, cancel_invoice, refund_credit
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest, post_payment
from registrar_tui.services.ledger.statement import statement
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.ledger.waivers import waive_fee
from tests import builders
from tests.services.ledger_data import School, add_family, build_school, insert_invoice

START = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 9, 1)
_template: dict[str, Any] = {}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _template_file() -> tuple[Path, School, tuple[int, int]]:
    if not _template:
        from registrar_tui.migrate import upgrade

        folder = Path(tempfile.mkdtemp(prefix="journal-prop-"))
        path = folder / "template.db"
        upgrade(str(path))
        db = Database.open(str(path), clock=Clock())
        school = build_school(db)
        families = (add_family(db, school, "Tremblay"), add_family(db, school, "Gagnon"))
        with db.write() as uow:
            set_account(uow, "fee", "*", "4000", school.admin_id)
            set_account(uow, "fee", "FOND", "4900", school.admin_id)
        db.dispose()
        _template.update(path=path, school=school, families=families)
    return _template["path"], _template["school"], _template["families"]


AMOUNT = st.integers(1, 40_000).map(lambda cents: Decimal(cents) / 100)
OPERATION = st.one_of(
    st.tuples(
        st.just("invoice"),
        st.integers(0, 1),
        st.lists(AMOUNT, min_size=1, max_size=2),
        st.booleans(),
        st.integers(-40, 40),
    ),
    st.tuples(st.just("decline"), st.integers(0, 99), st.booleans()),
    st.tuples(
        st.just("pay"),
        st.integers(0, 1),
        AMOUNT,
        st.sampled_from([PaymentMethod.CASH, PaymentMethod.DEBIT, PaymentMethod.CHEQUE]),
        st.booleans(),
        st.booleans(),
    ),
    st.tuples(st.just("void"), st.integers(0, 99)),
    st.tuples(st.just("credit"), st.integers(0, 99)),
    st.tuples(st.just("refund"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 99)),
    st.tuples(st.just("waive"), st.integers(0, 99)),
)
STEP = st.integers(1, 60).map(lambda hours: timedelta(hours=hours))


class World:
    def __init__(self, db: Database, clock: Clock, school: School, families: tuple[int, int]):
        self.db, self.clock, self.school, self.families = db, clock, school, families
        self.invoices: list[int] = []
        self.voluntary: list[int] = []
        self.regular: list[int] = []
        self.payments: list[int] = []

    def _pick(self, items: list[int], index: int) -> int | None:
        return items[index % len(items)] if items else None

    def run(self, operation: tuple[Any, ...]) -> None:
        try:
            with self.db.write() as uow:
                self._apply(uow, operation)
        except DomainError:
            pass

    def _apply(self, uow: Any, operation: tuple[Any, ...]) -> None:
        school, kind = self.school, operation[0]
        if kind == "invoice":
            _kind, family, amounts, voluntary, due_in = operation
            today = local_date(self.clock.now)
            lines = tuple((str(amount), "") for amount in amounts)
            if voluntary:
                lines += (("25.00", "voluntary"),)
            invoice = insert_invoice(
                uow,
                school,
                self.families[family],
                lines,
                max(today, today + timedelta(days=due_in)),
                today,
            )
            ids = builders.line_ids(uow, invoice)
            self.invoices.append(invoice)
            self.regular += ids[: len(amounts)]
            self.voluntary += ids[len(amounts) :]
        elif kind == "decline":
            line = self._pick(self.voluntary, operation[1])
            if line is not None:
                verb = restore_contribution if operation[2] else decline_contribution
                verb(uow, line, school.clerk_id)
        elif kind == "pay":
            _kind, family, amount, method, oldest, quebec = operation
            family_id = self.families[family]
            shown = statement(uow, family_id)
            owing = [
                line for line in shown.invoices if line.balance > 0 and line.state != "cancelled"
            ]
            chosen = () if oldest or not owing else (owing[-1].invoice_id,)
            seen = shown.total_due if not chosen else owing[-1].balance
            request = PaymentRequest(
                idempotency_key=uuid.uuid4().hex,
                family_id=family_id,
                establishment_id=school.quebec_id if quebec else school.montreal_id,
                clerk_id=school.clerk_id,
                amount=amount,
                method=method,
                seen_balance=max(seen, Decimal("0.00")),
                invoices=tuple(InvoiceChoice(i) for i in chosen),
                card_last4="4242",
                authorization_number="A1",
                cheque_number="1001",
                cheque_bank="Desjardins",
            )
            self.payments.append(post_payment(uow, request).payment_id)
        elif kind == "void":
            payment = self._pick(self.payments, operation[1])
            if payment is not None:
                void_payment(uow, payment, "Erreur", school.registrar_id, "Accord")
        elif kind == "credit":
            invoice = self._pick(self.invoices, operation[1])
            if invoice is not None:
                apply_credit(uow, invoice, school.clerk_id)
        elif kind == "refund":
            from registrar_tui.services.ledger.statement import family_credit

            family_id = self.families[operation[1]]
            available = family_credit(uow, family_id)
            if available > 0:
                refund_credit(
                    uow,
                    family_id,
                    school.montreal_id,
                    available,
                    RefundMethod.CHEQUE if operation[2] else RefundMethod.CASH,
                    "Trop payé",
                    school.registrar_id,
                    cheque_number="7001",
                )
        elif kind == "cancel":
            invoice = self._pick(self.invoices, operation[1])
            if invoice is not None:
                cancel_invoice(uow, invoice, "Erreur", school.registrar_id)
        elif kind == "waive":
            line = self._pick(self.regular, operation[1])
            if line is not None:
                waive_fee(uow, line, "Geste", school.registrar_id)


def _movement(journal: Journal, account: str) -> Decimal:
    return sum(
        (
            line.debit - line.credit
            for entry in journal.entries
            for line in entry.lines
            if line.account == account
        ),
        Decimal("0.00"),
    )


def check_random_ledger(steps: list[tuple[tuple[Any, ...], timedelta]], cuts: list[int]) -> None:
    template, school, families = _template_file()
    folder = Path(tempfile.mkdtemp(prefix="journal-ex-"))
    try:
        path = folder / "ledger.db"
        shutil.copyfile(template, path)
        clock = Clock()
        db = Database.open(str(path), clock=clock)
        try:
            world = World(db, clock, school, families)
            for operation, step in steps:
                world.run(operation)
                clock.now += step
            last = local_date(clock.now)
            with db.read() as uow:
                whole = accounting_journal(uow, FIRST_DAY, last)
                assert whole.total_debit == whole.total_credit
                assert all(entry.debit == entry.credit for entry in whole.entries)
                span = (last - FIRST_DAY).days
                for cut in cuts:
                    day = FIRST_DAY + timedelta(days=cut % (span + 1))
                    before = accounting_journal(uow, FIRST_DAY, day)
                    assert before.total_debit == before.total_credit
                    after = (
                        accounting_journal(uow, day + timedelta(days=1), last).entries
                        if day < last
                        else ()
                    )
                    assert sum((e.debit - e.credit for e in after), Decimal(0)) == 0
                    assert [e.reference for e in before.entries + after] == [
                        e.reference for e in whole.entries
                    ]
                    ageing = receivables_ageing(uow, day)
                    assert _movement(before, "1200") == ageing.totals.total, day
                    assert -_movement(before, "2400") == ageing.totals.credit, day
        finally:
            db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


LEDGERS = st.lists(st.tuples(OPERATION, STEP), min_size=1, max_size=14)
CUTS = st.lists(st.integers(0, 400), min_size=1, max_size=3)
QUICK = settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@QUICK
@given(steps=LEDGERS, cuts=CUTS)
def test_random_ledgers_balance_and_tie_to_the_ageing(
    steps: list[tuple[tuple[Any, ...], timedelta]], cuts: list[int]
) -> None:
    check_random_ledger(steps, cuts)


@pytest.mark.slow
@settings(QUICK, max_examples=300)
@given(steps=st.lists(st.tuples(OPERATION, STEP), min_size=5, max_size=40), cuts=CUTS)
def test_many_random_ledgers_balance_and_tie_to_the_ageing(
    steps: list[tuple[tuple[Any, ...], timedelta]], cuts: list[int]
) -> None:
    check_random_ledger(steps, cuts)

"""The instalment arithmetic of payment plans, as properties (no database)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.plans import (
    MAX_INSTALMENTS,
    PlanInterval,
    apply_payments,
    due_dates,
    split_equally,
)

cents = st.integers(min_value=1, max_value=100_000_000)  # up to 1 000 000,00 $
counts = st.integers(min_value=1, max_value=MAX_INSTALMENTS)


def dollars(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(cents, counts)
def test_an_equal_split_sums_to_the_balance_within_a_cent(balance: int, count: int) -> None:
    amounts = split_equally(dollars(balance), count)
    assert len(amounts) == count
    assert sum(amounts, ZERO) == dollars(balance)
    assert all(amount >= 0 for amount in amounts)
    assert max(amounts) - min(amounts) <= Decimal("0.01")
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)
    if balance >= count:  # the balance allows it: no instalment is zero
        assert all(amount > 0 for amount in amounts)
    # The odd cents go to the first instalments: never a larger one after a smaller one.
    assert list(amounts) == sorted(amounts, reverse=True)


def test_the_odd_cents_go_to_the_first_instalments() -> None:
    assert split_equally(Decimal("10.00"), 3) == (
        Decimal("3.34"),
        Decimal("3.33"),
        Decimal("3.33"),
    )
    assert split_equally(Decimal("900.00"), 3) == (Decimal("300.00"),) * 3
    assert split_equally(Decimal("0.05"), 7).count(ZERO) == 2  # refused by make_plan


amount_lists = st.lists(st.integers(min_value=1, max_value=1_000_000), min_size=1, max_size=24)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(amount_lists, st.integers(min_value=0, max_value=30_000_000))
def test_payments_reduce_the_earliest_instalment_first(amounts: list[int], paid: int) -> None:
    due = [dollars(amount) for amount in amounts]
    covered = apply_payments(due, dollars(paid))
    assert sum(covered, ZERO) == min(dollars(paid), sum(due, ZERO))
    assert all(ZERO <= part <= amount for part, amount in zip(covered, due, strict=True))
    # Once an instalment is not fully paid, none after it has received anything.
    pairs = enumerate(zip(covered, due, strict=True))
    short = [index for index, (part, amount) in pairs if part < amount]
    if short:
        assert all(part == 0 for part in covered[short[0] + 1 :])


def test_monthly_due_dates_keep_the_day_or_the_end_of_a_shorter_month() -> None:
    assert due_dates(date(2027, 1, 31), 4, PlanInterval.MONTHLY) == (
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    )
    assert due_dates(date(2026, 12, 15), 3, PlanInterval.MONTHLY)[-1] == date(2027, 2, 15)
    assert due_dates(date(2026, 12, 1), 3, PlanInterval.BIWEEKLY) == (
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 29),
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2035, 12, 31)),
    counts,
    st.sampled_from(list(PlanInterval)),
)
def test_due_dates_strictly_increase(first: date, count: int, interval: PlanInterval) -> None:
    days = due_dates(first, count, interval)
    assert days[0] == first
    assert all(later > earlier for earlier, later in itertools.pairwise(days))

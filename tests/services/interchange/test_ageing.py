"""The receivables ageing as at a day: buckets by days past due, history (not today's
balances), the family credit, one establishment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from registrar_tui.db import Database
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.interchange.ageing import (
    AgeingRow,
    ageing_rows,
    ageing_totals,
    receivables_ageing,
    running_ageing_totals,
)
from tests import builders
from tests.services.interchange.story import tell
from tests.services.ledger_data import add_family, add_invoice, build_school

D = Decimal
DAY = date(2026, 11, 23)


def _figures(row: AgeingRow) -> tuple[Decimal, ...]:
    return (
        row.not_yet_due,
        row.days_0_30,
        row.days_31_60,
        row.days_61_90,
        row.over_90,
        row.total,
        row.credit,
    )


def test_each_invoice_falls_in_the_bucket_of_its_days_past_due(database: Database) -> None:
    school = build_school(database)
    family = add_family(database, school, "Côté")
    other = add_family(database, school, "Roy")
    # (days past due on DAY, amount): each boundary on both sides, amounts that add up
    # to a different sum per bucket.
    for late, amount in (
        (-1, "1.00"),  # due tomorrow: not yet due
        (0, "2.00"),  # due today: 0-30
        (30, "4.00"),
        (31, "8.00"),  # 31-60
        (60, "16.00"),
        (61, "32.00"),  # 61-90
        (90, "64.00"),
        (91, "128.00"),  # over 90
    ):
        due = DAY - timedelta(days=late)
        add_invoice(database, school, family, ((amount, ""),), issued_on=min(due, DAY), due_on=due)
    add_invoice(database, school, other, (("10.00", ""),), issued_on=DAY, due_on=DAY)
    add_invoice(  # issued after the day: not in the ageing of the day
        database, school, other, (("99.00", ""),), issued_on=DAY + timedelta(days=1)
    )
    with database.read() as uow:
        ageing = receivables_ageing(uow, DAY)
    first, second = ageing.rows
    assert (first.family_name, first.establishment) == ("Famille Côté", "MTL")
    assert _figures(first) == tuple(
        D(x) for x in ("1.00", "6.00", "24.00", "96.00", "128.00", "255.00", "0.00")
    )
    assert _figures(second)[:6] == (D(0), D("10.00"), D(0), D(0), D(0), D("10.00"))
    assert _figures(ageing.totals)[:6] == tuple(
        D(x) for x in ("1.00", "16.00", "24.00", "96.00", "128.00", "265.00")
    )
    header, rows = ageing_rows(ageing)
    assert header[3:9] == ["non échu", "0-30 jours", "31-60 jours", "61-90 jours",
                           "plus de 90 jours", "total"]  # fmt: skip
    assert rows[-1][0] == "TOTAL" and rows[-1][8] == D("265.00") and len(rows) == 3


def test_the_ageing_as_at_a_day_is_history_not_todays_balances(database: Database) -> None:
    story = tell(database)  # see story.py: the family's November
    expected = {
        date(2026, 10, 31): ("275.00", "0.00"),  # FAC 1, not yet due (12-15)
        date(2026, 11, 2): ("250.00", "0.00"),  # FOND declined
        date(2026, 11, 3): ("0.00", "50.00"),  # paid 300: 50 of credit
        date(2026, 11, 4): ("250.00", "0.00"),  # the payment voided
        date(2026, 11, 5): ("0.00", "10.00"),  # 260 by debit
        date(2026, 11, 6): ("0.00", "10.00"),  # FAC 2 issued, credit applied, fee waived
        date(2026, 11, 7): None,  # the credit refunded: nothing owed either way
        date(2026, 11, 8): ("40.00", "0.00"),  # FAC 3, due that day (0-30)
        date(2026, 11, 9): None,  # FAC 3 cancelled
    }
    with database.read() as uow:
        for day, figures in expected.items():
            rows = receivables_ageing(uow, day).rows
            if figures is None:
                assert rows == (), day
                continue
            (row,) = rows
            assert (str(row.total), str(row.credit)) == figures, day
            assert row.net == row.total - row.credit
        on_the_8th = receivables_ageing(uow, date(2026, 11, 8)).rows[0]
    assert on_the_8th.days_0_30 == D("40.00") and on_the_8th.not_yet_due == 0
    assert story.family_id


def test_the_totals_alone_are_the_rows_totals_every_day(database: Database) -> None:
    """`ageing_totals` (the office dashboard's) sums by due date in the database: the same
    figures as the rows' totals, through every turn of the story (declines taken back,
    voids, waivers, a cancelled invoice), the family credit left out."""
    tell(database)
    with database.read() as uow:
        for offset in range(-1, 12):
            day = date(2026, 10, 31) + timedelta(days=offset)
            totals = receivables_ageing(uow, day).totals
            assert ageing_totals(uow, day) == replace(totals, credit=D("0.00")), day


def test_one_establishment_and_an_unknown_one(database: Database) -> None:
    tell(database)
    with database.read() as uow:
        montreal = receivables_ageing(uow, date(2026, 11, 4), "MTL")
        quebec = receivables_ageing(uow, date(2026, 11, 4), "QC")
        with pytest.raises(NotFound) as unknown:
            receivables_ageing(uow, date(2026, 11, 4), "XYZ")
    assert len(montreal.rows) == 1 and montreal.totals.total == D("250.00")
    assert quebec.rows == () and quebec.totals.total == 0
    assert unknown.value.field == "establishment"


def test_the_running_totals_are_the_ledgers_after_every_kind_of_change(
    database: Database,
) -> None:
    """The dashboard's receivables (`running_ageing_totals`: sums the database keeps by
    due date in the writers' transactions) equal the ones computed from the ledger after
    payments, a void, a decline and its taking back, credit applied, a waiver, a refund
    and a cancelled invoice, at every age bucket."""
    from registrar_tui.services.ledger.contributions import (
        decline_contribution,
        restore_contribution,
    )

    story = tell(database)

    def same(label: str) -> None:
        with database.read() as uow:
            for offset in range(0, 130, 7):
                day = date(2026, 11, 9) + timedelta(days=offset)
                assert running_ageing_totals(uow, day) == ageing_totals(uow, day), (label, day)

    same("the story")
    fourth = add_invoice(database, story.school, story.family_id, due_on=date(2027, 1, 15))
    with database.read() as uow:
        _scol, fond = builders.line_ids(uow, fourth)
    with database.write() as uow:
        decline_contribution(uow, fond, story.school.clerk_id)
    with database.read() as uow:
        owed_before = running_ageing_totals(uow, date(2026, 11, 9)).total
    same("declined")
    assert fond is not None
    with database.write() as uow:
        restore_contribution(uow, fond, story.school.clerk_id)
    with database.read() as uow:
        # The voluntary 25,00 $ is owed again: a figure the office would see move.
        assert running_ageing_totals(uow, date(2026, 11, 9)).total == owed_before + D("25.00")
    same("taken back")
    with database.write() as uow:
        decline_contribution(uow, fond, story.school.clerk_id)
    same("declined again")

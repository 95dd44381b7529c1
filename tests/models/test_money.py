"""The money column type: Decimal in Python, the same integer cents in the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import StatementError
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.models import FeeScheduleItem
from registrar_tui.models.base import FeeKind
from tests.services.ledger_data import School, build_school


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def _fee(school: School, code: str, amount: object) -> FeeScheduleItem:
    return FeeScheduleItem(
        term_id=school.term_id,
        code=code,
        kind=FeeKind.CERTIFICATE,
        description_fr="Attestation",
        description_en="Certificate",
        amount=amount,
    )


def test_a_decimal_is_stored_as_integer_cents_and_read_back_as_decimal(
    database: Database, school: School
) -> None:
    with database.write() as uow:
        uow.session.add(_fee(school, "X1", Decimal("12.5")))
        uow.session.add(_fee(school, "X2", Decimal("0.99")))
    with database.read() as uow:
        stored = uow.session.execute(
            text(
                "SELECT amount_cents FROM fee_schedule_item "
                "WHERE code IN ('X1', 'X2') ORDER BY code"
            )
        ).scalars()
        assert list(stored) == [1250, 99]
        read = uow.session.exec(
            select(FeeScheduleItem.amount).where(FeeScheduleItem.code == "X1")
        ).one()
        assert (read, str(read)) == (Decimal("12.50"), "12.50")
        total = uow.session.exec(
            select(func.sum(FeeScheduleItem.amount)).where(
                FeeScheduleItem.code.in_(("X1", "X2"))  # type: ignore[attr-defined]
            )
        ).one()
        assert (total, str(total)) == (Decimal("13.49"), "13.49")


@pytest.mark.parametrize("amount", [1250, 12.5, Decimal("12.345"), Decimal("NaN")])
def test_anything_but_whole_cents_in_a_decimal_is_refused(
    database: Database, school: School, amount: object
) -> None:
    """An int could be dollars or cents, a float is never exact: neither is guessed."""
    with pytest.raises(StatementError), database.write() as uow:
        uow.session.add(_fee(school, "BAD", amount))
        uow.session.flush()
    with database.read() as uow:
        assert (
            uow.session.exec(select(FeeScheduleItem).where(FeeScheduleItem.code == "BAD")).first()
            is None
        )

"""The family overview: header, balance and credit from the ledger, guardians, students."""

from __future__ import annotations

from decimal import Decimal

import pytest

from registrar_tui.db import Database
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.records.families import family_overview
from tests.screens.fixtures import MARKUP_FAMILY, seed


def test_balance_and_credit_follow_the_ledger(database: Database) -> None:
    ids = seed(database)
    with database.read() as uow:
        family = family_overview(uow, ids.tremblay_id)
    # 350,00 kept (declined contribution and cancelled invoice left out) − 75,00 allocated;
    # the voided payment's allocation and its reversal cancel out.
    assert family.balance == Decimal("275.00")
    assert str(family.balance) == "275.00"
    # 100,00 received − 75,00 allocated; the voided payment counts for nothing.
    assert family.credit == Decimal("25.00")
    assert family.payer_name == "Hélène Tremblay"
    assert family.payer_phone == "514-555-0101"
    assert family.establishment_code == "MTL"
    assert [g.full_name for g in family.guardians] == ["Hélène Tremblay", "Marc Gagnon"]
    assert family.guardians[0].address == "1234, rue Saint-Denis, Montréal, QC, H2X 3K2"
    assert [s.first_name for s in family.students] == ["Léa", "Hugo"]
    assert family.students[0].code_permanent == "TREL54030912"


def test_family_without_invoices_owes_nothing(database: Database) -> None:
    ids = seed(database)
    with database.read() as uow:
        family = family_overview(uow, ids.markup_id)
    assert family.name == MARKUP_FAMILY
    assert family.balance == Decimal("0.00") and family.credit == Decimal("0.00")
    assert family.students == ()


def test_unknown_family_is_not_found(database: Database) -> None:
    seed(database)
    with database.read() as uow, pytest.raises(NotFound):
        family_overview(uow, 999_999)

"""The year's amounts from the hand-computed family (slips_data.py), on both databases."""

from __future__ import annotations

from decimal import Decimal

from registrar_tui.db import Database
from registrar_tui.services.tax_slips.amounts import eligible_part, year_amounts
from tests.services.tax_slips.slips_data import build_slip_world

D = Decimal


def test_two_years_a_void_and_a_credit_note(database: Database) -> None:
    world = build_slip_world(database)
    with database.read() as uow:
        y2025 = year_amounts(uow, 2025)[world.student_id]
        y2026 = year_amounts(uow, 2026)[world.student_id]
        assert not year_amounts(uow, 2024)
    assert y2025.eligible_tuition == D("425.00")
    assert (y2025.full_time_sessions, y2025.months_full_time, y2025.months_part_time) == (1, 4, 0)
    assert [(p.term_code, p.eligible_tuition) for p in y2025.periods] == [("AUT-2025", D("425.00"))]
    assert y2026.eligible_tuition == D("675.00")
    assert (y2026.full_time_sessions, y2026.months_full_time, y2026.months_part_time) == (1, 5, 0)
    assert [(p.term_code, p.months_full_time, p.eligible_tuition) for p in y2026.periods] == [
        ("AUT-2025", 0, D("175.00")),
        ("HIV-2026", 5, D("500.00")),
    ]
    assert y2026.program_name == "Piano (collégial)"
    # Over the years, exactly the charged eligible fees: 600 + (540 - 40 waived).
    assert y2025.eligible_tuition + y2026.eligible_tuition == D("1100.00")


def test_ineligible_lines_are_paid_first() -> None:
    assert eligible_part(D("50.00"), D("75.00"), D("600.00")) == D("0.00")
    assert eligible_part(D("100.00"), D("75.00"), D("600.00")) == D("25.00")
    assert eligible_part(D("900.00"), D("75.00"), D("600.00")) == D("600.00")

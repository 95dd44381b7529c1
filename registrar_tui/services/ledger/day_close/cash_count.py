"""The counted cash of a drawer, read as typed and set against the expected cash.

Pure (no database): the day-close screen calls it on every key to show the difference
live, so that the screen itself never subtracts money. `close_day` records the same
difference (counted − expected) when the close is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.services.core.money import parse_money

COUNTED_CASH_FIELD = "counted_cash"


@dataclass(frozen=True)
class CashCount:
    """What the clerk counted and how it compares with what the drawer should hold."""

    counted: Decimal
    expected: Decimal
    discrepancy: Decimal
    """counted − expected: negative is a shortage, positive a surplus."""

    @property
    def is_short(self) -> bool:
        return self.discrepancy < 0

    @property
    def is_over(self) -> bool:
        return self.discrepancy > 0


def count_cash(text: str, expected_cash: Decimal, language: str) -> CashCount:
    """Read the counted cash typed by the clerk (`300`, `300,00`, `1 234,50 $`).

    Refuses, with the field `counted_cash`: InvalidInput for an empty, negative or
    unreadable amount (the rules of `services.money.parse_money`).
    """
    return compare_cash(parse_money(text, language, field=COUNTED_CASH_FIELD), expected_cash)


def compare_cash(counted: Decimal, expected_cash: Decimal) -> CashCount:
    """Counted cash already read (e.g. a recorded close) against the expected cash."""
    return CashCount(counted=counted, expected=expected_cash, discrepancy=counted - expected_cash)
